"""Reads of regions. Region data is official and public: no scope applies."""

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from shoushan.core.errors import AmbiguousPlace, InvalidInput, NotFound
from shoushan.core.versioned import VersionedCache
from shoushan.regions.codes import ancestor_codes, is_region_code, significant_prefix
from shoushan.regions.gazetteer import AMBIGUOUS, FOUND, AddressResult, Gazetteer
from shoushan.regions.models import LEVEL_ORDER, Level, Region

SEARCH_LIMIT = 50


def region_get(code: str, *, with_boundary: bool = False) -> Region:
    """One region by its code; its boundary (up to a few hundred kB) only when asked for."""
    code = code.strip()
    if not is_region_code(code):
        raise InvalidInput(
            _("A region code has 12 digits, such as 110105000000 (朝阳区); got “%(code)s”.")
            % {"code": code[:40]}
        )
    regions = Region.objects.all() if with_boundary else Region.objects.defer("boundary")
    try:
        return regions.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(_("There is no region with the code %(code)s.") % {"code": code}) from None


def region_list_roots() -> QuerySet[Region]:
    return _with_child_counts(Region.objects.filter(parent__isnull=True))


def region_list_level(level: str) -> QuerySet[Region]:
    return Region.objects.filter(level=level).defer("boundary").order_by("code")


def region_children(region: Region) -> QuerySet[Region]:
    return _with_child_counts(region.children.defer("boundary"))


def _with_child_counts(queryset: QuerySet[Region]) -> QuerySet[Region]:
    return queryset.annotate(child_count=Count("children")).order_by("code")


def region_ancestors(region: Region) -> list[Region]:
    found = Region.objects.defer("boundary").in_bulk(ancestor_codes(region.code))
    return [found[c] for c in ancestor_codes(region.code) if c in found]


def region_descendant_counts(region: Region) -> dict[str, int]:
    """How many regions of each level lie below this one, e.g. {"district": 16, …}."""
    prefix = significant_prefix(region.code)
    rows = (
        # a range rather than LIKE, so that SQLite too answers from the primary-key index
        Region.objects.filter(code__gt=region.code, code__lt=prefix + ":")
        .values("level")
        .annotate(n=Count("code"))
    )
    counts = {row["level"]: row["n"] for row in rows}
    below = LEVEL_ORDER[LEVEL_ORDER.index(Level(region.level)) + 1 :]
    return {str(level): counts.get(level, 0) for level in below}


def region_search(
    query: str, *, level: str | None = None, limit: int = SEARCH_LIMIT
) -> list[Region]:
    """Regions whose name contains the text, or whose code starts with the digits.

    With several words, the last names the place and the others name places above it
    (“海淀 学院路”, “延庆区 村委会”); results under a higher match (a district) come before those
    under a lower one (a street of the same name)."""
    words = query.split()
    if not words:
        return []
    regions = Region.objects.defer("boundary")
    if level:
        regions = regions.filter(level=level)
    if len(words) == 1 and words[0].isdigit():
        return _by_level(regions.filter(code__startswith=words[0]).order_by("code")[:limit])
    regions = regions.filter(name__contains=words[-1])
    if len(words) == 1:
        return _by_level(regions.order_by("code")[:limit])
    found: list[Region] = []
    for prefixes in _ancestor_prefixes(words[:-1]):
        if len(found) >= limit:
            break
        condition = Q()
        for prefix in prefixes:
            condition |= Q(code__startswith=prefix)
        seen = {r.code for r in found}
        found += [
            r
            for r in regions.filter(condition).order_by("code")[: limit - len(found)]
            if r.code not in seen and significant_prefix(r.code) not in prefixes
        ]
    return found


def _ancestor_prefixes(words: list[str]) -> list[set[str]]:
    """For the words that name places above, the code prefixes of the places every word names,
    grouped by the level of the deepest such place (higher levels first)."""
    matches = [
        {
            significant_prefix(code): level
            for code, level in Region.objects.filter(name__contains=word)
            .exclude(level=Level.COMMUNITY)
            .values_list("code", "level")
        }
        for word in words
    ]
    combined: dict[str, str] = {}
    for prefix, level in matches[0].items():
        # every other word must name this place or one above or below it on the same branch
        if all(any(prefix.startswith(p) or p.startswith(prefix) for p in m) for m in matches[1:]):
            deepest = max(
                [prefix] + [p for m in matches[1:] for p in m if p.startswith(prefix)], key=len
            )
            combined[deepest] = level
    groups: dict[int, set[str]] = {}
    for prefix, level in combined.items():
        groups.setdefault(LEVEL_ORDER.index(Level(level)), set()).add(prefix)
    return [groups[k] for k in sorted(groups)]


def _by_level(regions) -> list[Region]:
    order = {lvl: i for i, lvl in enumerate(LEVEL_ORDER)}
    return sorted(regions, key=lambda r: (order[r.level], r.code))


def _ancestor_names(regions: list[Region]) -> dict[str, list[str]]:
    codes = {c for r in regions for c in ancestor_codes(r.code)}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {r.code: [names[c] for c in ancestor_codes(r.code) if c in names] for r in regions}


def region_paths(regions: list[Region]) -> dict[str, str]:
    """“北京市 › 东城区 › 东华门街道” for each region: tells apart places with the same name."""
    names = _ancestor_names(regions)
    return {code: " › ".join(path) for code, path in names.items()}


def region_boundaries(parent: Region, *, tolerance: float = 0.0005) -> dict:
    """A GeoJSON FeatureCollection of the children that have a boundary, simplified for display
    (~50 m), with their counts."""
    key = f"regions:boundaries:{parent.code}:{tolerance}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    features = []
    for child in parent.children.filter(~Q(boundary=None)).order_by("code"):
        geometry = shape(child.boundary).simplify(tolerance, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": child.code,
                    "name": child.name,
                    "descendant_counts": region_descendant_counts(child),
                },
                "geometry": mapping(geometry),
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    cache.set(key, collection, 3600)
    return collection


def region_outline(region: Region, *, tolerance: float = 0.0005) -> dict | None:
    """The region's boundary or, for context on a map, that of the nearest region above it;
    simplified for display like region_boundaries (the city's full outline is 680 KB)."""
    boundary = region.boundary
    if boundary is None:
        above = Region.objects.filter(code__in=ancestor_codes(region.code), boundary__isnull=False)
        nearest = above.order_by("-code").first()
        boundary = nearest.boundary if nearest else None
    if boundary is None:
        return None
    return mapping(shape(boundary).simplify(tolerance, preserve_topology=True))


# ---- addresses ---------------------------------------------------------------------------------

REGIONS_VERSION = "regions"


def _gazetteer_build() -> Gazetteer:
    return Gazetteer(
        Region.objects.filter(
            level__in=[Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]
        ).values_list("code", "name", "level", "parent_id")
    )


_gazetteer: VersionedCache[Gazetteer] = VersionedCache(REGIONS_VERSION, _gazetteer_build)


def address_region(text: str) -> AddressResult:
    """The most specific region a free-text address names (or the candidates, if ambiguous)."""
    return _gazetteer.get().parse(text)


def address_place(text: str) -> tuple[str | None, str]:
    """(community code or None, street code) of a free-text address, for a report that came with
    neither a point nor a community. An address that names no street or community, or could be
    several places, raises InvalidInput saying so (with the candidates): never a guess."""
    result = address_region(text)
    if result.status == AMBIGUOUS:
        places = list(Region.objects.filter(code__in=result.candidates[:6]).defer("boundary"))
        addresses = region_addresses(places)
        choices = [{"code": r.code, "address": addresses[r.code]} for r in places]
        raise AmbiguousPlace(
            _("The address “%(address)s” could be several places: %(places)s. Say which.")
            % {"address": text, "places": "、".join(c["address"] for c in choices)},
            details=choices,
        )
    if result.status != FOUND or result.level not in (Level.STREET, Level.COMMUNITY):
        raise InvalidInput(
            _("The address “%(address)s” names no street or community of the city.")
            % {"address": text}
        )
    assert result.code is not None  # a found address has its code
    if result.level == Level.STREET:
        return None, result.code
    street = Region.objects.filter(code=result.code).values_list("parent_id", flat=True).get()
    return result.code, street


def region_addresses(regions: list[Region]) -> dict[str, str]:
    """“北京市东城区东华门街道多福巷社区居委会” for each region: its ancestors' names and its own,
    an address that names it without doubt."""
    names = _ancestor_names(regions)
    return {r.code: "".join(names[r.code]) + r.name for r in regions}


def region_names() -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) of the city's divisions, for the intake's dictionary."""
    return list(
        Region.objects.filter(
            level__in=[Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]
        ).values_list("code", "name", "level", "parent_id")
    )


def region_names_of(codes) -> dict[str, str]:
    """Code → name of the regions named."""
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def region_root() -> Region | None:
    """The top of the loaded divisions (the city)."""
    return Region.objects.defer("boundary").filter(parent__isnull=True).order_by("code").first()


def region_level_counts() -> dict[str, int]:
    """How many districts, streets and communities are loaded."""
    return {
        level: Region.objects.filter(level=level).count()
        for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
    }
