"""OpenStreetMap reading for the accessibility engine: the walking network and the service
facilities of an .osm (XML) or .osm.pbf file, through pyosmium (a C++ reader; it stores node
locations so ways come with their coordinates). Pure: no Django.

Which ways are walkable (documented in docs/community-access.md):
- every `highway=*` way, except those that are not (yet) roads or are for vehicles only
  (`NOT_WALKABLE`), and motorways and trunk roads (`MOTOR_ROADS`) unless `foot` allows walking or
  a `sidewalk` is drawn on the road itself;
- `cycleway` and `bridleway` only when `foot` allows walking or the path is `segregated`
  (a shared foot-and-cycle path);
- never with `foot=no`, nor with `access=no/private` unless `foot` allows walking;
- `area=yes` squares are kept as their outline: the paths that end on a square meet the outline,
  and dropping it would cut the network (walking round it overestimates a crossing).
Edge lengths are great-circle distances between consecutive way nodes; every way node is kept
(no simplification), so origins snap close to where they are. Nodes missing from a clipped
extract split the way there.
"""

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from shoushan.community.access import (
    AccessInputError,
    Facility,
    WalkNetwork,
    _,
    haversine_m,
    network_from_arrays,
)

NOT_WALKABLE = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "busway",
        "construction",
        "disused",
        "escape",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
    }
)
MOTOR_ROADS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
FOOT_ONLY_IF_ALLOWED = frozenset({"cycleway", "bridleway"})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
SIDEWALK_ON_ROAD = frozenset({"both", "left", "right", "yes"})

# OSM tag → service-circle category. Categories follow Beijing's community service circle and
# GB 50180-2018's facility lists, with short English codes (see docs/community-access.md).
OSM_TAG_CATEGORIES: dict[tuple[str, str], str] = {
    # grocery: 菜店/超市/便利店 (daily food shopping)
    ("shop", "supermarket"): "grocery",
    ("shop", "convenience"): "grocery",
    ("shop", "greengrocer"): "grocery",
    ("shop", "butcher"): "grocery",
    ("shop", "seafood"): "grocery",
    ("shop", "general"): "grocery",
    ("amenity", "marketplace"): "grocery",
    # food: 早餐/餐饮
    ("amenity", "restaurant"): "food",
    ("amenity", "fast_food"): "food",
    ("amenity", "food_court"): "food",
    ("amenity", "cafe"): "food",
    ("shop", "bakery"): "food",
    # health: 社区卫生服务中心(站)/诊所/药店
    ("amenity", "clinic"): "health",
    ("amenity", "doctors"): "health",
    ("amenity", "hospital"): "health",
    ("amenity", "pharmacy"): "health",
    ("amenity", "dentist"): "health",
    ("healthcare", "clinic"): "health",
    ("healthcare", "doctor"): "health",
    ("healthcare", "hospital"): "health",
    ("healthcare", "pharmacy"): "health",
    ("healthcare", "centre"): "health",
    # elderly_care: 养老服务驿站/日间照料/养老院
    ("amenity", "nursing_home"): "elderly_care",
    ("social_facility", "nursing_home"): "elderly_care",
    ("social_facility", "assisted_living"): "elderly_care",
    ("social_facility:for", "senior"): "elderly_care",
    ("social_facility:for", "elderly"): "elderly_care",
    # education: 托育/幼儿园/小学/中学
    ("amenity", "kindergarten"): "education",
    ("amenity", "childcare"): "education",
    ("amenity", "school"): "education",
    # sports: 健身场地/体育设施
    ("leisure", "sports_centre"): "sports",
    ("leisure", "fitness_centre"): "sports",
    ("leisure", "fitness_station"): "sports",
    ("leisure", "pitch"): "sports",
    ("leisure", "stadium"): "sports",
    ("leisure", "swimming_pool"): "sports",
    ("leisure", "track"): "sports",
    # culture: 文化活动室/图书室
    ("amenity", "library"): "culture",
    ("amenity", "arts_centre"): "culture",
    ("amenity", "theatre"): "culture",
    ("amenity", "cinema"): "culture",
    # post: 邮政/快递
    ("amenity", "post_office"): "post",
    ("amenity", "parcel_locker"): "post",
    ("shop", "outpost"): "post",
    # daily_services: 洗染/维修/家政/美容美发 (便民服务)
    ("shop", "laundry"): "daily_services",
    ("shop", "dry_cleaning"): "daily_services",
    ("shop", "hairdresser"): "daily_services",
    ("shop", "tailor"): "daily_services",
    ("shop", "shoe_repair"): "daily_services",
    ("shop", "repair"): "daily_services",
    ("shop", "electronics_repair"): "daily_services",
    ("shop", "locksmith"): "daily_services",
    ("craft", "tailor"): "daily_services",
    ("craft", "shoemaker"): "daily_services",
    ("craft", "key_cutter"): "daily_services",
    ("office", "housekeeping"): "daily_services",
    # community_service: 社区综合服务站/居委会/社区活动中心
    ("amenity", "community_centre"): "community_service",
    ("amenity", "social_centre"): "community_service",
    ("amenity", "social_facility"): "community_service",
    ("office", "community"): "community_service",
}


def _osmium():
    try:
        import osmium
    except ImportError:  # pragma: no cover - osmium is a runtime dependency
        raise AccessInputError(_("Reading OpenStreetMap files needs the osmium package.")) from None
    return osmium


def _processor(path, keys):
    osmium = _osmium()
    path = Path(path)
    if not path.is_file():
        raise AccessInputError(_("%(file)s: file not found") % {"file": path})
    return (
        osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter(*keys))
    )


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these tags can be walked (rules in the module docstring)."""
    highway = tags.get("highway")
    if highway is None or highway in NOT_WALKABLE:
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    foot_allowed = foot in FOOT_ALLOWED
    if tags.get("access") in ("no", "private") and not foot_allowed:
        return False
    if highway in MOTOR_ROADS:
        return foot_allowed or tags.get("sidewalk") in SIDEWALK_ON_ROAD
    if highway in FOOT_ONLY_IF_ALLOWED:
        return foot_allowed or "segregated" in tags
    return True


def osm_walk_network(path) -> WalkNetwork:
    """The walking network of an .osm or .osm.pbf file."""
    node_refs: list[int] = []
    node_lon: list[float] = []
    node_lat: list[float] = []
    u: list[int] = []
    v: list[int] = []
    try:
        for way in _processor(path, ("highway",)):
            if not way.is_way() or not is_walkable(way.tags):
                continue
            previous = None
            for node in way.nodes:
                if not node.location.valid():
                    previous = None  # clipped extract: the way is cut here
                    continue
                node_refs.append(node.ref)
                node_lon.append(node.location.lon)
                node_lat.append(node.location.lat)
                if previous is not None:
                    u.append(previous)
                    v.append(node.ref)
                previous = node.ref
    except RuntimeError as error:  # osmium's parse errors
        raise AccessInputError(
            _("%(file)s: not a readable OpenStreetMap file (%(error)s)")
            % {"file": path, "error": error}
        ) from None
    if not u:
        raise AccessInputError(_("%(file)s: no walkable ways") % {"file": path})
    ids, first = np.unique(np.array(node_refs, dtype=np.int64), return_index=True)
    u_arr = np.array(u, dtype=np.int64)
    v_arr = np.array(v, dtype=np.int64)
    # Only nodes on an edge: a lone node left between two clipped ones is no network.
    used = np.isin(ids, np.concatenate([u_arr, v_arr]))
    ids, first = ids[used], first[used]
    lon = np.array(node_lon)[first]
    lat = np.array(node_lat)[first]
    iu, iv = np.searchsorted(ids, u_arr), np.searchsorted(ids, v_arr)
    length = haversine_m(lon[iu], lat[iu], lon[iv], lat[iv])
    return network_from_arrays(ids, lon, lat, u_arr, v_arr, length)


def osm_facilities(
    path, mapping: Mapping[tuple[str, str], str] = OSM_TAG_CATEGORIES
) -> list[Facility]:
    """Facilities of an .osm or .osm.pbf file: nodes, and ways at the mean of their nodes, whose
    tags map to a category. Ids are `n<id>` / `w<id>`; an object matching two categories
    yields one facility per category. Relations (multipolygons) are not read."""
    keys = sorted({key for key, _value in mapping})
    facilities: list[Facility] = []
    try:
        for obj in _processor(path, keys):
            categories = sorted(
                {mapping[(tag.k, tag.v)] for tag in obj.tags if (tag.k, tag.v) in mapping}
            )
            if not categories:
                continue
            if obj.is_node():
                if not obj.location.valid():
                    continue
                fid, lon, lat = f"n{obj.id}", obj.location.lon, obj.location.lat
            elif obj.is_way():
                points = {
                    (n.ref, n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()
                }
                if not points:
                    continue
                fid = f"w{obj.id}"
                lon = sum(p[1] for p in points) / len(points)
                lat = sum(p[2] for p in points) / len(points)
            else:
                continue
            tags = obj.tags
            name = tags.get("name:zh") or tags.get("name") or ""
            provider = tags.get("operator") or tags.get("brand") or ""
            facilities.extend(
                Facility(fid, category, lon, lat, name, tags.get("opening_hours", ""), provider)
                for category in categories
            )
    except RuntimeError as error:
        raise AccessInputError(
            _("%(file)s: not a readable OpenStreetMap file (%(error)s)")
            % {"file": path, "error": error}
        ) from None
    return facilities
