"""A large real-shaped walking network for the community benchmarks: the central-Beijing road
network (10,166 nodes, OSM 2024, ../shared/data/beijing_network) copied onto a grid of tiles,
each copy shifted by the network's extent plus a 200 m gap, with neighbouring copies stitched
by edges between each boundary node and the nearest node across the gap (like the streets
that leave one district and enter the next). 5 × 8 copies give 406,640 nodes.

Not a benchmark itself: `tiled_beijing()` returns plain arrays (ids, lon, lat, u, v, length).
"""

import csv
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from shoushan.community.access import haversine_m

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "beijing_network"
NODES = DATA / "central_beijing_drive_osmnx2024_nodes.csv"
EDGES = DATA / "central_beijing_drive_osmnx2024_edges.csv"
BAND_DEG = 0.004  # boundary band (~400 m) whose nodes get a stitching edge


def beijing_arrays():
    with open(NODES, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = np.array([int(r["osmid"]) for r in rows], dtype=np.int64)
    lon = np.array([float(r["x"]) for r in rows])
    lat = np.array([float(r["y"]) for r in rows])
    with open(EDGES, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    u = np.array([int(r["u"]) for r in rows], dtype=np.int64)
    v = np.array([int(r["v"]) for r in rows], dtype=np.int64)
    length = np.array([float(r["length"]) for r in rows])
    return ids, lon, lat, u, v, length


def tiled_beijing(tile_rows: int = 8, tile_cols: int = 5):
    ids, lon, lat, u, v, length = beijing_arrays()
    n = len(ids)
    pos = {int(x): i for i, x in enumerate(ids)}
    ui = np.array([pos[int(x)] for x in u])
    vi = np.array([pos[int(x)] for x in v])
    width = lon.max() - lon.min() + 0.0023  # + ~200 m gap
    height = lat.max() - lat.min() + 0.0018
    east = np.flatnonzero(lon > lon.max() - BAND_DEG)
    west = np.flatnonzero(lon < lon.min() + BAND_DEG)
    north = np.flatnonzero(lat > lat.max() - BAND_DEG)
    south = np.flatnonzero(lat < lat.min() + BAND_DEG)
    all_lon, all_lat, all_u, all_v, all_len = [], [], [], [], []

    def stitch(a_band, a_tile, a_shift, b_band, b_tile, b_shift):
        """Edges from each node of band A to its nearest node of band B, straight length."""
        a = np.column_stack([lon[a_band] + a_shift[0], lat[a_band] + a_shift[1]])
        b = np.column_stack([lon[b_band] + b_shift[0], lat[b_band] + b_shift[1]])
        scale = [np.cos(np.radians(lat.mean())), 1]
        _d, k = cKDTree(b * scale).query(a * scale)
        all_u.append(a_band + a_tile * n)
        all_v.append(b_band[k] + b_tile * n)
        all_len.append(haversine_m(a[:, 0], a[:, 1], b[k, 0], b[k, 1]))

    for r in range(tile_rows):
        for c in range(tile_cols):
            t = r * tile_cols + c
            shift = (c * width, r * height)
            all_lon.append(lon + shift[0])
            all_lat.append(lat + shift[1])
            all_u.append(ui + t * n)
            all_v.append(vi + t * n)
            all_len.append(length)
            if c > 0:
                stitch(west, t, shift, east, t - 1, ((c - 1) * width, r * height))
            if r > 0:
                stitch(south, t, shift, north, t - tile_cols, (c * width, (r - 1) * height))
    node_ids = np.arange(n * tile_rows * tile_cols, dtype=np.int64)
    return (
        node_ids,
        np.concatenate(all_lon),
        np.concatenate(all_lat),
        np.concatenate(all_u),
        np.concatenate(all_v),
        np.concatenate(all_len),
    )
