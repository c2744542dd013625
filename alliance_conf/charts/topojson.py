"""Reading TopoJSON (https://github.com/topojson/topojson-specification): the geometries of a
topology as rings of (longitude, latitude) points.

A topology stores each border once, as an *arc*, and every polygon as a list of arc indexes (a
negative index ``~i`` means arc ``i`` walked backwards), so two neighbours share their border.
A quantized topology (one with a ``transform``) stores each arc's points as whole numbers,
each point the difference from the one before (delta encoding); ``transform`` turns them back
into degrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class Feature:
    id: str | None
    properties: dict
    polygons: list[list[Ring]]  # each polygon: its outer ring, then its holes


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Every arc of the topology in degrees, delta encoding and quantization undone."""
    transform = topology.get("transform")
    arcs = []
    if transform is None:
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Each arc starts where the previous one ended: keep that shared point once.
        ring.extend(points[1:] if ring else points)
    return ring


def _polygons(geometry: dict, arcs: list[list[Point]]) -> list[list[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[_ring(r, arcs) for r in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    if kind == "GeometryCollection":
        return [p for g in geometry.get("geometries", []) for p in _polygons(g, arcs)]
    return []  # points and lines: nothing a map of areas draws


def features(topology: dict, name: str) -> Iterator[Feature]:
    """The areas of the object ``name`` (e.g. ``"countries"``) of a topology."""
    if topology.get("type") != "Topology" or name not in topology.get("objects", {}):
        raise ValueError(f"not a TopoJSON topology with an object {name!r}")
    arcs = decode_arcs(topology)
    collection = topology["objects"][name]
    geometries = (
        collection["geometries"] if collection.get("type") == "GeometryCollection" else [collection]
    )
    for geometry in geometries:
        yield Feature(
            id=geometry.get("id"),
            properties=geometry.get("properties") or {},
            polygons=_polygons(geometry, arcs),
        )
