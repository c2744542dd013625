"""The board's pictures: a bar per delegation group and the world map of signatory states, in
English and French, and the page without the map data."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from alliance_conf.charts import worldmap
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import operations

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def two_signed(app, declaration, head, make_signatory):
    """Belgium (the seed's head) and Germany have signed; France signed, then withdrew."""
    operations.sign_declaration(
        declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name
    )
    germany = make_signatory("DE")
    operations.sign_declaration(
        declaration, actor=germany, password=TEST_PASSWORD, typed_name=germany.full_name
    )
    france = make_signatory("FR")
    signature = operations.sign_declaration(
        declaration, actor=france, password=TEST_PASSWORD, typed_name=france.full_name
    )
    operations.withdraw_signature(
        signature, actor=france, reason="Pending ratification", password=TEST_PASSWORD
    )
    db.session.commit()


def world_map(html: str) -> ET.Element:
    found = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="world-map".*?</svg>', html, re.S
    )
    assert found, "no world map on the page"
    return ET.fromstring(found.group(0))  # noqa: S314 - our own page; raises unless well-formed


def paths_by_code(svg: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-code"): p for p in svg.iter(f"{SVG}path") if p.get("data-code")}


def test_map_colours_signatory_states_and_says_so_in_words(
    app, client, login, declaration, head, two_signed
):
    login(head)
    html = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    svg = world_map(html)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == desc_id and "2 of 49 delegations have signed" in desc.text

    paths = paths_by_code(svg)
    signed = {code for code, p in paths.items() if p.get("class") == "map-signed"}
    assert signed == {"BE", "DE"}
    assert paths["FR"].get("class") == "map-not-yet"  # withdrawn: no longer signed
    assert paths["US"].get("class") == "map-not-yet"  # a partner country
    assert paths["CN"].get("class") == "map-none"  # not a delegation of this conference
    assert paths["BE"].find(f"{SVG}title").text == "Belgium: Signed"
    assert paths["FR"].find(f"{SVG}title").text == "France: Not yet signed"
    assert paths["CN"].find(f"{SVG}title").text == "China: Not participating"
    # Signed and not signed differ by more than colour: solid fill against a hatch pattern.
    assert paths["FR"].get("fill").startswith("url(#") and paths["BE"].get("fill").startswith("#")

    # The legend is text, Malta (too small at 1:110m) is named, and the table is one link away.
    legend = html.split('class="chart-legend"')[1].split("</ul>")[0]
    for label in ("Signed", "Not yet signed", "Not participating"):
        assert f"</svg> {label}</li>" in legend
    assert "Too small to be drawn at this scale: Malta: Not yet signed." in html
    assert 'href="#delegations-heading"' in html and 'id="delegations-heading"' in html

    # The bars: one per group, figures in words, bar widths from the same counts.
    assert ">2 of 27 signed<" in html and ">0 of 22 signed<" in html
    bars = html.split('class="bar-chart progress-bars"')[1].split("</ul>")[0]
    assert 'class="bar-signed" x="0.0" width="7.41"' in bars  # 2 / 27
    assert bars.count('class="bar-signed"') == 1  # nothing drawn for 0 of 22


def test_map_stays_small(app, client, login, declaration, head, two_signed):
    login(head)
    html = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    svg = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="world-map".*?</svg>', html, re.S
    )
    assert len(svg.group(0).encode()) < 120_000
    # Coordinates to one decimal at most.
    assert not re.search(r"\d\.\d\d", svg.group(0).split("<path", 1)[1])


def test_map_and_bars_in_french(app, client, login, declaration, head, two_signed):
    login(head)
    html = client.get(
        f"/declarations/{declaration.id}/signatures", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    paths = paths_by_code(world_map(html))
    assert paths["BE"].find(f"{SVG}title").text == "Belgique\u00a0: Signé"
    assert paths["DE"].find(f"{SVG}title").text == "Allemagne\u00a0: Signé"
    assert paths["FR"].find(f"{SVG}title").text == "France\u00a0: Pas encore signé"
    assert "</svg> Non participant</li>" in html
    assert ">Ont signé\u00a0: 2 sur 27<" in html
    assert "Malte\u00a0: Pas encore signé" in html


def test_without_the_atlas_the_board_still_works(
    app, client, login, declaration, head, two_signed, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "ALLIANCE_WORLD_ATLAS", str(tmp_path / "missing.json"))
    login(head)
    response = client.get(f"/declarations/{declaration.id}/signatures")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="world-map"' not in html
    assert "The world map cannot be shown: its map data is not installed on this server." in html
    assert ">2 of 27 signed<" in html  # the bars need no map data
    assert "Too small to be drawn" not in html


def test_a_broken_atlas_file_is_a_note_not_an_error(
    app, client, login, declaration, head, monkeypatch, tmp_path
):
    broken = tmp_path / "countries-110m.json"
    broken.write_text('{"type": "Topology", "objects": {}}', encoding="utf-8")
    monkeypatch.setitem(app.config, "ALLIANCE_WORLD_ATLAS", str(broken))
    login(head)
    response = client.get(f"/declarations/{declaration.id}/signatures")
    assert response.status_code == 200
    assert "The world map cannot be shown" in response.get_data(as_text=True)


def test_projected_base_is_computed_once_per_process(app, declaration, head, two_signed):
    worldmap.base_map.cache_clear()
    start = time.perf_counter()
    assert worldmap.load_base_map() is not None
    first = time.perf_counter() - start
    start = time.perf_counter()
    worldmap.load_base_map()
    again = time.perf_counter() - start
    assert worldmap.base_map.cache_info().hits >= 1
    assert again < first


def test_no_english_escapes_translation_in_the_pictures(
    app, make_app, declaration, head, two_signed
):
    """The board's pictures under the pseudo-locale (tests/test_untranslated.py's check: its
    crawl of the seed never reaches a board, whose declaration is still a draft there)."""
    from tests.test_untranslated import (
        calendar_words,
        data_strings,
        escaped_words,
        interface_vocabulary,
    )

    pseudo = make_app(I18N_PSEUDO=True)
    client = pseudo.test_client()
    response = client.post("/auth/login", data={"email": head.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    html = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    start = html.index('<section aria-labelledby="progress-heading"')
    pictures = html[start : html.index("</section>", start)]
    assert "world-map" in pictures and "progress-bars" in pictures
    escaped = escaped_words(
        pictures, data_strings(pseudo), interface_vocabulary(), calendar_words()
    )
    assert not escaped, escaped
    titles = [
        t.text for p in paths_by_code(world_map(html)).values() for t in p.iter(f"{SVG}title")
    ]
    assert len(titles) > 150
    assert all(t.startswith("\u27e6") and t.endswith("\u27e7\u27e7") for t in titles), titles[:3]
