"""The accessibility engine on hand-made networks whose answers can be worked out on paper."""

import heapq
import io
import math

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from shoushan.community.access import (
    AccessInputError,
    Facility,
    Origin,
    all_nodes_nearest,
    coverage,
    facilities_from_csv,
    greedy_sites,
    haversine_m,
    nearest_facilities,
    network_from_arrays,
    network_from_tables,
    origins_from_arrays,
    origins_from_csv,
    snap,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; pages are tested in the clerk's language."""
    with translation.override("en"):
        yield


# At the equator one thousandth of a degree of longitude is ~111.2 m.
STEP = float(haversine_m(0, 0, 0.001, 0))


def line_network(n: int = 11, spacing_deg: float = 0.001):
    """Nodes 0..n-1 on the equator, each joined to the next by its true length."""
    ids = np.arange(n)
    lon = ids * spacing_deg
    lat = np.zeros(n)
    length = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return network_from_arrays(ids, lon, lat, ids[:-1], ids[1:], length)


def test_parallel_edges_reduced_to_shortest_and_self_loops_dropped():
    net = network_from_arrays(
        [10, 20, 30],
        [0, 0.001, 0.002],
        [0, 0, 0],
        u=[10, 20, 10, 30, 30],
        v=[20, 10, 10, 20, 20],
        length_m=[120, 90, 5, 300, 250],
    )
    assert net.n_edges == 2
    dense = net.graph.toarray()
    assert dense[0, 1] == dense[1, 0] == 90
    assert dense[1, 2] == dense[2, 1] == 250
    assert dense[0, 0] == 0 and net.graph[0, 0] == 0


def test_zero_length_edges_are_kept():
    # Two nodes at the same place joined by a zero-length edge: still connected.
    net = network_from_arrays([1, 2, 3], [0, 0, 0.001], [0, 0, 0], [1, 2], [2, 3], [0.0, 100.0])
    result = nearest_facilities(net, [Facility("f", "x", 0.001, 0)], [Origin("o", 0, 0)])
    assert result.distance_m[0, 0] == pytest.approx(100.0)


def test_snap_finds_the_nearest_node_and_its_distance():
    net = line_network()
    index, distance = snap(net, [0.0031, 0.0], [0.0, 0.001])
    assert list(index) == [3, 0]
    assert distance[0] == pytest.approx(0.1 * STEP, rel=1e-6)
    assert distance[1] == pytest.approx(float(haversine_m(0, 0, 0, 0.001)), rel=1e-9)


def test_distance_adds_both_straight_legs_and_names_the_nearest_facility():
    net = line_network()
    facilities = [
        Facility("far", "grocery", 0.009, 0),
        Facility("near", "grocery", 0.005, 0.0005),  # 55.6 m off node 5
        Facility("h", "health", 0.0, 0),
    ]
    result = nearest_facilities(net, facilities, [Origin("o", 0.002, 0.0002)], speed_kmh=4)
    assert result.categories == ("grocery", "health")
    off_o = float(haversine_m(0.002, 0.0002, 0.002, 0))
    off_f = float(haversine_m(0.005, 0.0005, 0.005, 0))
    expected = off_o + 3 * STEP + off_f
    assert result.distance_m[0, 0] == pytest.approx(expected, rel=1e-9)
    assert result.facility_ids[0, 0] == "near"
    assert result.minutes[0, 0] == pytest.approx(expected / (4000 / 60))
    assert result.distance_m[0, 1] == pytest.approx(off_o + 2 * STEP, rel=1e-9)
    assert result.facility_ids[0, 1] == "h"


def test_a_closer_facility_off_the_network_can_lose_to_one_on_it():
    # Facility A sits beside node 2 but 300 m off; facility B is on node 4: B is nearer on foot.
    net = line_network()
    a = Facility("A", "x", 0.002, 0.0027)
    b = Facility("B", "x", 0.004, 0)
    result = nearest_facilities(net, [a, b], [Origin("o", 0.002, 0)])
    assert result.facility_ids[0, 0] == "B"
    assert result.distance_m[0, 0] == pytest.approx(2 * STEP)


def test_several_facilities_on_one_node_give_the_smallest_id():
    net = line_network()
    facilities = [Facility(fid, "x", 0.003, 0) for fid in ("c", "a", "b")]
    result = nearest_facilities(net, facilities, [Origin("o", 0, 0)])
    assert result.facility_ids[0, 0] == "a"


def test_unreachable_is_nan_and_none():
    # Node 3 is on an island.
    net = network_from_arrays([1, 2, 3], [0, 0.001, 0.01], [0, 0, 0], [1], [2], [111.0])
    facilities = [Facility("f", "x", 0.001, 0)]
    result = nearest_facilities(
        net, facilities, [Origin("near", 0, 0), Origin("island", 0.01, 0)], categories=["x", "y"]
    )
    assert result.distance_m[0, 0] == pytest.approx(111.0)
    assert math.isnan(result.distance_m[1, 0]) and math.isnan(result.minutes[1, 0])
    assert result.facility_ids[1, 0] is None
    assert np.isnan(result.distance_m[:, 1]).all()  # no facility of category y at all
    assert list(result.facility_ids[:, 1]) == [None, None]


def test_all_nodes_nearest_respects_the_limit():
    net = line_network()
    nodes = all_nodes_nearest(net, [Facility("f", "x", 0, 0)], limit_m=2.5 * STEP)
    assert np.isfinite(nodes.distance_m[:3, 0]).all()
    assert np.isinf(nodes.distance_m[3:, 0]).all()
    assert list(nodes.facility[:, 0]) == [0, 0, 0] + [-1] * 8


def _coverage_fixture():
    """Four origins on nodes 0, 2, 5, 9 (weights 1, 2, 3, 4); grocery at node 0, health at 9.
    At 100 m/min (6 km/h) one step is ~1.11 minutes."""
    net = line_network()
    facilities = [Facility("g", "grocery", 0, 0), Facility("h", "health", 0.009, 0)]
    origins = [
        Origin("a", 0, 0, 1),
        Origin("b", 0.002, 0, 2),
        Origin("c", 0.005, 0, 3),
        Origin("d", 0.009, 0, 4),
    ]
    return nearest_facilities(net, facilities, origins, speed_kmh=6)


def test_coverage_shares_of_origins_and_weight():
    result = _coverage_fixture()
    # Steps to grocery: a 0, b 2, c 5, d 9; to health: a 9, b 7, c 4, d 0.
    report = coverage(result, minutes=(3, 6, 11))
    three, six, eleven = report.levels
    assert three.category_share_origins == {"grocery": 0.5, "health": 0.25}
    assert three.category_share_weight == {"grocery": 0.3, "health": 0.4}
    assert three.share_origins == 0 and three.share_weight == 0
    assert three.missing(0) == ("health",) and three.missing(2) == ("grocery", "health")
    # 6 minutes = 600 m = 5.4 steps: c reaches both (5 and 4 steps).
    assert six.share_origins == 0.25 and six.share_weight == pytest.approx(0.3)
    assert six.missing_all() == [("health",), ("health",), (), ("grocery",)]
    assert eleven.share_origins == 1 and eleven.share_weight == 1
    # Required categories and explicit weights.
    only_grocery = coverage(result, [1, 1, 1, 1], minutes=(6,), required=["grocery"]).levels[0]
    assert only_grocery.share_origins == 0.75 and only_grocery.share_weight == 0.75


def test_coverage_counts_unreachable_as_missing():
    net = network_from_arrays([1, 2, 3], [0, 0.001, 0.01], [0, 0, 0], [1], [2], [100.0])
    result = nearest_facilities(
        net, [Facility("f", "x", 0.001, 0)], [Origin("a", 0, 0, 3), Origin("b", 0.01, 0, 1)]
    )
    level = coverage(result, minutes=(15,)).levels[0]
    assert level.share_origins == 0.5 and level.share_weight == 0.75
    assert level.missing(1) == ("x",)


def test_greedy_sites_finds_the_known_optimum():
    # Origins on every node; at 100 m/min and 1.5 minutes a site covers itself and both
    # neighbours (1.11 minutes away) but not two steps (2.22 minutes).
    net = line_network()
    weights = [0, 4, 4, 4, 0, 1, 7, 1, 0, 0, 0]
    origins = origins_from_arrays(
        [f"o{i}" for i in range(11)], np.arange(11) * 0.001, np.zeros(11), weights
    )
    result = nearest_facilities(net, [], origins, speed_kmh=6, categories=["x"])
    picks = greedy_sites(net, result, "x", 3, minutes=1.5)
    assert [(p.node_id, p.gain, p.cumulative) for p in picks] == [(2, 12, 12), (6, 9, 21)]
    assert picks[0].origins_covered == 3 and picks[0].lon == pytest.approx(0.002)
    # Restricted candidates: node 2 is not allowed, so 1 and 3 (each 8) compete with 6 (9).
    picks = greedy_sites(net, result, "x", 2, minutes=1.5, candidates=[1, 3, 6, 7])
    assert [(p.node_id, p.gain) for p in picks] == [(6, 9), (1, 8)]


def test_greedy_sites_ignores_origins_already_covered():
    net = line_network()
    weights = [0, 4, 4, 4, 0, 1, 7, 1, 0, 0, 0]
    origins = origins_from_arrays(
        [f"o{i}" for i in range(11)], np.arange(11) * 0.001, np.zeros(11), weights
    )
    # An existing facility at node 6 already serves 5, 6, 7.
    result = nearest_facilities(net, [Facility("f", "x", 0.006, 0)], origins, speed_kmh=6)
    picks = greedy_sites(net, result, "x", 5, minutes=1.5)
    assert [(p.node_id, p.gain) for p in picks] == [(2, 12)]


def test_network_tables_read_and_validate():
    nodes = "id,lon,lat\n1,116.30,39.90\n2,116.301,39.90\n3,116.302,39.90\n"
    edges = "u,v,length_m\n1,2,85.2\n2,3,90\n2,1,80\n"
    net = network_from_tables(io.StringIO(nodes), io.StringIO(edges))
    assert net.n_nodes == 3 and net.n_edges == 2
    assert net.graph[0, 1] == 80

    def error(nodes_text, edges_text):
        with pytest.raises(AccessInputError) as info:
            network_from_tables(io.StringIO(nodes_text), io.StringIO(edges_text))
        return str(info.value)

    assert "missing column(s) lat" in error("id,lon\n1,116\n", edges)
    assert "missing column(s) length_m" in error(nodes, "u,v,length\n1,2,3\n")
    assert "row 3: node 9 is not in the nodes table" in error(nodes, "u,v,length_m\n1,2,3\n9,2,1\n")
    assert "row 2: length_m must be a number ≥ 0" in error(nodes, "u,v,length_m\n1,2,-3\n")
    assert "row 3: length_m must be a number ≥ 0, not 'nan'" in error(
        nodes, "u,v,length_m\n1,2,3\n2,3,nan\n"
    )
    assert "row 2: length_m is not a valid number: ''" in error(nodes, "u,v,length_m\n1,2,\n")
    assert "row 3: lon is not a valid number: 'abc'" in error(
        "id,lon,lat\n1,116,39\n2,abc,39\n", edges
    )
    assert "row 3: node 1 appears twice" in error("id,lon,lat\n1,116,39\n1,116,39\n", edges)
    assert "row 2: coordinates out of range" in error("id,lon,lat\n1,39,116\n", edges)


def test_facility_and_origin_tables_validate():
    facilities = facilities_from_csv(io.StringIO("id,category,lon,lat\nf1,health,116.3,39.9\n"))
    assert facilities == [Facility("f1", "health", 116.3, 39.9)]
    origins = origins_from_csv(io.StringIO("id,lon,lat\na,116.3,39.9\n"))
    assert list(origins.weight) == [1.0]

    with pytest.raises(AccessInputError, match="row 3: facility f1 appears twice"):
        facilities_from_csv(
            io.StringIO("id,category,lon,lat\nf1,health,116.3,39.9\nf1,health,116.3,39.9\n")
        )
    with pytest.raises(AccessInputError, match="missing column"):
        facilities_from_csv(io.StringIO("id,lon,lat\nf1,116.3,39.9\n"))
    with pytest.raises(AccessInputError, match="row 2: coordinates out of range or negative"):
        origins_from_csv(io.StringIO("id,lon,lat,weight\na,116.3,39.9,-5\n"))
    with pytest.raises(AccessInputError, match="row 3: origin a appears twice"):
        origins_from_csv(io.StringIO("id,lon,lat\na,116.3,39.9\na,116.3,39.9\n"))
    with pytest.raises(AccessInputError, match="row 2: weight is not a valid number"):
        origins_from_csv(io.StringIO("id,lon,lat,weight\na,116.3,39.9,many\n"))


def test_speed_must_be_positive():
    net = line_network()
    with pytest.raises(AccessInputError, match="walking speed"):
        nearest_facilities(net, [], [Origin("o", 0, 0)], speed_kmh=0)


def test_row_numbers_count_blank_lines_and_encoding_is_checked():
    with pytest.raises(AccessInputError, match="row 4: lon is not a valid number"):
        origins_from_csv(io.StringIO("id,lon,lat\na,116.3,39.9\n\nb,x,39.9\n\n"))
    with pytest.raises(AccessInputError, match="not a UTF-8 CSV file"):
        origins_from_csv(io.BytesIO("id,lon,lat\n甲,116.3,39.9\n".encode("gbk")))
    assert len(origins_from_csv(io.BytesIO(b"\xef\xbb\xbfid,lon,lat\na,116.3,39.9\n\n"))) == 1


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 25),
    edges=st.lists(
        st.tuples(
            st.integers(0, 24), st.integers(0, 24), st.sampled_from([0.0, 1.0, 2.5, 7.0, 40.0])
        ),
        max_size=60,
    ),
    sources=st.lists(st.tuples(st.integers(0, 24), st.sampled_from(["a", "b"])), max_size=6),
)
def test_nearest_matches_a_plain_dijkstra_on_random_graphs(n, edges, sources):
    edges = [(u % n, v % n, w) for u, v, w in edges]
    sources = [(x % n, c) for x, c in sources]
    lon = np.arange(n) * 0.001
    net = network_from_arrays(
        np.arange(n) + 100,
        lon,
        np.zeros(n),
        [u + 100 for u, _v, _w in edges],
        [v + 100 for _u, v, _w in edges],
        [w for _u, _v, w in edges],
    )
    facilities = [Facility(f"f{k}", c, float(lon[x]), 0.0) for k, (x, c) in enumerate(sources)]
    nodes = all_nodes_nearest(net, facilities, categories=["a", "b"])
    adj: dict[int, dict[int, float]] = {}
    for u, v, w in edges:
        if u != v and w < adj.get(u, {}).get(v, math.inf):
            adj.setdefault(u, {})[v] = w
            adj.setdefault(v, {})[u] = w
    for j, category in enumerate(["a", "b"]):
        starts = [x for x, c in sources if c == category]
        dist = dict.fromkeys(starts, 0.0)
        heap = [(0.0, x) for x in starts]
        while heap:
            d, x = heapq.heappop(heap)
            if d > dist[x]:
                continue
            for y, w in adj.get(x, {}).items():
                if d + w < dist.get(y, math.inf):
                    dist[y] = d + w
                    heapq.heappush(heap, (d + w, y))
        expected = np.array([dist.get(i, math.inf) for i in range(n)])
        assert np.allclose(nodes.distance_m[:, j], expected)
        reached = np.isfinite(expected)
        assert (nodes.facility[reached, j] >= 0).all() and (nodes.facility[~reached, j] == -1).all()
