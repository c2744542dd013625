"""Horizontal bars laid out in HTML: the label and the figures are page text (so they are read
at the page's size, wrap on a phone and are found by a screen reader), only the bar itself is
a small SVG stretched to its row (``aria-hidden``: the text beside it says the same).

Build :class:`Bar` rows here, render them with ``bar_chart`` from
``templates/macros/charts.html``. No inline style is needed (the CSP forbids it): the segments'
positions are SVG attributes in a 0-100 ``viewBox``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# Fills for segments, each at least 3:1 against white (WCAG 1.4.11); segments are separated by
# a white gap, and the figures are always written beside the bar.
TONES = {
    "ok": "#136c2e",
    "warn": "#a55a00",
    "bad": "#a4161a",
    "neutral": "#5f6b79",
    "info": "#1a4f8f",
    "none": "#eef0f3",  # the empty track: what is not (yet) counted
}


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    tone: str = "info"
    x: float = 0.0
    width: float = 0.0

    @property
    def fill(self) -> str:
        return TONES[self.tone]


@dataclass
class Bar:
    label: str
    text: str  # the figures in words, shown beside the bar
    segments: list[Segment] = field(default_factory=list)
    total: int = 0  # what a full-width bar stands for (0: the largest bar's sum)


def layout(bars: Sequence[Bar]) -> list[Bar]:
    """Place every segment: a bar with ``total`` fills that fraction of its row; one without
    is drawn against the largest bar's sum, so bars compare."""
    largest = max((sum(s.count for s in b.segments) for b in bars), default=0)
    placed = []
    for bar in bars:
        scale = bar.total or largest
        x = 0.0
        segments = []
        for segment in bar.segments:
            width = 100 * segment.count / scale if scale else 0.0
            if segment.count:
                segments.append(
                    Segment(
                        segment.key,
                        segment.label,
                        segment.count,
                        segment.tone,
                        round(x, 2),
                        round(width, 2),
                    )
                )
            x += width
        placed.append(Bar(bar.label, bar.text, segments, bar.total))
    return placed
