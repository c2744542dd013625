"""Charts drawn on the server, for any area or plugin: no JavaScript, no external asset.

- :mod:`~alliance_conf.charts.bars`: horizontal bars (stacked or not) laid out in HTML, each
  bar a tiny SVG scaled to its row, so every word and number stays page text at page size;
  the macros are in ``templates/macros/charts.html``.
- :mod:`~alliance_conf.charts.worldmap`: a world map of states coloured by a status, from
  Natural Earth's 1:110m countries (the npm package ``world-atlas``) decoded from TopoJSON
  (:mod:`~alliance_conf.charts.topojson`) and drawn in the Equal Earth projection.

Every chart comes with its words: a summary (``aria-label``/``<desc>``), a legend in text, and
a table on the page that gives the same figures.
"""
