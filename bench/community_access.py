"""All nodes × 10 categories: walking distance from every node of a 406,640-node network to the
nearest facility of each of 10 categories, graph build included, and side by side pandana's
`Network(...)` + `precompute` + `set_pois` + `nearest_pois` on the same network and facilities
with the same maximum distance. Prints one JSON line. Targets (ours): ≤ 5 s, ≤ 2 GB peak RSS,
faster than pandana.

The network is the real central-Beijing road network (10,166 nodes) tiled 5 × 8 and stitched
(see community_tiles.py). Facilities: 10 categories of 200–2,000 each, placed on random nodes
(exactly on them, so that both engines snap them to the same node and need no off-network leg).

Each engine runs in its own fresh process so that its peak RSS (ru_maxrss) is its own.

Usage: .venv/bin/python bench/community_access.py [MAX_DISTANCE_M] [--no-pandana]
(default 2000 m; pandana's build takes minutes on this network, --no-pandana skips it)
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CATEGORIES = 10
SAMPLE = 20_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def prepare(folder: Path) -> Path:
    from community_tiles import tiled_beijing

    node_ids, lon, lat, u, v, length = tiled_beijing()
    rng = np.random.default_rng(5)
    f_node, f_cat = [], []
    for c in range(CATEGORIES):
        count = int(rng.integers(200, 2001))
        f_node.append(rng.choice(len(node_ids), count, replace=False))
        f_cat.append(np.full(count, c))
    path = folder / "input.npz"
    np.savez(
        path, node_ids=node_ids, lon=lon, lat=lat, u=u, v=v, length=length,
        f_node=np.concatenate(f_node), f_cat=np.concatenate(f_cat),
        sample=rng.choice(len(node_ids), SAMPLE, replace=False),
    )  # fmt: skip
    return path


def run_ours(path: Path, max_m: float) -> dict:
    from shoushan.community.access import Facility, all_nodes_nearest, network_from_arrays

    data = np.load(path)
    lon, lat = data["lon"], data["lat"]
    facilities = [
        Facility(f"f{i}", f"c{c:02d}", float(lon[n]), float(lat[n]))
        for i, (n, c) in enumerate(zip(data["f_node"], data["f_cat"], strict=True))
    ]
    start = time.perf_counter()
    network = network_from_arrays(data["node_ids"], lon, lat, data["u"], data["v"], data["length"])
    built = time.perf_counter()
    nodes = all_nodes_nearest(network, facilities)
    done = time.perf_counter()
    limited = all_nodes_nearest(network, facilities, limit_m=max_m)
    limited_done = time.perf_counter()
    np.save(path.with_name("ours.npy"), limited.distance_m[data["sample"]])
    return {
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "facilities": len(facilities),
        "build_s": round(built - start, 3),
        "nearest_s": round(done - built, 3),
        "total_s": round(done - start, 3),
        "nearest_limited_s": round(limited_done - done, 3),
        "unreachable_cells": int(np.isinf(nodes.distance_m).sum()),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def run_pandana(path: Path, max_m: float) -> dict:
    try:
        import pandana
        import pandas as pd
    except ImportError:
        return {"available": False}
    data = np.load(path)
    lon, lat = data["lon"], data["lat"]
    nodes = pd.Index(data["node_ids"])
    start = time.perf_counter()
    network = pandana.Network(
        pd.Series(lon, index=nodes),
        pd.Series(lat, index=nodes),
        pd.Series(data["u"]),
        pd.Series(data["v"]),
        pd.DataFrame({"length": data["length"]}),
        twoway=True,
    )
    built = time.perf_counter()
    network.precompute(max_m)
    precomputed = time.perf_counter()
    distance = np.empty((len(lon), CATEGORIES))
    for c in range(CATEGORIES):
        at = data["f_node"][data["f_cat"] == c]
        network.set_pois(f"c{c:02d}", max_m, 1, pd.Series(lon[at]), pd.Series(lat[at]))
        result = network.nearest_pois(max_m, f"c{c:02d}", num_pois=1)
        distance[:, c] = result[1].to_numpy()
    done = time.perf_counter()
    distance[distance >= max_m] = np.inf  # pandana reports "none within max" as max_m
    np.save(path.with_name("pandana.npy"), distance[data["sample"]])
    return {
        "available": True,
        "version": pandana.__version__,
        "build_s": round(built - start, 3),
        "precompute_s": round(precomputed - built, 3),
        "pois_s": round(done - precomputed, 3),
        "total_s": round(done - start, 3),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def _child(engine: str, path: Path, max_m: float) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--engine", engine, str(path), str(max_m)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--engine":
        engine, path, max_m = sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
        print(json.dumps((run_ours if engine == "ours" else run_pandana)(path, max_m)))
        return
    args = [a for a in sys.argv[1:] if a != "--no-pandana"]
    max_m = float(args[0]) if args else 2000.0
    with tempfile.TemporaryDirectory() as folder:
        path = prepare(Path(folder))
        ours = _child("ours", path, max_m)
        skip = "--no-pandana" in sys.argv
        theirs = {"available": False, "skipped": True} if skip else _child("pandana", path, max_m)
        agreement = None
        if theirs.get("available"):
            a = np.load(path.with_name("ours.npy"))
            b = np.load(path.with_name("pandana.npy"))
            # pandana rounds/keeps float32 internally: compare to 0.5 m.
            finite = np.isfinite(a) & np.isfinite(b)
            agreement = {
                "cells": int(a.size),
                "same_reachability": float(np.mean(np.isfinite(a) == np.isfinite(b))),
                "within_0_5_m": float(np.mean(np.abs(a[finite] - b[finite]) <= 0.5)),
                "max_abs_diff_m": float(np.abs(a[finite] - b[finite]).max()),
            }
    print(
        json.dumps(
            {
                "bench": "community_access",
                "network": "central Beijing OSM 2024 road network tiled 5x8 and stitched",
                "categories": CATEGORIES,
                "max_distance_m": max_m,
                "ours": ours,
                "pandana": theirs,
                "agreement_on_sample": agreement,
                "targets": {"total_s": 5, "peak_rss_mb": 2048, "faster_than_pandana": True},
                "faster_than_pandana": (
                    ours["total_s"] < theirs["total_s"] if theirs.get("available") else None
                ),
                "machine": f"{platform.machine()} {os.cpu_count()} cores (shared)",
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
