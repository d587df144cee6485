"""Reads of the community system, each through the scope helper: a viewer sees the communities
inside their scopes (street staff their street's, community staff their own)."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGION_STAFF, require_role
from shoushan.accounts.scope import in_scope, scope_filter, scoped_get
from shoushan.audit.models import AuditRecord
from shoushan.community import standards
from shoushan.community.models import (
    DEFAULT_STANDARDISATION_ITEMS,
    CatalogueItem,
    CatalogueVersion,
    ChecklistEntry,
    ChecklistStatus,
    CommunityProfile,
    Facility,
    StandardsRule,
)
from shoushan.core.errors import Forbidden, NotFound
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

PROFILE_TYPE = "community.communityprofile"
PROFILE_VALUES = [
    "households",
    "population",
    "premises_m2",
    "staff_count",
    "annual_funds",
    "built_on",
    "standardisation_items",
    "office_phone",
    "secretary_name",
    "generated",
    "updated_at",
]


def require_viewer(user) -> None:
    """Community records are for the four administrative roles; others get 403."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Sign in first."))
    require_role(user, REGION_STAFF, _("Your role does not work with community records."))


def standards_rule() -> StandardsRule:
    """The 三有一化 rule in force: the city's, or the defaults until the city sets one."""
    return StandardsRule.objects.filter(pk=1).first() or StandardsRule(
        pk=1, standardisation_items=DEFAULT_STANDARDISATION_ITEMS
    )


def communities(viewer, *, within: str | None = None, search: str = "") -> QuerySet[Region]:
    """The communities/villages the viewer may see, optionally inside a region and by name."""
    qs = scope_filter(
        Region.objects.filter(level=Level.COMMUNITY).defer("boundary"), viewer, field="code"
    )
    if within:
        prefix = significant_prefix(within)
        qs = qs.filter(code__startswith=prefix)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(code__startswith=search))
    return qs.select_related("community_profile", "parent").order_by("code")


def community_get(viewer, code: str) -> Region:
    return scoped_get(
        Region.objects.filter(level=Level.COMMUNITY).defer("boundary").select_related("parent"),
        viewer,
        field="code",
        code=code,
    )


def region_in_scope(viewer, code: str) -> Region:
    """A city, district or street the viewer may look at (their scope lies inside it or it lies
    inside their scope); anything else is not found."""
    region = Region.objects.defer("boundary").filter(code=code).first()
    if region is None or region.level not in (Level.CITY, Level.DISTRICT, Level.STREET):
        raise NotFound(_("No such record in your scope."))
    if in_scope(viewer, code):
        return region
    from shoushan.accounts.scope import scope_prefixes

    prefixes = scope_prefixes(viewer) or []
    if any(p.startswith(significant_prefix(code)) for p in prefixes):
        return region
    raise NotFound(_("No such record in your scope."))


def home_region(viewer) -> str:
    """The region whose summary the viewer starts from: their (first) scope, or the city."""
    from shoushan.accounts.scope import scope_prefixes

    prefixes = scope_prefixes(viewer)
    if not prefixes:
        return "110000000000"
    prefix = prefixes[0]
    if len(prefix) >= 12:  # a community: its street
        prefix = prefix[:9]
    return prefix.ljust(12, "0")


def profile_history(viewer, community: Region) -> QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(object_type=PROFILE_TYPE, object_id=community.code)


def profile_rows(viewer, *, within: str | None = None) -> list[dict]:
    """One dict per community in scope (for the export), profile fields included."""
    qs = communities(viewer, within=within).values(
        "code",
        "name",
        "kind",
        "urban_rural_class",
        "parent__name",
        "parent__parent__name",
        *[f"community_profile__{f}" for f in PROFILE_VALUES],
    )
    rows = []
    for r in qs.iterator(chunk_size=2000):
        row = {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "urban_rural_class": r["urban_rural_class"],
            "street": r["parent__name"],
            "district": r["parent__parent__name"],
        }
        for f in PROFILE_VALUES:
            row[f] = r[f"community_profile__{f}"]
        rows.append(row)
    return rows


# ---- 三有一化 --------------------------------------------------------------------------------


def standards_rule_pure(rule=None) -> standards.Rule:
    rule = rule or standards_rule()
    return standards.Rule(
        min_staff=rule.min_staff,
        min_premises_m2=Decimal(rule.min_premises_m2),
        newer_since=rule.newer_since,
        newer_min_premises_m2=Decimal(rule.newer_min_premises_m2),
        min_funds=Decimal(rule.min_funds),
        standardisation_items=tuple(i["code"] for i in rule.standardisation_items),
    )


def compliance_results(viewer, *, within: str) -> list[standards.Compliance]:
    communities = scope_filter(Region.objects.filter(level=Level.COMMUNITY), viewer, field="code")
    return compliance_of(communities.filter(code__startswith=significant_prefix(within)))


def compliance_of(communities: QuerySet[Region]) -> list[standards.Compliance]:
    """三有一化 of each of `communities` under the current rule (no profile: no data)."""
    rule = standards_rule_pure()
    qs = communities.order_by("code").values(
        "code",
        "community_profile__region_id",
        "community_profile__staff_count",
        "community_profile__premises_m2",
        "community_profile__annual_funds",
        "community_profile__built_on",
        "community_profile__standardisation_items",
    )
    return [
        standards.check(
            standards.Facts(
                code=r["code"],
                staff_count=r["community_profile__staff_count"],
                premises_m2=r["community_profile__premises_m2"],
                annual_funds=r["community_profile__annual_funds"],
                built_on=r["community_profile__built_on"],
                standardisation_items=tuple(r["community_profile__standardisation_items"] or ()),
                has_profile=r["community_profile__region_id"] is not None,
            ),
            rule,
        )
        for r in qs.iterator(chunk_size=4000)
    ]


CHILD_GROUP: dict[str, Callable[[str], str]] = {
    Level.CITY: standards.district_of,
    Level.DISTRICT: standards.street_of,
    Level.STREET: lambda code: code,
}


@dataclass
class StandardsSummary:
    region: Region
    total: standards.Summary
    rows: list[tuple[Region, standards.Summary]]
    gaps: list[standards.Compliance]  # below a threshold on some criterion
    lacking: list[standards.Compliance]  # cannot be judged: no gap known, a figure missing

    @property
    def not_compliant(self) -> list[standards.Compliance]:
        """Every community not meeting all four, in code order: known gaps and missing data."""
        return sorted(self.gaps + self.lacking, key=lambda r: r.code)


def standards_summary(viewer, region: Region) -> StandardsSummary:
    """三有一化 of the communities under `region` in the viewer's scope: the total, one row per
    child region (district, street or community) and the communities with gaps."""
    results = compliance_results(viewer, within=region.code)
    total = standards.Summary(code=region.code)
    for r in results:
        total.add(r)
    groups = standards.summarise(results, CHILD_GROUP[region.level])
    names = Region.objects.defer("boundary").in_bulk(list(groups), field_name="code")
    rows = [(names[code], s) for code, s in groups.items() if code in names]
    gaps = [r for r in results if r.failing]
    lacking = [r for r in results if not r.compliant and not r.failing]
    return StandardsSummary(region, total, rows, gaps, lacking)


def community_compliance(viewer, community: Region) -> standards.Compliance:
    return compliance_results(viewer, within=community.code)[0]


# ---- the service catalogue --------------------------------------------------------------------


def catalogue_published() -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(published=True).first()


def catalogue_tree(version: CatalogueVersion):
    return version.categories.prefetch_related("items__sub_items")


def checklist_of(community: Region, version: CatalogueVersion) -> list[tuple]:
    """(category, [(item, entry or None)]) for the community."""
    entries = {
        e.item_id: e
        for e in ChecklistEntry.objects.filter(community=community, item__category__version=version)
    }
    return [
        (c, [(i, entries.get(i.pk)) for i in c.items.all()])
        for c in version.categories.prefetch_related("items")
    ]


@dataclass
class ItemCoverage:
    item: CatalogueItem
    communities: int
    provided: int = 0
    nearby: int = 0
    not_provided: int = 0

    @property
    def unrecorded(self) -> int:
        return self.communities - self.provided - self.nearby - self.not_provided

    @property
    def missing(self) -> int:
        return self.communities - self.provided - self.nearby

    @property
    def share(self) -> float | None:
        return self.provided / self.communities if self.communities else None

    @property
    def share_with_nearby(self) -> float | None:
        return (self.provided + self.nearby) / self.communities if self.communities else None


@dataclass
class CategoryCoverage:
    code: str
    name: str
    items: list[ItemCoverage]
    complete: int  # communities with every item of the category provided (here or nearby)

    @property
    def share(self) -> float | None:
        shares = [i.share for i in self.items if i.share is not None]
        return sum(shares) / len(shares) if shares else None


def catalogue_coverage(viewer, version: CatalogueVersion, *, within: str) -> dict:
    """Coverage of the catalogue under `within`: per item and category, and per child region
    the share of (community, item) pairs provided."""
    codes = list(
        scope_filter(Region.objects.filter(level=Level.COMMUNITY), viewer, field="code")
        .filter(code__startswith=significant_prefix(within))
        .values_list("code", flat=True)
    )
    n = len(codes)
    items = list(CatalogueItem.objects.filter(category__version=version).select_related("category"))
    coverage = {i.pk: ItemCoverage(i, n) for i in items}
    ok_by_community: dict[str, set[int]] = defaultdict(set)
    provided_by_group: Counter = Counter()
    level = Region.objects.filter(code=within).values_list("level", flat=True).first()
    group_of = CHILD_GROUP.get(level or "", lambda code: code)
    entries = (
        scope_filter(ChecklistEntry.objects.all(), viewer, field="community__code")
        .filter(
            item__category__version=version,
            community__code__startswith=significant_prefix(within),
        )
        .values_list("community_id", "item_id", "status")
    )
    for code, item_id, status in entries.iterator(chunk_size=5000):
        cov = coverage[item_id]
        if status == ChecklistStatus.PROVIDED:
            cov.provided += 1
            provided_by_group[group_of(code)] += 1
        elif status == ChecklistStatus.NEARBY:
            cov.nearby += 1
        else:
            cov.not_provided += 1
        if status in (ChecklistStatus.PROVIDED, ChecklistStatus.NEARBY):
            ok_by_community[code].add(item_id)
    categories = []
    by_category: dict[int, list[ItemCoverage]] = defaultdict(list)
    for i in items:
        by_category[i.category_id].append(coverage[i.pk])
    for cat in version.categories.all():
        members = by_category.get(cat.pk, [])
        ids = {c.item.pk for c in members}
        complete = sum(1 for code in codes if ids and ids <= ok_by_community.get(code, set()))
        categories.append(CategoryCoverage(cat.code, cat.name, members, complete))
    group_counts = Counter(group_of(c) for c in codes)
    names = Region.objects.defer("boundary").in_bulk(list(group_counts), field_name="code")
    regions = [
        (
            names[g],
            count,
            provided_by_group[g] / (count * len(items)) if count and items else None,
        )
        for g, count in sorted(group_counts.items())
        if g in names
    ]
    return {"communities": n, "categories": categories, "regions": regions}


def communities_missing_item(viewer, item: CatalogueItem, *, within: str) -> QuerySet[Region]:
    """Communities under `within` that neither provide the item nor have it nearby (including
    those that have not recorded it)."""
    ok = ChecklistEntry.objects.filter(
        item=item, status__in=[ChecklistStatus.PROVIDED, ChecklistStatus.NEARBY]
    ).values("community_id")
    return (
        communities(viewer, within=within)
        .exclude(code__in=ok)
        .select_related(None)
        .select_related("parent")
    )


def item_get(item_id: int) -> CatalogueItem:
    item = CatalogueItem.objects.select_related("category__version").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("There is no such catalogue item."))
    return item


# ---- facilities -------------------------------------------------------------------------------


def facilities(viewer, *, within: str | None = None, category: str = "") -> QuerySet[Facility]:
    # The community's outline (a JSON polygon) is not needed with a facility.
    qs = (
        scope_filter(Facility.objects.all(), viewer)
        .select_related("community", "item")
        .defer("community__boundary")
    )
    if within:
        qs = qs.filter(region_code__startswith=significant_prefix(within))
    if category:
        qs = qs.filter(category=category)
    return qs


def facility_categories(viewer) -> list[str]:
    return list(
        scope_filter(Facility.objects.all(), viewer)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def profile_of(community: Region) -> CommunityProfile | None:
    return CommunityProfile.objects.filter(region=community).first()


@dataclass
class CommunityStatus:
    compliant: bool
    gaps: int
    provided: int  # items of the published catalogue provided (here or nearby)
    items: int
    gap_criteria: tuple[str, ...] = ()  # the 三有一化 criteria not met, in CRITERIA order


def community_statuses(rows: list[Region]) -> dict[str, CommunityStatus]:
    """三有一化 and catalogue status of a page of communities (loaded with their profiles)."""
    rule = standards_rule_pure()
    version = catalogue_published()
    items = CatalogueItem.objects.filter(category__version=version).count() if version else 0
    provided: Counter[str] = Counter()
    if version is not None:
        provided.update(
            dict(
                ChecklistEntry.objects.filter(
                    community__in=[r.code for r in rows],
                    item__category__version=version,
                    status__in=[ChecklistStatus.PROVIDED, ChecklistStatus.NEARBY],
                )
                .values("community_id")
                .annotate(n=Count("id"))
                .values_list("community_id", "n")
            )
        )
    out = {}
    for r in rows:
        p = getattr(r, "community_profile", None)
        result = standards.check(
            standards.Facts(
                code=r.code,
                staff_count=p.staff_count if p else None,
                premises_m2=p.premises_m2 if p else None,
                annual_funds=p.annual_funds if p else None,
                built_on=p.built_on if p else None,
                standardisation_items=tuple(p.standardisation_items) if p else (),
                has_profile=p is not None,
            ),
            rule,
        )
        out[r.code] = CommunityStatus(
            result.compliant,
            len(result.gaps),
            provided.get(r.code, 0),
            items,
            tuple(c for c in standards.CRITERIA if c in result.gaps),
        )
    return out


# ---- outlines for the maps --------------------------------------------------------------------

OUTLINE_TOLERANCE = 0.0005  # degrees, ~50 m: as the regions app simplifies its boundaries
OUTLINE_CACHE_SECONDS = 3600
# the levels of outline a map of each level draws (for its legend)
OUTLINE_LEVELS: dict[str, list[Level]] = {
    Level.CITY: [Level.DISTRICT],
    Level.DISTRICT: [Level.DISTRICT, Level.STREET],
    Level.STREET: [Level.DISTRICT, Level.STREET, Level.COMMUNITY],
    Level.COMMUNITY: [Level.STREET, Level.COMMUNITY],
}


def map_outlines(region: Region) -> dict:
    """What the community maps draw so a reader knows where they are, from our own boundaries
    (no tiles): `context`, a list of GeoJSON features drawn here, and `children_url`, the regions
    app's boundaries of the region's children (`/api/v1/regions/<code>/boundaries`) when those
    are the outlines to draw — the districts under the city, the communities under a street.

    - the city: its districts (fetched);
    - a district: its outline and its streets' (here);
    - a street: its district's outline, its own, and its communities' (fetched);
    - a community: its street's outline and its own.

    Beijing's data has official district boundaries only; a street without one is drawn as the
    union of its communities' outlines (the demo city generates those), marked `generated`.
    """
    from django.core.cache import cache
    from django.urls import reverse

    key = f"community:outlines:{region.code}"
    outlines = cache.get(key)
    if outlines is None:
        outlines = {
            "context": _outline_features(region),
            "children_url": "",
            "levels": OUTLINE_LEVELS.get(region.level, []),
        }
        if region.level in (Level.CITY, Level.STREET):
            children = Region.objects.filter(parent_id=region.code).exclude(boundary=None)
            outlines.update(
                children_url=reverse("api:region_boundaries", kwargs={"code": region.code}),
                children_level=Level.DISTRICT if region.level == Level.CITY else Level.COMMUNITY,
                children_generated=children.filter(boundary_generated=True).exists(),
            )
        cache.set(key, outlines, OUTLINE_CACHE_SECONDS)
    return outlines


def _outline_features(region: Region) -> list[dict]:
    code = region.code
    features: list[dict] = []
    if region.level == Level.DISTRICT:
        features += _own_outlines(Region.objects.filter(code=code))
        features += _street_outlines(Region.objects.filter(parent_id=code, level=Level.STREET))
    elif region.level == Level.STREET:
        features += _own_outlines(Region.objects.filter(code=region.parent_id))
        features += _street_outlines(Region.objects.filter(code=code))
    elif region.level == Level.COMMUNITY:
        street = Region.objects.filter(code=region.parent_id)
        features += _street_outlines(street)
        features += _own_outlines(Region.objects.filter(code=code))
    return features


def _feature(region: Region, geometry, *, generated: bool) -> dict:
    from shapely.geometry import mapping

    simple = geometry.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    return {
        "type": "Feature",
        "properties": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "generated": generated,
        },
        "geometry": mapping(simple),
    }


def _own_outlines(regions: QuerySet[Region]) -> list[dict]:
    from shapely.geometry import shape

    return [
        _feature(r, shape(r.boundary), generated=r.boundary_generated)
        for r in regions.exclude(boundary=None).order_by("code")
    ]


def _street_outlines(streets: QuerySet[Region]) -> list[dict]:
    """Each street's own boundary or, failing one, the union of its communities' outlines."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    features = []
    ordered = list(streets.order_by("code"))
    pending = [s for s in ordered if s.boundary is None]
    cells: dict[str, list] = defaultdict(list)
    if pending:
        rows = Region.objects.filter(
            parent_id__in=[s.code for s in pending], level=Level.COMMUNITY
        ).exclude(boundary=None)
        for parent, boundary in rows.values_list("parent_id", "boundary").iterator():
            cells[parent].append(shape(boundary).buffer(0))
    for street in ordered:
        if street.boundary is not None:
            features.append(
                _feature(street, shape(street.boundary), generated=street.boundary_generated)
            )
        elif cells.get(street.code):
            # a whisker of buffer closes the slivers between generated cells
            union = unary_union([c.buffer(1e-6) for c in cells[street.code]]).buffer(-1e-6)
            features.append(_feature(street, union, generated=True))
    return features


def households_by_community(prefix: str) -> dict[str, int]:
    """Community code → households recorded in its profile, for the communities under a prefix
    that have a figure (public figures of the community, no scope applies)."""
    rows = CommunityProfile.objects.filter(
        region__code__startswith=prefix, households__gt=0
    ).values_list("region_id", "households")
    return {code: households for code, households in rows if households is not None}


def catalogue_versions() -> QuerySet[CatalogueVersion]:
    return CatalogueVersion.objects.all()


def checklist_entry_get(viewer, code: str, item_id: int) -> ChecklistEntry | None:
    """A community's entry for one item; the community must be in the viewer's scope (404)."""
    community = community_get(viewer, code)
    return ChecklistEntry.objects.filter(community=community, item_id=item_id).first()
