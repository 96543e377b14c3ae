"""Syria's governorates as SVG paths, from OCHA's boundaries (dashboard/data/SOURCES.md).

An equirectangular projection scaled by cos(latitude) at Syria's middle: at this size it is
indistinguishable from a conformal one, and it keeps the arithmetic trivial.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "syria_governorates.geojson"
# the GeoJSON's `name` -> the model's governorate id (params/governorates.toml)
GEOJSON_NAMES = {
    "Damascus": "damascus", "Rural Damascus": "rif_dimashq", "Al-Quneitra": "quneitra",
    "Dara'a": "daraa", "Al-Sweida": "as_suwayda", "Homs": "homs", "Tartous": "tartus",
    "Lattakia": "latakia", "Hama": "hama", "Idleb": "idlib", "Aleppo": "aleppo",
    "Al-Raqqa": "raqqa", "Deir Ez-Zor": "deir_ez_zor", "Al-Hassakeh": "al_hasakah"}
CAPITAL = (36.2913, 33.5138)  # Damascus, lon/lat
PX_PER_DEGREE = 92.0
MARGIN = 8.0


@dataclass(frozen=True)
class Shape:
    path: str  # SVG path data
    box: tuple[float, float, float, float]  # x, y, width, height
    label_at: tuple[float, float]


@dataclass(frozen=True)
class Outline:
    shapes: dict[str, Shape]  # by governorate id
    width: float
    height: float
    capital: tuple[float, float]


@lru_cache(maxsize=1)
def outline() -> Outline:
    features = json.loads(DATA.read_text(encoding="utf-8"))["features"]
    rings = {GEOJSON_NAMES[f["properties"]["name"]]: [
        ring for polygon in f["geometry"]["coordinates"] for ring in polygon]
        for f in features}
    points = [p for polys in rings.values() for ring in polys for p in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((lat0 + lat1) / 2))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (MARGIN + (lon - lon0) * squeeze * PX_PER_DEGREE,
                MARGIN + (lat1 - lat) * PX_PER_DEGREE)

    shapes = {}
    for name, polys in rings.items():
        projected = [[xy(*p[:2]) for p in ring] for ring in polys]
        path = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z"
                        for ring in projected)
        flat = [p for ring in projected for p in ring]
        xs, ys = [p[0] for p in flat], [p[1] for p in flat]
        box = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        label = _centroid(max(projected, key=len))
        shapes[name] = Shape(path=path, box=box, label_at=label)
    width, height = xy(lon1, lat0)
    return Outline(shapes=shapes, width=width + MARGIN, height=height + MARGIN,
                   capital=xy(*CAPITAL))


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The area centroid of a closed ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)
