"""The world map's geometry for the reports page: an equirectangular projection, the world's
country outlines (world-atlas TopoJSON) cut at the antimeridian so that no country draws a band
across the map, and partner links as great-circle arcs split where they cross it."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from django.conf import settings

MAP_WIDTH = 960
MAP_NORTH, MAP_SOUTH = 84.0, -58.0  # Antarctica and the Arctic sea ice are cropped.
MAP_HEIGHT = round(MAP_WIDTH * (MAP_NORTH - MAP_SOUTH) / 360)
WORLD_ATLAS = Path(settings.BASE_DIR) / "static" / "vendor" / "world-atlas" / "countries-110m.json"


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular: longitude and latitude scaled linearly to the map's pixels."""
    x = (float(lon) + 180.0) * MAP_WIDTH / 360.0
    y = (MAP_NORTH - float(lat)) * MAP_HEIGHT / (MAP_NORTH - MAP_SOUTH)
    return round(x, 1), round(y, 1)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs: quantized, delta-encoded positions turned into longitude/latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs, indices: list[int]) -> list[tuple[float, float]]:
    """A ring from its arcs; a negative index ~i is arc i reversed. Shared ends are dropped."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


LonLat = tuple[float, float]


def _edge_crossing(a: LonLat, b: LonLat) -> float:
    """The latitude at which the segment a→b, which crosses the antimeridian (its longitudes
    jump by more than 180°), meets it, interpolated the short way round."""
    lon_a, lat_a = a
    lon_b = b[0] + (360.0 if lon_a > 0 else -360.0)
    if lon_b == lon_a:
        return lat_a
    edge = 180.0 if lon_a > 0 else -180.0
    return lat_a + (b[1] - lat_a) * (edge - lon_a) / (lon_b - lon_a)


def split_at_antimeridian(points: list[LonLat], closed: bool = False) -> list[list[LonLat]]:
    """`points` cut into pieces that never cross the antimeridian: where two neighbours are
    more than 180° of longitude apart (the line goes the short way, across ±180°), one piece
    ends on the map's edge and the next starts on the opposite edge. A closed ring's last and
    first pieces are one piece (the ring wraps), so each piece closes along the edge."""
    if not points:
        return []
    pieces: list[list[LonLat]] = [[points[0]]]
    ends = [*points[1:], points[0]] if closed else points[1:]
    for i, b in enumerate(ends):
        a = points[i]
        if abs(b[0] - a[0]) > 180.0:
            lat = _edge_crossing(a, b)
            edge = 180.0 if a[0] > 0 else -180.0
            pieces[-1].append((edge, lat))
            pieces.append([(-edge, lat)])
        if i < len(points) - 1:  # a closed ring's way back to its start adds no point
            pieces[-1].append(b)
    if closed and len(pieces) > 1:
        crossings = len(pieces) - 1
        pieces[0] = pieces.pop() + pieces[0]
        if crossings % 2:  # a ring around a pole (Antarctica): closed along the pole's edge
            piece = pieces[0]
            pole = 90.0 if sum(lat for _, lat in piece) > 0 else -90.0
            piece.extend([(piece[-1][0], pole), (piece[0][0], pole)])
    return pieces


def _unit(lon: float, lat: float) -> tuple[float, float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def great_circle(a: LonLat, b: LonLat, segments: int = 64) -> list[LonLat]:
    """Points along the shorter great-circle arc from a to b (longitude, latitude)."""
    ua, ub = _unit(*a), _unit(*b)
    dot = max(-1.0, min(1.0, sum(x * y for x, y in zip(ua, ub, strict=True))))
    omega = math.acos(dot)
    if omega < 1e-9:
        return [a, b]
    sin_omega = math.sin(omega)
    points = []
    for i in range(segments + 1):
        t = i / segments
        ka, kb = math.sin((1 - t) * omega) / sin_omega, math.sin(t * omega) / sin_omega
        x, y, z = (ka * p + kb * q for p, q in zip(ua, ub, strict=True))
        lon = math.degrees(math.atan2(y, x))
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        points.append((lon, lat))
    points[0], points[-1] = a, b  # exactly the cities' own positions at the ends
    return points


def arc_path(a: LonLat, b: LonLat) -> str:
    """SVG path data of the great-circle arc from a to b, a new subpath where it crosses the
    antimeridian (so that no line runs back across the whole map)."""
    parts = []
    for piece in split_at_antimeridian(great_circle(a, b)):
        xy = [project(lon, lat) for lon, lat in piece]
        parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in xy))
    return "".join(parts)


@lru_cache(maxsize=1)
def world_paths() -> tuple[tuple[str, str], ...]:
    """(country name, SVG path) for every country of the vendored world-atlas, projected once
    per process and cached."""
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    paths = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        parts = []
        for polygon in polygons:
            for indices in polygon:
                # A ring across the antimeridian (Russia's east, Fiji) is drawn as its pieces
                # on either side, each closed along the map's edge: never a band across it.
                for piece in split_at_antimeridian(_ring(arcs, indices), closed=True):
                    ring = [project(lon, lat) for lon, lat in piece]
                    if len(ring) < 3:
                        continue
                    parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in ring) + "Z")
        name = geometry.get("properties", {}).get("name", "")
        paths.append((name, "".join(parts)))
    return tuple(paths)
