"""Grid geometry (pure; no Django import): validating polygons, measuring them, numbering them,
finding overlaps, and locating points to grids fast.

Coordinates are WGS84 longitude/latitude. Areas are geodesic (pyproj's Geod on the WGS84
ellipsoid), so they are right in square metres anywhere.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

_GEOD = Geod(ellps="WGS84")
BEIJING_BOUNDS = (115.4, 39.4, 117.6, 41.1)  # lon/lat box around the city, with a margin


def area_m2(geometry: BaseGeometry) -> float:
    area, _perimeter = _GEOD.geometry_area_perimeter(geometry)
    return abs(area)


@dataclass(frozen=True)
class FeatureProblem:
    index: int
    reason: str


def polygon_problems(geometry: dict) -> list[str]:
    """Why a GeoJSON geometry cannot be a grid: empty list when it can."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        return [f"geometry must be a Polygon or MultiPolygon, not {kind!r}"]
    rings = _rings(geometry)
    if not rings:
        return ["the geometry has no positions"]
    if not all(isinstance(ring, list | tuple) and all(map(_is_position, ring)) for ring in rings):
        return ["positions must be pairs of finite numbers: [longitude, latitude]"]
    problems = []
    for ring in rings:
        if len(ring) < 4:
            problems.append("a ring has fewer than 4 positions")
        elif list(ring[0]) != list(ring[-1]):
            problems.append("a ring is not closed (its last position differs from its first)")
    if problems:
        return problems
    for lon, lat in (p[:2] for ring in rings for p in ring):
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return [f"position ({lon}, {lat}) is not a WGS84 longitude/latitude"]
    polygon = shape(geometry)
    if not polygon.is_valid:
        return [f"invalid polygon: {explain_validity(polygon)}"]
    if polygon.is_empty or area_m2(polygon) <= 0:
        return ["the polygon has no area"]
    return []


def _is_position(position) -> bool:
    return (
        isinstance(position, list | tuple)
        and len(position) >= 2
        and all(
            isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c)
            for c in position
        )
    )


def _rings(geometry: dict) -> list:
    coordinates = geometry.get("coordinates") or []
    try:
        if geometry["type"] == "Polygon":
            return list(coordinates)
        return [ring for polygon in coordinates for ring in polygon]
    except TypeError:
        return []


def overlapping_pairs(
    polygons: Sequence[BaseGeometry], *, tolerance_m2: float
) -> list[tuple[int, int, float]]:
    """(i, j, overlap m²) for every pair whose shared area exceeds the tolerance."""
    if not polygons:
        return []
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    pairs = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            shared = polygons[i].intersection(polygons[j])
            overlap = area_m2(shared) if not shared.is_empty else 0.0
            if overlap > tolerance_m2:
                pairs.append((i, j, overlap))
    return pairs


def reading_order(polygons: Sequence[BaseGeometry]) -> list[int]:
    """Indexes in the order grids are numbered: north to south in rows, west to east in a row.

    Rows are bands as tall as the median grid, so that small wobbles of centroids do not reorder
    grids that sit side by side."""
    if not polygons:
        return []
    centroids = np.array([(p.centroid.x, p.centroid.y) for p in polygons])
    heights = np.array([p.bounds[3] - p.bounds[1] for p in polygons])
    band = float(np.median(heights)) or 1e-9
    top = centroids[:, 1].max()
    rows = np.floor((top - centroids[:, 1]) / band + 0.5).astype(int)
    return sorted(range(len(polygons)), key=lambda i: (rows[i], centroids[i, 0]))


class PointLocator:
    """Locates many points to polygons at once with an STRtree (shapely 2, vectorised)."""

    def __init__(self, polygons: Sequence[BaseGeometry]) -> None:
        self.polygons = list(polygons)
        self.tree = shapely.STRtree(self.polygons)

    def locate(self, lons, lats) -> np.ndarray:
        """For each point, the index of a polygon that covers it, or -1."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        found = np.full(len(points), -1, dtype=np.int64)
        point_idx, polygon_idx = self.tree.query(points, predicate="intersects")
        # A point on a shared edge belongs to the lower-numbered polygon: last write wins, so
        # write in descending polygon order.
        order = np.argsort(-polygon_idx, kind="stable")
        found[point_idx[order]] = polygon_idx[order]
        return found

    def locate_one(self, lon: float, lat: float) -> int:
        return int(self.locate([lon], [lat])[0])


def as_polygon(geometry: dict) -> Polygon | MultiPolygon:
    return shape(geometry)


def as_geojson(geometry: BaseGeometry, decimals: int = 7) -> dict:
    """GeoJSON with coordinates rounded (7 decimals of a degree is about 1 cm)."""
    return mapping(shapely.transform(geometry, lambda coords: np.round(coords, decimals)))
