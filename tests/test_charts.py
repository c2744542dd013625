"""The core's chart helpers: TopoJSON decoding, the Equal Earth projection, the projected world
base map and the bar layout (the pages that use them are tested with their areas)."""

from __future__ import annotations

import itertools
import math

import pytest

from alliance_conf.charts import worldmap
from alliance_conf.charts.bars import Bar, Segment, layout
from alliance_conf.charts.topojson import decode_arcs, features
from alliance_conf.charts.worldmap import Category, equal_earth, split_antimeridian

TINY = {
    "type": "Topology",
    "transform": {"scale": [2, 3], "translate": [10, 20]},
    "arcs": [
        [[0, 0], [1, 0], [0, 1]],  # (10,20) (12,20) (12,23)
        [[0, 0], [0, 1], [1, -1]],  # (10,20) (10,23) (12,20)... walked backwards below
    ],
    "objects": {
        "shapes": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "056", "properties": {"name": "A"}},
                {"type": "MultiPolygon", "arcs": [[[~1]]], "id": "250"},
                {"type": "LineString", "arcs": [0]},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_dequantized():
    arcs = decode_arcs(TINY)
    assert arcs[0] == [(10, 20), (12, 20), (12, 23)]
    assert arcs[1] == [(10, 20), (10, 23), (12, 20)]


def test_rings_join_arcs_and_walk_negative_indexes_backwards():
    found = list(features(TINY, "shapes"))
    assert [f.id for f in found] == ["056", "250", None]
    # Arc 0 then arc 1: arc 1's first point is arc 0's last one, kept once.
    assert found[0].polygons == [[[(10, 20), (12, 20), (12, 23), (10, 23), (12, 20)]]]
    assert found[0].properties == {"name": "A"}
    assert found[1].polygons == [[[(12, 20), (10, 23), (10, 20)]]]  # ~1: arc 1 reversed
    assert found[2].polygons == []  # a line is no area
    with pytest.raises(ValueError):
        list(features(TINY, "countries"))


def test_equal_earth_shape_and_equal_areas():
    assert equal_earth(0, 0) == (0, 0)
    x_edge, _ = equal_earth(180, 0)
    _, y_pole = equal_earth(0, 90)
    assert x_edge == pytest.approx(2.70663, abs=1e-5)
    assert y_pole == pytest.approx(1.31736, abs=1e-5)
    assert x_edge / y_pole == pytest.approx(2.05458, abs=1e-4)  # the published aspect ratio
    assert equal_earth(-45, -30) == pytest.approx(tuple(-v for v in equal_earth(45, 30)))

    def area_ratio(lat):  # projected area of a small cell / its area on the sphere
        d = 0.01
        (x0, y0), (x1, _), (_, y2) = (
            equal_earth(10, lat),
            equal_earth(10 + d, lat),
            equal_earth(10, lat + d),
        )
        return ((x1 - x0) * (y2 - y0)) / (math.radians(d) ** 2 * math.cos(math.radians(lat)))

    assert area_ratio(0) == pytest.approx(area_ratio(60), rel=1e-3)
    assert area_ratio(0) == pytest.approx(area_ratio(-35), rel=1e-3)


def test_rings_across_the_antimeridian_are_cut_in_two():
    ring = [(170, 60), (-170, 60), (-170, 70), (170, 70), (170, 60)]
    parts = split_antimeridian(ring)
    assert len(parts) == 2
    for part in parts:
        assert all(abs(a[0] - b[0]) <= 180 for a, b in itertools.pairwise(part))
        xs = {round(x) for x, _y in part}
        assert xs <= {170, 180} or xs <= {-180, -170}
    assert split_antimeridian([(0, 0), (10, 0), (10, 10)]) == [[(0, 0), (10, 0), (10, 10)]]


def test_numbers_are_written_short():
    assert [worldmap._number(v) for v in (12, -5, 30, 0, -120, 7)] == [
        "1.2",
        "-.5",
        "3",
        "0",
        "-12",
        ".7",
    ]


def test_the_base_map_is_projected_once_and_small(app):
    base = worldmap.load_base_map()
    assert base is not None
    assert worldmap.load_base_map() is base  # cached for the process
    codes = base.codes
    assert {"BE", "LU", "FJ", "RU", "US", "NZ"} <= codes
    assert "AQ" not in codes  # Antarctica left out
    assert "MT" not in codes  # too small at 1:110m: the page names it instead
    assert worldmap.missing_codes(["BE", "MT", "SG"]) == ["MT", "SG"]
    assert 850 < base.width < 1000 and 300 < base.height < 450
    size = sum(len(d) for _c, d in base.countries) + len(base.other)
    assert size < 100_000


def test_the_map_needs_its_atlas(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "ALLIANCE_WORLD_ATLAS", str(tmp_path / "none.json"))
    categories = [Category("yes", "Yes", "solid"), Category("no", "No")]
    assert worldmap.world_map_svg({}, categories, default="no", title="t", summary="s") is None
    assert worldmap.missing_codes(["BE"]) == ["BE"]


def test_bars_scale_to_their_total_or_to_the_largest_bar():
    parts = [Segment("a", "A", 3, "ok"), Segment("b", "B", 0, "warn"), Segment("c", "C", 1, "bad")]
    own, largest = layout([Bar("one", "", parts, total=8), Bar("two", "", parts[:1])])
    assert [(s.key, s.x, s.width) for s in own.segments] == [("a", 0.0, 37.5), ("c", 37.5, 12.5)]
    # Without a total, against the largest bar (3 + 0 + 1).
    assert [(s.key, s.x, s.width) for s in largest.segments] == [("a", 0.0, 75.0)]
    assert layout([Bar("none", "", [Segment("a", "A", 0)])])[0].segments == []
