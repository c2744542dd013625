"""A world map of states coloured by a status, as inline SVG.

The countries come from Natural Earth's 1:110m admin-0 countries as packaged by the npm
package ``world-atlas`` (``countries-110m.json``, TopoJSON, ids are ISO 3166-1 numeric codes),
read at run time from ``ALLIANCE_WORLD_ATLAS`` (default: ``node_modules/world-atlas/`` beside
the code; ``make install`` runs ``npm ci``). They are projected once per process with the Equal
Earth projection (Šavrič, Patterson and Jenny, 2018: equal-area, so a large state does not look
larger than it is) into SVG paths with coordinates to one decimal; a request only adds the
fills and the names. Antarctica is left out; the few areas without an ISO code (Kosovo,
Northern Cyprus, Somaliland in this edition) are drawn as land without a name or a status.

Without the atlas file :func:`world_map_svg` returns ``None`` and the page shows a note: the
map is a picture of the table beside it, never the only place a status is shown. States too
small for the 1:110m scale (Malta, Singapore...) are not drawn: :func:`missing_codes` says
which, so the page can name them.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from flask import current_app
from markupsafe import Markup, escape

from alliance_conf.charts.topojson import features
from alliance_conf.delegations.countries import UnknownCountry, country_name, interface_language
from alliance_conf.i18n import _

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ATLAS = ROOT / "node_modules" / "world-atlas" / "countries-110m.json"
ANTARCTICA = "010"
RADIUS = 170.0  # projected units per radian: the map is about 920 wide, 400 high
MARGIN = 2.0

# --- Equal Earth -----------------------------------------------------------------------------

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """Degrees to Equal Earth plane coordinates on the unit sphere (x east, y north)."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def _clip(ring: list[tuple[float, float]], edge: float, keep_below: bool):
    """Sutherland-Hodgman: the part of a ring on one side of the meridian ``edge``."""
    out = []
    for i, (x1, y1) in enumerate(ring):
        x0, y0 = ring[i - 1]
        inside0 = x0 <= edge if keep_below else x0 >= edge
        inside1 = x1 <= edge if keep_below else x1 >= edge
        if inside1 != inside0:
            out.append((edge, y0 + (y1 - y0) * (edge - x0) / (x1 - x0)))
        if inside1:
            out.append((x1, y1))
    return out


def split_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the 180th meridian (Russia's Chukotka, Fiji) as one ring per side,
    so no edge runs across the whole map."""
    if not any(abs(a[0] - b[0]) > 180 for a, b in itertools.pairwise(ring)):
        return [ring]
    unwrapped = [ring[0]]
    shift = 0.0
    for (x0, _y0), (x1, y1) in itertools.pairwise(ring):
        if x1 - x0 > 180:
            shift -= 360
        elif x0 - x1 > 180:
            shift += 360
        unwrapped.append((x1 + shift, y1))
    low = math.floor((min(x for x, _y in unwrapped) + 180) / 360)
    high = math.floor((max(x for x, _y in unwrapped) + 180) / 360)
    parts = []
    for k in range(low, high + 1):
        west, east = -180 + 360 * k, 180 + 360 * k
        part = _clip(_clip(unwrapped, west, keep_below=False), east, keep_below=True)
        if len(part) >= 3:
            parts.append([(x - 360 * k, y) for x, y in part])
    return parts


# --- the base geometry, once per process -----------------------------------------------------


@dataclass(frozen=True)
class BaseMap:
    width: float
    height: float
    countries: tuple[tuple[str, str], ...]  # (ISO alpha-2 code, SVG path data)
    other: str  # land without an ISO code: drawn, never named

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _d in self.countries)


def _number(value: int) -> str:
    """Tenths as the shortest SVG number: 12 -> "1.2", -5 -> "-.5", 30 -> "3"."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _path(rings: list[list[tuple[int, int]]]) -> str:
    """Rings of points in tenths of a unit as path data: one absolute move, then relative
    lines, so most numbers are short."""
    parts = []
    for ring in rings:
        points = [ring[0]]
        for point in ring[1:]:
            if point != points[-1]:
                points.append(point)
        if points[-1] == points[0]:
            points.pop()
        if len(points) < 3:
            continue  # smaller than a tenth of a unit: nothing to see
        x0, y0 = points[0]
        steps = []
        for (xa, ya), (xb, yb) in itertools.pairwise(points):
            dx, dy = _number(xb - xa), _number(yb - ya)
            steps.append(f"{dx}{dy}" if dy.startswith("-") else f"{dx} {dy}")
        parts.append(f"M{_number(x0)} {_number(y0)}l" + " ".join(steps) + "z")
    return "".join(parts)


@cache
def base_map(path: str) -> BaseMap:
    """The projected countries of the atlas at ``path`` (cached for the process: a few
    hundred milliseconds the first time, nothing after)."""
    with open(path, encoding="utf-8") as file:
        topology = json.load(file)
    projected: list[tuple[str | None, list[list[tuple[float, float]]]]] = []
    for feature in features(topology, "countries"):
        if feature.id == ANTARCTICA:
            continue
        country = pycountry.countries.get(numeric=feature.id) if feature.id else None
        rings = [
            [equal_earth(lon, lat) for lon, lat in part]
            for polygon in feature.polygons
            for ring in polygon
            for part in split_antimeridian(ring)
        ]
        projected.append((country.alpha_2 if country else None, rings))
    xs = [x for _c, rings in projected for ring in rings for x, _y in ring]
    ys = [y for _c, rings in projected for ring in rings for _x, y in ring]
    left, top = min(xs) * RADIUS - MARGIN, -max(ys) * RADIUS - MARGIN
    width = (max(xs) - min(xs)) * RADIUS + 2 * MARGIN
    height = (max(ys) - min(ys)) * RADIUS + 2 * MARGIN

    def tenths(ring):
        return [(round((x * RADIUS - left) * 10), round((-y * RADIUS - top) * 10)) for x, y in ring]

    countries = []
    other = []
    for code, rings in projected:
        d = _path([tenths(ring) for ring in rings])
        if code is None:
            other.append(d)
        elif d:
            countries.append((code, d))
    return BaseMap(round(width, 1), round(height, 1), tuple(countries), "".join(other))


def atlas_path() -> str:
    return str(current_app.config.get("ALLIANCE_WORLD_ATLAS") or DEFAULT_ATLAS)


def load_base_map() -> BaseMap | None:
    """The base map, or ``None`` (logged) when the atlas file is missing or unreadable."""
    path = atlas_path()
    try:
        return base_map(path)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("world map not drawn: cannot read the atlas %s (%s)", path, exc)
        return None


# --- one map per request ---------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A status a state can have on the map: its key (the path's class is ``map-<key>``), its
    label in the legend and the titles, and its look (``solid``, ``hatched`` or ``plain``)."""

    key: str
    label: str
    look: str = "plain"


LOOKS = {
    # Contrast (WCAG 1.4.11 asks 3:1 for what a reader needs): the solid green is 6.5:1 against
    # white, 4.7:1 against the plain grey and 4.8:1 against the hatch's ground; the hatch's
    # lines are 5:1 or more against white, the grey and their ground, so "not yet" differs
    # from "signed" by its pattern too. The plain grey is the land around (1.4:1 against
    # white): a state that is not taking part is context, and its title still says so.
    "solid": "#136c2e",
    "hatched": "#f6d9a8",
    "plain": "#d5dbe3",
}
HATCH_LINE = "#8a4600"
BORDER = "#ffffff"


def swatch(category: Category, chart_id: str) -> Markup:
    """A legend's sample of a category's look (decorative: the label beside it says it)."""
    fill = _fill(category, chart_id)
    defs = _hatch_def(chart_id) if category.look == "hatched" else ""
    return Markup(  # noqa: S704 - no text from outside
        f'<svg class="swatch" width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" '
        f'focusable="false">{defs}<rect x=".5" y=".5" width="17" height="13" fill="{fill}" '
        f'stroke="#5f6b79"/></svg>'
    )


def _hatch_def(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="4" height="4" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="4" height="4" fill="{LOOKS["hatched"]}"/>'
        f'<path d="M0 0v4" stroke="{HATCH_LINE}" stroke-width="1.6"/></pattern></defs>'
    )


def _fill(category: Category, chart_id: str) -> str:
    if category.look == "hatched":
        return f"url(#{chart_id}-hatch)"
    return LOOKS[category.look]


def missing_codes(codes) -> list[str]:
    """Of ``codes``, those the map does not draw (too small at this scale, or no atlas)."""
    base = load_base_map()
    drawn = base.codes if base is not None else frozenset()
    return [code for code in codes if code not in drawn]


def world_map_svg(
    statuses: Mapping[str, str],
    categories: Sequence[Category],
    *,
    default: str,
    title: str,
    summary: str,
    chart_id: str = "world-map",
    name: Callable[[str], str] | None = None,
) -> Markup | None:
    """The map with each state of ``statuses`` (ISO alpha-2 code -> category key) in its
    category and every other state in ``default``; ``None`` without the atlas.

    The ``<svg>`` is ``role="img"`` named by ``title`` and described by ``summary``; each
    state's path has a ``<title>`` "Name: category" (names in the page's language)."""
    base = load_base_map()
    if base is None:
        return None
    by_key = {c.key: c for c in categories}
    if name is None:
        language = interface_language()

        def name(code: str) -> str:
            try:
                return country_name(code, language)
            except UnknownCountry:
                return code

    # Translated once, filled per state (175 gettext calls would be most of the request's work).
    label_format = _("%(name)s: %(status)s")
    hatched = any(c.look == "hatched" for c in categories)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="world-map" role="img" '
        f'viewBox="0 0 {base.width:g} {base.height:g}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
        _hatch_def(chart_id) if hatched else "",
        f'<g stroke="{BORDER}" stroke-width=".6" stroke-linejoin="round">',
    ]
    if base.other:
        out.append(f'<path class="map-unnamed" fill="{LOOKS["plain"]}" d="{base.other}"/>')
    for code, d in base.countries:
        category = by_key[statuses.get(code, default)]
        label = label_format % {"name": name(code), "status": category.label}
        out.append(
            f'<path class="map-{category.key}" data-code="{code}" '
            f'fill="{_fill(category, chart_id)}" d="{d}"><title>{escape(label)}</title></path>'
        )
    out.append("</g></svg>")
    return Markup("".join(out))  # noqa: S704 - every text inserted above is escaped
