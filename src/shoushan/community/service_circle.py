"""The 15-minute community service circle (一刻钟社区服务圈) for the web pages: runs the pure
accessibility engine (`shoushan.community.access`) over the demo network of central Beijing,
with the communities of the viewer's scope as origins and the registered facilities.

- Origins: the communities (kind 社区, the urban ones — Beijing's rate is covered ÷ urban
  communities) under the region, in the viewer's scope, that have a point and lie on the
  network's area. A point is a published one (2016) or estimated; the page says which.
- Facilities: every registered facility on the network's area, whoever registered it — a shop in
  the next street serves these residents too.
- Required categories: the facility categories of the published catalogue's items that carry a
  life circle (GB 50180-2018), so the administrator decides them by editing the catalogue.
- Weights: each community's recorded population (0 where none is recorded).
"""

import csv
import gzip
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from shoushan.accounts.scope import scope_filter
from shoushan.community import access
from shoushan.community.models import CatalogueItem, Facility
from shoushan.community.standards import district_of
from shoushan.core.errors import NotFound
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, LocationSource, Region

# Central Beijing's street network from OpenStreetMap (ODbL), shipped with Shoushan:
# src/shoushan/data/README.md says where it comes from.
NETWORK_DIR = Path(__file__).resolve().parents[1] / "data" / "network"
NODES = "central_beijing_nodes.csv.gz"
EDGES = "central_beijing_edges.csv.gz"
MARGIN_DEG = 0.01  # about 1 km: an origin this far outside the network is not on it
MINUTES = access.LIFE_CIRCLE_MINUTES


def network_paths() -> tuple[Path, Path]:
    return NETWORK_DIR / NODES, NETWORK_DIR / EDGES


@lru_cache(maxsize=2)
def _network(nodes: str, edges: str, _mtime: float) -> access.WalkNetwork:
    with gzip.open(nodes, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = np.array([int(r["osmid"]) for r in rows], dtype=np.int64)
    lon = np.array([float(r["x"]) for r in rows])
    lat = np.array([float(r["y"]) for r in rows])
    with gzip.open(edges, "rt", encoding="utf-8", newline="") as f:
        e = [(int(r["u"]), int(r["v"]), float(r["length"])) for r in csv.DictReader(f)]
    u, v, length = (np.array(col) for col in zip(*e, strict=True))
    return access.network_from_arrays(ids, lon, lat, u, v, length)


def demo_network() -> access.WalkNetwork | None:
    """Central Beijing's network (a drive network: walks inside compounds come out long), or
    None when an installation has removed it."""
    nodes, edges = network_paths()
    if not (nodes.exists() and edges.exists()):
        return None
    return _network(str(nodes), str(edges), nodes.stat().st_mtime + edges.stat().st_mtime)


def required_categories() -> list[str]:
    return sorted(
        set(
            CatalogueItem.objects.filter(
                category__version__published=True, life_circle__isnull=False
            )
            .exclude(facility_category="")
            .values_list("facility_category", flat=True)
        )
    )


@dataclass
class CircleOrigin:
    code: str
    name: str
    lon: float
    lat: float
    estimated: bool
    population: int
    missing: dict[int, tuple[str, ...]]  # minutes → required categories not reached
    minutes: dict[str, float | None]  # category → walking minutes to the nearest


@dataclass
class DistrictRow:
    region: Region
    communities: int
    shares: dict[int, float | None]  # minutes → share of communities reaching every category
    facilities: int = 0  # registered in the district: 0 explains a 0 % rate


@dataclass
class CircleAnalysis:
    required: list[str]
    origins: list[CircleOrigin]
    districts: list[DistrictRow]
    total: dict[int, float | None]
    residents: dict[int, float | None]
    category_shares: dict[str, float | None]  # at 15 minutes
    facilities: int
    off_network: int
    suggestions: list[access.SiteSuggestion]
    speed_kmh: float
    result: access.AccessResult | None = None  # kept for further suggestions on the same run


def analyse(
    viewer,
    region: Region,
    *,
    speed_kmh: float = access.DEFAULT_SPEED_KMH,
    suggest_category: str = "",
    k: int = 0,
) -> CircleAnalysis | None:
    network = demo_network()
    if network is None:
        return None
    required = required_categories()
    if suggest_category and suggest_category not in required:
        raise NotFound(_("Unknown category %(category)s.") % {"category": suggest_category[:40]})
    lo_lon, hi_lon = float(network.lon.min()), float(network.lon.max())
    lo_lat, hi_lat = float(network.lat.min()), float(network.lat.max())
    communities = _communities(viewer, region)
    on = [
        c
        for c in communities
        if lo_lon - MARGIN_DEG <= c["longitude"] <= hi_lon + MARGIN_DEG
        and lo_lat - MARGIN_DEG <= c["latitude"] <= hi_lat + MARGIN_DEG
    ]
    facilities = [
        access.Facility(str(pk), category, lon, lat)
        for pk, category, lon, lat in Facility.objects.filter(
            longitude__gte=lo_lon - MARGIN_DEG,
            longitude__lte=hi_lon + MARGIN_DEG,
            latitude__gte=lo_lat - MARGIN_DEG,
            latitude__lte=hi_lat + MARGIN_DEG,
        ).values_list("pk", "category", "longitude", "latitude")
    ]
    if not on or not required:
        return CircleAnalysis(
            required, [], [], {}, {}, {}, len(facilities), len(communities) - len(on), [], speed_kmh
        )
    origins = access.origins_from_arrays(
        [c["code"] for c in on],
        [c["longitude"] for c in on],
        [c["latitude"] for c in on],
        [c["population"] or 0 for c in on],
    )
    result = access.nearest_facilities(
        network, facilities, origins, speed_kmh=speed_kmh, categories=required
    )
    cov = access.coverage(result, minutes=MINUTES, required=required)
    out_origins = []
    for i, c in enumerate(on):
        out_origins.append(
            CircleOrigin(
                code=c["code"],
                name=c["name"],
                lon=c["longitude"],
                lat=c["latitude"],
                estimated=c["location_source"] != LocationSource.POINT,
                population=c["population"] or 0,
                missing={m: cov.level(m).missing(i) for m in MINUTES},
                minutes={
                    cat: (None if np.isnan(result.minutes[i, j]) else float(result.minutes[i, j]))
                    for j, cat in enumerate(result.categories)
                },
            )
        )
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(on):
        groups.setdefault(district_of(c["code"]), []).append(i)
    names = Region.objects.defer("boundary").in_bulk(list(groups), field_name="code")
    registered = Counter(
        district_of(code) for code in Facility.objects.values_list("region_code", flat=True) if code
    )
    districts = [
        DistrictRow(
            names[code],
            len(idx),
            {m: float(cov.level(m).within[idx].all(axis=1).mean()) for m in MINUTES},
            registered.get(code, 0),
        )
        for code, idx in sorted(groups.items())
        if code in names
    ]
    suggestions = []
    if suggest_category and k > 0:
        suggestions = access.greedy_sites(network, result, suggest_category, min(k, 20), minutes=15)
    return CircleAnalysis(
        required=required,
        origins=out_origins,
        districts=districts,
        total={m: _nan_none(cov.level(m).share_origins) for m in MINUTES},
        residents={m: _nan_none(cov.level(m).share_weight) for m in MINUTES},
        category_shares={c: _nan_none(v) for c, v in cov.level(15).category_share_origins.items()},
        facilities=len(facilities),
        off_network=len(communities) - len(on),
        suggestions=suggestions,
        speed_kmh=speed_kmh,
        result=result,
    )


def suggest(analysis: CircleAnalysis, category: str, k: int) -> list[access.SiteSuggestion]:
    """k suggested sites for `category` on an analysis already run (greedy maximal covering
    within 15 minutes); none when the analysis has no origins or the category is not required."""
    network = demo_network()
    if network is None or analysis.result is None or category not in analysis.required:
        return []
    return access.greedy_sites(network, analysis.result, category, min(k, 20), minutes=15)


def most_missed_category(analysis: CircleAnalysis) -> str:
    """The required category that the most communities do not reach within 15 minutes (the
    first by code on a tie), or "" when none is missed."""
    missing = Counter(c for o in analysis.origins for c in o.missing[15])
    return min(missing, key=lambda c: (-missing[c], c)) if missing else ""


def nearest_origin(
    origins: list[CircleOrigin], lon: float, lat: float
) -> tuple[CircleOrigin, float] | None:
    """The community whose point is nearest a place, and the distance in metres (straight, on a
    local flat projection): names a suggested site for a reader without a base map."""
    best = None
    for o in origins:
        dx = (o.lon - lon) * 111_320 * math.cos(math.radians(lat))
        dy = (o.lat - lat) * 110_574
        d = math.hypot(dx, dy)
        if best is None or d < best[1]:
            best = (o, d)
    return best


def _communities(viewer, region: Region) -> list[dict]:
    communities = Region.objects.filter(level=Level.COMMUNITY, kind="社区")
    if viewer is not None:  # None: the platform itself, counting for the cockpit
        communities = scope_filter(communities, viewer, field="code")
    rows = (
        communities.filter(
            code__startswith=significant_prefix(region.code), longitude__isnull=False
        )
        .order_by("code")
        .values(
            "code",
            "name",
            "longitude",
            "latitude",
            "location_source",
            "community_profile__population",
        )
    )
    return [{**r, "population": r.pop("community_profile__population")} for r in rows]


def _nan_none(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)
