"""Plausible demo geometry (pure; no Django import). No official community polygons of Beijing
are public, so the demo city cuts each district into Voronoi cells around its communities'
points and splits each cell into comprehensive grids. Everything made here is marked generated
by the caller."""

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from shoushan.grid.geometry import area_m2


def _to_local(lat0: float):
    """An equirectangular projection around `lat0`: metres are about equal in x and y, which is
    enough for Voronoi cells and lattices a few kilometres across."""
    k = math.cos(math.radians(lat0))

    def forward(coords):
        return np.column_stack([coords[:, 0] * k, coords[:, 1]])

    def backward(coords):
        return np.column_stack([coords[:, 0] / k, coords[:, 1]])

    return forward, backward


def voronoi_cells(points: Sequence[tuple[float, float]], clip: BaseGeometry) -> list[BaseGeometry]:
    """One cell per point (same order), the cells tiling `clip`. Points sharing a position
    share their cell's area equally by a split along longitude."""
    forward, backward = _to_local(clip.centroid.y)
    local_clip = shapely.transform(clip, forward)
    xy = forward(np.asarray(points, dtype=float))
    unique, inverse = np.unique(np.round(xy, 9), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if len(unique) == 1:
        cells_by_site = [local_clip]
    else:
        diagram = shapely.voronoi_polygons(MultiPoint(unique), extend_to=local_clip.envelope)
        parts = list(diagram.geoms)
        tree = shapely.STRtree(parts)
        cells_by_site = []
        for site in shapely.points(unique):
            hits = tree.query(site, predicate="intersects")
            cell = parts[int(hits[0])] if len(hits) else site.buffer(1e-6)
            cells_by_site.append(cell.intersection(local_clip))
    cells: list[BaseGeometry] = [Polygon()] * len(points)
    for site, members in _group(inverse).items():
        shares = _split_evenly(cells_by_site[site], len(members))
        for member, share in zip(members, shares, strict=True):
            cells[member] = shapely.transform(share, backward)
    return cells


def _group(inverse: np.ndarray) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, site in enumerate(inverse.tolist()):
        groups.setdefault(site, []).append(index)
    return groups


def _split_evenly(polygon: BaseGeometry, n: int) -> list[BaseGeometry]:
    if n == 1 or polygon.is_empty:
        return [polygon] * n if n == 1 else [polygon] + [Polygon()] * (n - 1)
    minx, miny, maxx, maxy = polygon.bounds
    width = (maxx - minx) / n
    return [
        polygon.intersection(box(minx + i * width, miny, minx + (i + 1) * width, maxy))
        for i in range(n)
    ]


def split_into_grids(
    polygon: BaseGeometry, *, target_m2: float, max_grids: int = 12
) -> list[BaseGeometry]:
    """Cut a community into roughly equal grids on a square lattice; slivers join the piece they
    touch most, so the grids still tile the community exactly."""
    if polygon.is_empty:
        return []
    total = area_m2(polygon)
    n = max(1, min(max_grids, round(total / target_m2)))
    if n == 1:
        return [polygon]
    forward, backward = _to_local(polygon.centroid.y)
    local = shapely.transform(polygon, forward)
    side = math.sqrt(local.area / n)
    minx, miny, maxx, maxy = local.bounds
    pieces = []
    for x in np.arange(minx, maxx, side):
        for y in np.arange(miny, maxy, side):
            piece = local.intersection(box(x, y, x + side, y + side))
            if not piece.is_empty and piece.area > 0:
                pieces.append(piece)
    small = side * side * 0.25
    big = [p for p in pieces if p.area >= small] or [max(pieces, key=lambda p: p.area)]
    for sliver in (p for p in pieces if p.area < small and p not in big):
        touching = max(
            range(len(big)),
            key=lambda i: (
                big[i].boundary.intersection(sliver).length
                if big[i].distance(sliver) < 1e-12
                else -big[i].distance(sliver)
            ),
        )
        big[touching] = unary_union([big[touching], sliver])
    return [shapely.transform(p, backward) for p in big]


def jitter(lon: float, lat: float, seed: int, radius_m: float = 300.0) -> tuple[float, float]:
    """A deterministic point within `radius_m` of (lon, lat), for places without a point."""
    rng = np.random.default_rng(seed)
    angle, r = rng.uniform(0, 2 * math.pi), radius_m * math.sqrt(rng.uniform(0.05, 1))
    d_lat = r * math.sin(angle) / 111_320
    d_lon = r * math.cos(angle) / (111_320 * math.cos(math.radians(lat)))
    return lon + d_lon, lat + d_lat
