"""Walking accessibility: the 15-minute community service circle (一刻钟社区服务圈).

A pure engine (numpy, scipy; no Django). A walking network is an undirected graph of nodes with
WGS84 coordinates and edges with lengths in metres. Facilities (设施) and origins (community
points, residential buildings or population points, with weights) are snapped to their nearest
network node. For every category, ONE multi-source Dijkstra from all the facilities of that
category gives the walking distance from every node to its nearest facility, and which one; the
origins then read their node's value.

Distances count the whole walk: origin → its snapped node (straight line), along the network,
then snapped node → facility (straight line). Both straight legs are added because a facility
100 m off the network is 100 m further away; leaving them out would flatter sparse networks.

Messages for people go through `_`, a translator hook the web application or the command
installs (`translator_install(gettext)`), so that they reach the user in their language.
"""

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_SPEED_KMH = 4.0
LIFE_CIRCLE_MINUTES = (5, 10, 15)  # GB 50180-2018's 5-, 10- and 15-minute life circles

_translator: Callable[[str], str] = str


def translator_install(translate: Callable[[str], str]) -> None:
    """Install the function that translates messages (Django's gettext in the application)."""
    global _translator
    _translator = translate


def _(message: str) -> str:
    return _translator(message)


class AccessInputError(ValueError):
    """Input a person must fix (a bad table row, an unknown node...), in plain words."""


# ---------------------------------------------------------------------------------------------
# Geometry


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres, vectorised."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _project(lon, lat, lon0: float, lat0: float) -> np.ndarray:
    """Equirectangular projection around (lon0, lat0) in metres: at city scale (tens of km) its
    error is well under 1 %, enough to find the nearest node; snap distances are then measured
    by haversine."""
    k = math.radians(1) * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * k * math.cos(math.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return np.column_stack([x, y])


# ---------------------------------------------------------------------------------------------
# Network


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected walking network. `graph` is a symmetric CSR matrix of edge lengths in
    metres (both directions stored, so Dijkstra runs with directed=True and scipy need not build
    the transpose on every call); `tree` indexes the nodes in metres around `centre`."""

    node_ids: np.ndarray  # int64, one per node
    lon: np.ndarray
    lat: np.ndarray
    graph: sp.csr_matrix
    tree: cKDTree
    centre: tuple[float, float]  # lon, lat of the projection origin

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Undirected edges after reduction."""
        return self.graph.nnz // 2

    def node_index(self, node_ids: Iterable[int]) -> np.ndarray:
        """Positions of the given node ids; AccessInputError names the first unknown id."""
        return _positions(self.node_ids, node_ids)


def _positions(node_ids: np.ndarray, wanted) -> np.ndarray:
    """Positions in `node_ids` of the `wanted` ids, vectorised (sort once, binary search)."""
    wanted = np.asarray(wanted if isinstance(wanted, np.ndarray) else list(wanted), np.int64)
    order = np.argsort(node_ids, kind="stable")
    pos = np.minimum(np.searchsorted(node_ids, wanted, sorter=order), len(order) - 1)
    found = order[pos]
    bad = node_ids[found] != wanted
    if np.any(bad):
        unknown = int(wanted[np.argmax(bad)])
        raise AccessInputError(_("Unknown network node %(node)s.") % {"node": unknown})
    return found


def _csr(rows, cols, data, n: int) -> sp.csr_matrix:
    """CSR matrix from (row, col, value) triples with no repeated (row, col). Built through COO,
    whose conversion keeps explicit zeros: a zero-length edge (two nodes at the same place, a
    facility exactly on its node) is a real edge, and sparse arithmetic would drop it."""
    data = np.asarray(data, dtype=np.float64)
    return sp.coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()


def _edges(graph: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, lengths) of every stored entry, zeros included."""
    rows = np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))
    return rows, graph.indices.astype(np.int64), graph.data


def network_from_arrays(node_ids, lon, lat, u, v, length_m) -> WalkNetwork:
    """Build a network from node arrays and edge arrays (u, v are node ids). Edges are
    undirected; self-loops are dropped and, between two nodes, only the shortest edge is kept
    (a street and a parallel footpath between the same two junctions)."""
    node_ids = np.asarray(node_ids, dtype=np.int64)
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    length_m = np.asarray(length_m, dtype=np.float64)
    n = len(node_ids)
    if not (len(lon) == len(lat) == n):
        raise AccessInputError(_("Node ids and coordinates differ in length."))
    if n == 0:
        raise AccessInputError(_("The network has no nodes."))
    if len(np.unique(node_ids)) != n:
        raise AccessInputError(_("Node ids are not unique."))
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise AccessInputError(_("A node has no valid coordinates."))
    if not (len(u) == len(v) == len(length_m)):
        raise AccessInputError(_("Edge arrays differ in length."))
    if np.any(~np.isfinite(length_m) | (length_m < 0)):
        raise AccessInputError(_("An edge length is negative or missing."))
    ends = _positions(node_ids, np.concatenate([np.asarray(u), np.asarray(v)]))
    a, b = ends[: len(length_m)], ends[len(length_m) :]
    keep = a != b
    a, b, w = a[keep], b[keep], length_m[keep]
    # Shortest edge per node pair: group the pairs (one integer key each) and take the minimum.
    key = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    order = np.argsort(key)
    key, w = key[order], w[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else key
    w = np.minimum.reduceat(w, starts) if len(key) else w
    lo, hi = key[starts] // n, key[starts] % n
    graph = _csr(np.concatenate([lo, hi]), np.concatenate([hi, lo]), np.concatenate([w, w]), n)
    centre = (float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2))
    tree = cKDTree(_project(lon, lat, *centre))
    return WalkNetwork(node_ids, lon, lat, graph, tree, centre)


@dataclass(frozen=True)
class _Table:
    """A CSV read into columns of strings, with each row's number in the file (header = 1)."""

    name: str
    columns: dict[str, list[str]]
    numbers: list[int]

    def __getitem__(self, column: str) -> list[str]:
        return self.columns[column]

    def __contains__(self, column: str) -> bool:
        return column in self.columns

    def at(self, i: int) -> dict:
        """Message parameters naming the file and the row of record i."""
        return {"file": self.name, "row": self.numbers[i]}


def _read_table(source, required: Sequence[str], what: str) -> _Table:
    """Read a CSV (path or file-like); blank lines are skipped but still counted."""
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", what)
    try:
        if isinstance(source, str | Path):
            with open(source, newline="", encoding="utf-8-sig") as f:
                text = f.read()
        else:
            text = source.read()
            text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
            text = text.removeprefix("\ufeff")
    except FileNotFoundError:
        raise AccessInputError(_("%(file)s: file not found") % {"file": name}) from None
    except UnicodeDecodeError:
        raise AccessInputError(_("%(file)s: not a UTF-8 CSV file") % {"file": name}) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise AccessInputError(
            _("%(file)s: missing column(s) %(columns)s")
            % {"file": name, "columns": ", ".join(missing)}
        )
    numbered = [(n, r) for n, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    columns = {
        column: [r[j].strip() if j < len(r) else "" for _n, r in numbered]
        for j, column in reversed(list(enumerate(header)))  # a repeated name: the first wins
    }
    return _Table(name, columns, [n for n, _r in numbered])


def _numbers(table: _Table, column: str, *, integer: bool = False) -> np.ndarray:
    """Parse a column at numpy speed; on failure find the first bad row (header = row 1)."""
    values = table[column]
    dtype = np.int64 if integer else np.float64
    try:
        parsed = np.array(values, dtype=dtype) if values else np.empty(0, dtype)
        if not integer and not np.isfinite(parsed).all():
            raise ValueError
        return parsed
    except (ValueError, OverflowError):
        for i, value in enumerate(values):
            try:
                number = int(value) if integer else float(value)
                if not integer and not math.isfinite(number):
                    raise ValueError
            except (ValueError, OverflowError):
                raise AccessInputError(
                    _("%(file)s, row %(row)d: %(column)s is not a valid number: '%(value)s'")
                    % {**table.at(i), "column": column, "value": value}
                ) from None
        raise


def network_from_tables(nodes_csv, edges_csv) -> WalkNetwork:
    """Build a network from `nodes.csv` (id,lon,lat) and `edges.csv` (u,v,length_m), each a
    path or a file-like object. Errors name the file and row (header = row 1)."""
    nodes = _read_table(nodes_csv, ("id", "lon", "lat"), "nodes.csv")
    edges = _read_table(edges_csv, ("u", "v", "length_m"), "edges.csv")
    node_ids = _numbers(nodes, "id", integer=True)
    lon = _numbers(nodes, "lon")
    lat = _numbers(nodes, "lat")
    bad = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if np.any(bad):
        raise AccessInputError(
            _("%(file)s, row %(row)d: coordinates out of range") % nodes.at(int(np.argmax(bad)))
        )
    uniq, counts = np.unique(node_ids, return_counts=True)
    if np.any(counts > 1):
        duplicate = uniq[counts > 1][0]
        row = nodes.at(int(np.flatnonzero(node_ids == duplicate)[1]))
        raise AccessInputError(
            _("%(file)s, row %(row)d: node %(node)s appears twice")
            % {**row, "node": int(duplicate)}
        )
    u = _numbers(edges, "u", integer=True)
    v = _numbers(edges, "v", integer=True)
    try:
        length = np.array(edges["length_m"], dtype=np.float64)
    except ValueError:
        length = _numbers(edges, "length_m")
    bad = ~np.isfinite(length) | (length < 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise AccessInputError(
            _("%(file)s, row %(row)d: length_m must be a number ≥ 0, not '%(value)s'")
            % {**edges.at(i), "value": edges["length_m"][i]}
        )
    known = np.isin(u, uniq) & np.isin(v, uniq)
    if not known.all():
        i = int(np.argmax(~known))
        node = int(u[i]) if u[i] not in uniq else int(v[i])
        raise AccessInputError(
            _("%(file)s, row %(row)d: node %(node)s is not in the nodes table")
            % {**edges.at(i), "node": node}
        )
    return network_from_arrays(node_ids, lon, lat, u, v, length)


def snap(network: WalkNetwork, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node (position in the network) of each point and the straight-line distance to
    it in metres."""
    lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    if len(lon) == 0:
        return np.empty(0, np.int64), np.empty(0)
    _distance, index = network.tree.query(_project(lon, lat, *network.centre), workers=-1)
    index = index.astype(np.int64)
    return index, haversine_m(lon, lat, network.lon[index], network.lat[index])


# ---------------------------------------------------------------------------------------------
# Facilities and origins


@dataclass(frozen=True)
class Facility:
    """A service facility (社区服务设施) of one category; name, hours and provider are optional
    and only carried along (OSM import fills them)."""

    id: str
    category: str
    lon: float
    lat: float
    name: str = ""
    hours: str = ""
    provider: str = ""


@dataclass(frozen=True)
class Origin:
    """A place people walk from: a community point, a building, a population point."""

    id: str
    lon: float
    lat: float
    weight: float = 1.0


@dataclass(frozen=True, eq=False)
class Origins:
    """Many origins as arrays (a million points do not fit comfortably in dataclasses)."""

    ids: np.ndarray  # object/str array
    lon: np.ndarray
    lat: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def origins_from_arrays(ids, lon, lat, weight=None) -> Origins:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    weight = np.ones(len(lon)) if weight is None else np.asarray(weight, dtype=np.float64)
    ids = np.asarray(ids, dtype=object)
    if not (len(ids) == len(lon) == len(lat) == len(weight)):
        raise AccessInputError(_("Origin ids, coordinates and weights differ in length."))
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise AccessInputError(_("An origin has no valid coordinates."))
    if np.any(~np.isfinite(weight) | (weight < 0)):
        raise AccessInputError(_("An origin weight is negative or missing."))
    return Origins(ids, lon, lat, weight)


def _as_origins(origins: "Origins | Sequence[Origin]") -> Origins:
    if isinstance(origins, Origins):
        return origins
    origins = list(origins)
    return origins_from_arrays(
        [o.id for o in origins],
        [o.lon for o in origins],
        [o.lat for o in origins],
        [o.weight for o in origins],
    )


def facilities_from_csv(source) -> list[Facility]:
    """Facilities from a CSV `id,category,lon,lat` (path or file-like)."""
    cols = _read_table(source, ("id", "category", "lon", "lat"), "facilities.csv")
    lon = _numbers(cols, "lon")
    lat = _numbers(cols, "lat")
    seen: set[tuple[str, str]] = set()
    facilities = []
    for i, (fid, category) in enumerate(zip(cols["id"], cols["category"], strict=True)):
        row = cols.at(i)
        if not fid or not category:
            raise AccessInputError(_("%(file)s, row %(row)d: id and category are required") % row)
        if abs(lon[i]) > 180 or abs(lat[i]) > 90:
            raise AccessInputError(_("%(file)s, row %(row)d: coordinates out of range") % row)
        if (fid, category) in seen:
            raise AccessInputError(
                _("%(file)s, row %(row)d: facility %(id)s appears twice") % {**row, "id": fid}
            )
        seen.add((fid, category))
        facilities.append(Facility(fid, category, float(lon[i]), float(lat[i])))
    return facilities


def origins_from_csv(source) -> Origins:
    """Origins from a CSV `id,lon,lat[,weight]` (path or file-like); weight defaults to 1."""
    cols = _read_table(source, ("id", "lon", "lat"), "origins.csv")
    lon = _numbers(cols, "lon")
    lat = _numbers(cols, "lat")
    weight = _numbers(cols, "weight") if "weight" in cols else None
    ids = cols["id"]
    for i, oid in enumerate(ids):
        if not oid:
            raise AccessInputError(_("%(file)s, row %(row)d: id is required") % cols.at(i))
    bad = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if weight is not None:
        bad |= weight < 0
    if np.any(bad):
        raise AccessInputError(
            _("%(file)s, row %(row)d: coordinates out of range or negative weight")
            % cols.at(int(np.argmax(bad)))
        )
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for i, oid in enumerate(ids):
            if oid in seen:
                raise AccessInputError(
                    _("%(file)s, row %(row)d: origin %(id)s appears twice")
                    % {**cols.at(i), "id": oid}
                )
            seen.add(oid)
    return origins_from_arrays(ids, lon, lat, weight)


# ---------------------------------------------------------------------------------------------
# Nearest facility per category


@dataclass(frozen=True, eq=False)
class NodeAccess:
    """For every network node and category: distance in metres to the nearest facility
    (inf if none within reach) and that facility's position in `facilities` (-1 if none)."""

    categories: tuple[str, ...]
    distance_m: np.ndarray  # n_nodes × n_categories, float64
    facility: np.ndarray  # n_nodes × n_categories, int64 into `facilities`
    facilities: tuple[Facility, ...]


def all_nodes_nearest(
    network: WalkNetwork,
    facilities: Sequence[Facility],
    *,
    categories: Sequence[str] | None = None,
    limit_m: float = np.inf,
) -> NodeAccess:
    """Distance from every node to the nearest facility of each category, including the
    facility's straight leg from its snapped node. One multi-source Dijkstra per category.

    Each facility becomes a leaf node hanging off its snapped node by an edge as long as the
    snap distance: Dijkstra then starts each facility at its own offset, and the `sources` it
    returns name the facility directly. A leaf has one edge, so no path passes through one."""
    facilities = tuple(facilities)
    if categories is None:
        categories = sorted({f.category for f in facilities})
    categories = tuple(categories)
    n = network.n_nodes
    distance = np.full((n, len(categories)), np.inf)
    nearest = np.full((n, len(categories)), -1, dtype=np.int64)
    if not facilities or not categories:
        return NodeAccess(categories, distance, nearest, facilities)
    f_lon = np.array([f.lon for f in facilities])
    f_lat = np.array([f.lat for f in facilities])
    f_node, f_snap = snap(network, f_lon, f_lat)
    f_cat = np.array([f.category for f in facilities], dtype=object)
    f_id = np.array([f.id for f in facilities], dtype=object)
    # Several facilities of a category on one node: only the one with the shortest straight leg
    # can be nearest (ties: smallest id), so keep it alone and the answer is deterministic.
    keep = np.zeros(len(facilities), dtype=bool)
    order = sorted(range(len(facilities)), key=lambda i: (f_cat[i], f_node[i], f_snap[i], f_id[i]))
    last = None
    for i in order:
        if (f_cat[i], f_node[i]) != last:
            keep[i] = True
            last = (f_cat[i], f_node[i])
    wanted = np.isin(f_cat, np.array(categories, dtype=object)) & keep
    leaf = np.flatnonzero(wanted)  # facility positions that get a leaf node
    m = len(leaf)
    # The network plus one leaf per facility, built directly (see _csr).
    rows, cols, data = _edges(network.graph)
    lo, hi, w = f_node[leaf], n + np.arange(m), f_snap[leaf]
    graph = _csr(
        np.concatenate([rows, lo, hi]),
        np.concatenate([cols, hi, lo]),
        np.concatenate([data, w, w]),
        n + m,
    )
    leaf_cat = f_cat[leaf]
    for j, category in enumerate(categories):
        sources = n + np.flatnonzero(leaf_cat == category)
        if len(sources) == 0:
            continue
        dist, _pred, src = dijkstra(
            graph,
            directed=True,
            indices=sources,
            min_only=True,
            return_predecessors=True,
            limit=limit_m,
        )
        distance[:, j] = dist[:n]
        reached = src[:n] >= 0
        nearest[reached, j] = leaf[src[:n][reached] - n]
    return NodeAccess(categories, distance, nearest, facilities)


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Nearest facility of each category for every origin. `distance_m` and `minutes` are
    n_origins × n_categories, NaN where no facility can be reached; `facility_ids` holds the id
    of the nearest facility or None."""

    origin_ids: np.ndarray
    categories: tuple[str, ...]
    distance_m: np.ndarray
    minutes: np.ndarray
    facility_ids: np.ndarray  # object, n_origins × n_categories
    weights: np.ndarray
    origin_nodes: np.ndarray  # snapped node position per origin
    snap_m: np.ndarray  # straight leg origin → node
    speed_kmh: float

    def column(self, category: str) -> int:
        if category not in self.categories:
            raise AccessInputError(_("Unknown category %(category)s.") % {"category": category})
        return self.categories.index(category)


def metres_per_minute(speed_kmh: float) -> float:
    if not (speed_kmh > 0 and math.isfinite(speed_kmh)):
        raise AccessInputError(_("The walking speed must be a positive number."))
    return speed_kmh * 1000 / 60


def nearest_facilities(
    network: WalkNetwork,
    facilities: Sequence[Facility],
    origins: "Origins | Sequence[Origin]",
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    categories: Sequence[str] | None = None,
    limit_m: float = np.inf,
) -> AccessResult:
    """Walking distance and time from each origin to the nearest facility of each category
    (default: every category present, sorted), with that facility's id."""
    per_minute = metres_per_minute(speed_kmh)
    origins = _as_origins(origins)
    nodes = all_nodes_nearest(network, facilities, categories=categories, limit_m=limit_m)
    o_node, o_snap = snap(network, origins.lon, origins.lat)
    distance = nodes.distance_m[o_node] + o_snap[:, None]
    distance[~np.isfinite(distance)] = np.nan
    index = nodes.facility[o_node]
    ids = np.array([f.id for f in nodes.facilities] + [None], dtype=object)
    facility_ids = ids[index]  # -1 picks the trailing None
    return AccessResult(
        origin_ids=origins.ids,
        categories=nodes.categories,
        distance_m=distance,
        minutes=distance / per_minute,
        facility_ids=facility_ids,
        weights=origins.weight,
        origin_nodes=o_node,
        snap_m=o_snap,
        speed_kmh=speed_kmh,
    )


# ---------------------------------------------------------------------------------------------
# Coverage


@dataclass(frozen=True, eq=False)
class CoverageLevel:
    """Coverage within one walking time. Shares are fractions in [0, 1]; NaN with no origins
    (or no weight)."""

    minutes: float
    share_origins: float  # origins reaching every required category
    share_weight: float  # residents (weights) reaching every required category
    category_share_origins: dict[str, float]
    category_share_weight: dict[str, float]
    within: np.ndarray = field(repr=False)  # n_origins × n_required, bool

    def missing(self, origin: int) -> tuple[str, ...]:
        """Required categories origin number `origin` cannot reach in time."""
        return tuple(
            c for c, ok in zip(self.categories, self.within[origin], strict=True) if not ok
        )

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.category_share_origins)

    def missing_all(self) -> list[tuple[str, ...]]:
        return [self.missing(i) for i in range(len(self.within))]


@dataclass(frozen=True, eq=False)
class Coverage:
    required: tuple[str, ...]
    levels: tuple[CoverageLevel, ...]

    def level(self, minutes: float) -> CoverageLevel:
        for level in self.levels:
            if level.minutes == minutes:
                return level
        raise KeyError(minutes)


def _share(mask: np.ndarray, weights: np.ndarray | None = None) -> float:
    if weights is None:
        return float(mask.mean()) if len(mask) else math.nan
    total = weights.sum()
    return float(weights[mask].sum() / total) if total > 0 else math.nan


def coverage(
    result: AccessResult,
    weights=None,
    *,
    minutes: Sequence[float] = LIFE_CIRCLE_MINUTES,
    required: Sequence[str] | None = None,
) -> Coverage:
    """For each walking time: the share of origins, and of weight (residents), that reach EVERY
    required category (default: all the result's categories) within it, the share per category,
    and which categories each origin misses. Beijing's community rate is `share_origins` with
    the urban communities as origins."""
    weights = result.weights if weights is None else np.asarray(weights, dtype=np.float64)
    if len(weights) != len(result.origin_ids):
        raise AccessInputError(_("There must be one weight per origin."))
    required = tuple(result.categories if required is None else required)
    columns = [result.column(c) for c in required]
    distance = result.distance_m[:, columns]
    per_minute = metres_per_minute(result.speed_kmh)
    levels = []
    for limit in minutes:
        with np.errstate(invalid="ignore"):
            within = distance <= limit * per_minute  # NaN compares False: unreachable = missing
        every = np.asarray(within.all(axis=1))  # one flag per origin (a 1-d array)
        levels.append(
            CoverageLevel(
                minutes=limit,
                share_origins=_share(every),
                share_weight=_share(every, weights),
                category_share_origins={c: _share(within[:, j]) for j, c in enumerate(required)},
                category_share_weight={
                    c: _share(within[:, j], weights) for j, c in enumerate(required)
                },
                within=within,
            )
        )
    return Coverage(required, tuple(levels))


# ---------------------------------------------------------------------------------------------
# Planning aid: greedy maximal covering


@dataclass(frozen=True)
class SiteSuggestion:
    """A suggested site for a new facility (a network node) and the weight it newly covers."""

    node_id: int
    lon: float
    lat: float
    gain: float  # weight (residents) newly brought within the walking time
    cumulative: float  # total weight covered by this and the earlier suggestions
    origins_covered: int  # number of origins newly covered


def _reach_pairs(network: WalkNetwork, o_node, o_budget, budget_m: float):
    """(origin, node) pairs such that the node is within the origin's budget on foot."""
    xy = network.tree.data
    # The projection stretches distances by at most this factor over the network's latitudes.
    cos0 = math.cos(math.radians(network.centre[1]))
    cos_edges = np.cos(np.radians([network.lat.min(), network.lat.max()]))
    stretch = float(max(cos0 / cos_edges.min(), cos_edges.max() / cos0)) + 0.01
    cell = np.floor(xy[o_node] / budget_m).astype(np.int64)
    cells, group = np.unique(cell, axis=0, return_inverse=True)
    group = group.ravel()
    centres = (cells + 0.5) * budget_m
    radius = (budget_m * math.sqrt(0.5) + budget_m) * stretch + 1.0
    balls = network.tree.query_ball_point(centres, radius, workers=-1)
    by_group = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[by_group], np.arange(len(cells) + 1))
    indptr, indices, data = network.graph.indptr, network.graph.indices, network.graph.data
    local = np.full(network.n_nodes, -1, dtype=np.int64)
    origins_out, nodes_out = [], []
    for g in range(len(cells)):
        members = by_group[starts[g] : starts[g + 1]]  # origins in this cell
        nodes = np.asarray(balls[g], dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        # Edges among the ball's nodes, gathered from the CSR rows of those nodes.
        counts = indptr[nodes + 1] - indptr[nodes]
        position = np.repeat(indptr[nodes] - np.cumsum(counts) + counts, counts) + np.arange(
            counts.sum()
        )
        rows = np.repeat(np.arange(len(nodes)), counts)
        cols = local[indices[position]]
        inside = cols >= 0
        sub = _csr(rows[inside], cols[inside], data[position][inside], len(nodes))
        sources, source_row = np.unique(local[o_node[members]], return_inverse=True)
        dist = dijkstra(sub, directed=True, indices=sources, limit=float(o_budget[members].max()))
        r, c = np.nonzero(dist[source_row.ravel()] <= o_budget[members, None])
        origins_out.append(members[r])
        nodes_out.append(nodes[c])
        local[nodes] = -1
    return np.concatenate(origins_out), np.concatenate(nodes_out)


def greedy_sites(
    network: WalkNetwork,
    result: AccessResult,
    category: str,
    k: int,
    *,
    minutes: float = 15,
    speed_kmh: float | None = None,
    candidates: Iterable[int] | None = None,
) -> list[SiteSuggestion]:
    """Where to put k new facilities of `category` to bring the most uncovered weight within
    `minutes` (greedy maximal covering: each pick maximises the weight it newly covers, which
    is within 1 − 1/e of the best k-set). A new facility sits on its node. Candidates are node
    ids (default: every node). Fewer than k are returned once no candidate adds anything.

    The origin→site reach comes from bounded Dijkstra runs from the uncovered origins' nodes
    (the network is undirected, so this is also site→origin). The origins are grouped by square
    cells as wide as the walking budget, and each group searches only the nodes within straight-
    line reach of its cell (a walk is never shorter than the straight line), so the work grows
    with the number of origins, not with the size of the network. Meant for up to ~10^5
    origins (a district's buildings); aggregate population points first for a whole city."""
    speed = result.speed_kmh if speed_kmh is None else speed_kmh
    budget_m = minutes * metres_per_minute(speed)
    j = result.column(category)
    with np.errstate(invalid="ignore"):
        uncovered = ~(result.distance_m[:, j] <= budget_m)
    uncovered &= (result.snap_m <= budget_m) & (result.weights > 0)
    todo = np.flatnonzero(uncovered)
    if k <= 0 or len(todo) == 0:
        return []
    o_node = result.origin_nodes[todo]
    o_budget = budget_m - result.snap_m[todo]
    o_weight = result.weights[todo]
    pair_origin, pair_node = _reach_pairs(network, o_node, o_budget, budget_m)
    if candidates is not None:
        allowed = np.zeros(network.n_nodes, dtype=bool)
        allowed[network.node_index(candidates)] = True
        keep = allowed[pair_node]
        pair_origin, pair_node = pair_origin[keep], pair_node[keep]
    if len(pair_node) == 0:
        return []
    # Origin × site coverage matrix over the sites that reach anyone.
    sites, site_col = np.unique(pair_node, return_inverse=True)
    cover = sp.csr_matrix(
        (np.ones(len(pair_origin)), (pair_origin, site_col)), shape=(len(todo), len(sites))
    )
    cover_csc = cover.tocsc()
    gains = cover.T @ o_weight
    covered = np.zeros(len(todo), dtype=bool)
    picks: list[SiteSuggestion] = []
    total = 0.0
    for _pick in range(k):
        best = int(np.argmax(gains))  # ties: the first node, so the answer is deterministic
        if not gains[best] > 0:
            break
        newly = cover_csc.indices[cover_csc.indptr[best] : cover_csc.indptr[best + 1]]
        newly = newly[~covered[newly]]
        covered[newly] = True
        gain = float(o_weight[newly].sum())
        total += gain
        # The newly covered origins no longer count for any site that also reaches them.
        gains -= cover[newly].T @ o_weight[newly]
        gains[best] = -np.inf
        node = int(sites[best])
        picks.append(
            SiteSuggestion(
                node_id=int(network.node_ids[node]),
                lon=float(network.lon[node]),
                lat=float(network.lat[node]),
                gain=gain,
                cumulative=total,
                origins_covered=len(newly),
            )
        )
    return picks
