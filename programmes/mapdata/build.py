"""Builds programmes/mapdata/countries.json, the country shapes of the opportunity map, from world-atlas.

world-atlas (ISC licence) publishes Natural Earth's 1:110m countries (public domain) as TopoJSON: shared
borders stored once as quantised, delta-encoded arcs. This script decodes them, projects them with the Equal
Earth projection (equal areas, so that large countries do not look larger than they are), simplifies each arc
once (neighbours keep a common border), and writes one SVG path per ISO 3166-1 alpha-2 code, in whole units of
a 1000-wide drawing with relative moves: a few tens of kilobytes, read once per process by programmes.world_map.

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python programmes/mapdata/build.py /tmp/package/countries-110m.json

Run by hand when the shapes should change; the output is committed. Needs only the standard library and
django-countries (for the numeric to alpha-2 codes).
"""

import json
import math
import sys
from pathlib import Path

from django_countries.data import ALT_CODES

WIDTH = 1000
# Douglas–Peucker tolerance in drawing units: under a pixel on a phone, and the borders still read at 1280 px.
TOLERANCE = 0.6
# Antarctica hosts no needs and would take a fifth of the height.
LEFT_OUT = {"AQ"}
OUTPUT = Path(__file__).with_name("countries.json")

# Equal Earth (Šavrič, Patterson & Jenny, 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = 2.7206254  # x at longitude 180° on the equator
SCALE = WIDTH / (2 * X_MAX)


def project(longitude: float, latitude: float) -> tuple[float, float]:
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return (x + X_MAX) * SCALE, -y * SCALE


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc's points as (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(arc: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker on the projected points, iterative; the two ends always stay (they are where borders
    meet). Returns the kept points as (longitude, latitude)."""
    points = [project(*point) for point in arc]
    if len(points) < 3:
        return arc
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                d = abs((x2 - x1) * (y1 - py) - (x1 - px) * (y2 - y1)) / length
            else:
                d = math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(arc, keep, strict=True) if kept]


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def cut_at_antimeridian(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring crossing the 180th meridian (Russia's Chukotka, Fiji) as one ring per side, each closed along the
    meridian: drawn as it is, it would stretch across the whole map."""
    pieces = [[points[0]]]
    for before, point in zip(points, points[1:], strict=False):
        if abs(point[0] - before[0]) > 180:
            side = 180.0 if before[0] > 0 else -180.0
            latitude = _crossing_latitude(before, point)
            pieces[-1].append((side, latitude))
            pieces.append([(-side, latitude), point])
        else:
            pieces[-1].append(point)
    if len(pieces) == 1:
        return pieces
    # The ring's first and last pieces are one, on the same side.
    pieces[0] = pieces.pop() + pieces[0][1:]
    closed = []
    for piece in pieces:
        # Back along the meridian, in steps of two degrees so that the projected edge curves.
        side, end, begin = piece[-1][0], piece[-1][1], piece[0][1]
        steps = max(1, int(abs(begin - end) / 2))
        closed.append(piece + [(side, end + (begin - end) * k / steps) for k in range(1, steps)])
    return closed


def _crossing_latitude(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    if abs(lon1) == 180:
        return lat1
    if abs(lon2) == 180:
        return lat2
    # The second longitude unwrapped onto the first one's side, then the latitude where the edge meets ±180.
    lon2 = lon2 + 360 if lon1 > 0 else lon2 - 360
    edge = 180.0 if lon1 > 0 else -180.0
    return lat1 + (lat2 - lat1) * (edge - lon1) / (lon2 - lon1)


def projected(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for point in points:
        x, y = project(*point)
        whole = (round(x), round(y))
        if not result or result[-1] != whole:
            result.append(whole)
    if len(result) > 1 and result[0] == result[-1]:
        result.pop()
    return result


def ring_path(points: list[tuple[int, int]]) -> str:
    (x0, y0), *rest = points
    parts = [f"M{x0} {y0}l"]
    previous_x, previous_y = x0, y0
    steps = []
    for x, y in rest:
        steps.append((x - previous_x, y - previous_y))
        previous_x, previous_y = x, y
    # Relative steps, with a space only where the next number does not start with a minus sign.
    text = ""
    for value in (value for step in steps for value in step):
        text += str(value) if not text or value < 0 else f" {value}"
    parts.append(text)
    return "".join(parts) + "z"


def build(source: Path) -> dict:
    topology = json.loads(source.read_text())
    arcs = [simplify(arc, TOLERANCE) for arc in decode_arcs(topology)]
    alpha2 = {f"{numeric:03d}": code for code, (_alpha3, numeric) in ALT_CODES.items() if numeric}
    shapes: dict[str, str] = {}
    unnamed = []
    min_y, max_y = math.inf, -math.inf
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = alpha2.get(geometry.get("id", ""))
        if code in LEFT_OUT:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        paths = []
        for polygon in polygons:
            for ring in polygon:
                for part in cut_at_antimeridian(ring_points(ring, arcs)):
                    points = projected(part)
                    if len(set(points)) < 3:
                        continue  # an island smaller than the drawing's unit
                    min_y = min(min_y, *(y for _x, y in points))
                    max_y = max(max_y, *(y for _x, y in points))
                    paths.append(ring_path(points))
        if not paths:
            continue
        if code:
            shapes[code] = shapes.get(code, "") + "".join(paths)
        else:
            # Territories without an ISO code of their own (Kosovo, Somaliland, Northern Cyprus) are drawn as land.
            unnamed.append("".join(paths))
    return {
        "source": "Natural Earth 1:110m countries (public domain), via world-atlas 2.0.2 (ISC licence)",
        "projection": "Equal Earth",
        "view_box": [0, math.floor(min_y), WIDTH, math.ceil(max_y) - math.floor(min_y)],
        "countries": dict(sorted(shapes.items())),
        "other_land": "".join(unnamed),
    }


if __name__ == "__main__":
    data = build(Path(sys.argv[1]))
    OUTPUT.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(data['countries'])} countries, {OUTPUT.stat().st_size} bytes in {OUTPUT}")
