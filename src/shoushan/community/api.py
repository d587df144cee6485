"""The community API: profiles, 三有一化 summaries, the service catalogue and checklists, and
facilities, each inside the caller's scope (other ids answer 404; roles other than the four
administrative ones, 403)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from shoushan.accounts.api_auth import API_AUTH
from shoushan.community import selectors, services
from shoushan.community.standards import CRITERIA
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.masking import mask
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.regions.api import RegionCode

router = Router(tags=["community"], auth=API_AUTH)

# Free text of a query parameter: no NUL (the platform refuses it before any handler).
Text = Annotated[str, Query(pattern=r"^[^\x00]*$", max_length=100)]

ERRORS_404 = {**AUTH_ERRORS, **error_responses(404)}


class ProfileOut(Schema):
    code: str
    name: str
    kind: str
    urban_rural_class: str
    street_code: str | None
    has_profile: bool
    households: int | None = None
    population: int | None = None
    premises_m2: Decimal | None = None
    staff_count: int | None = None
    annual_funds: Decimal | None = None
    built_on: date | None = None
    standardisation_items: list[str] = []
    office_phone: str = ""
    secretary_name: str = ""  # always masked here
    generated: bool = False
    updated_at: datetime | None = None


class ProfilePage(Schema):
    count: int
    items: list[ProfileOut]


class ComplianceOut(Schema):
    code: str
    compliant: bool
    passed: dict[str, bool]
    gaps: dict[str, str]
    premises_threshold: Decimal
    missing_items: list[str]


class ProfileDetailOut(ProfileOut):
    compliance: ComplianceOut


class ProfileIn(Schema):
    """Only the fields sent change; numbers may be sent as numbers or text."""

    households: int | str | None = None
    population: int | str | None = None
    premises_m2: float | str | None = None
    staff_count: int | str | None = None
    annual_funds: float | str | None = None
    built_on: str | None = None
    standardisation_items: list[str] | None = None
    office_phone: str | None = None
    secretary_name: str | None = None


def _profile_out(region) -> dict:
    p = getattr(region, "community_profile", None)
    out = {
        "code": region.code,
        "name": region.name,
        "kind": region.kind,
        "urban_rural_class": region.urban_rural_class,
        "street_code": region.parent_id,
        "has_profile": p is not None,
    }
    if p is not None:
        out.update(
            households=p.households,
            population=p.population,
            premises_m2=p.premises_m2,
            staff_count=p.staff_count,
            annual_funds=p.annual_funds,
            built_on=p.built_on,
            standardisation_items=p.standardisation_items,
            office_phone=p.office_phone,
            secretary_name=mask(p.secretary_name, "name"),
            generated=p.generated,
            updated_at=p.updated_at,
        )
    return out


def _compliance_out(c) -> dict:
    return {
        "code": c.code,
        "compliant": c.compliant,
        "passed": c.passed,
        "gaps": c.gaps,
        "premises_threshold": c.premises_threshold,
        "missing_items": list(c.missing_items),
    }


@router.get("/communities", response={200: ProfilePage, **ERRORS_404}, summary="Communities")
def community_list(
    request: HttpRequest,
    region: Text = "",
    q: Text = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    """The communities/villages in your scope with their profiles, optionally inside a region
    (a district or street code) or by name."""
    selectors.require_viewer(request.user)
    if region:
        selectors.region_in_scope(request.user, region)
    qs = selectors.communities(request.user, within=region or None, search=q[:50])
    items, count = page_of(qs, page=page, page_size=page_size)
    return {"count": count, "items": [_profile_out(r) for r in items]}


@router.get(
    "/communities/{code}", response={200: ProfileDetailOut, **ERRORS_404}, summary="One community"
)
def community_detail(request: HttpRequest, code: RegionCode) -> dict:
    selectors.require_viewer(request.user)
    community = selectors.community_get(request.user, code)
    community.community_profile = selectors.profile_of(community)
    out = _profile_out(community)
    out["compliance"] = _compliance_out(selectors.community_compliance(request.user, community))
    return out


@router.patch(
    "/communities/{code}",
    response={200: ProfileDetailOut, **ERRORS_404},
    summary="Change a community's profile",
)
def community_update(request: HttpRequest, code: RegionCode, data: ProfileIn) -> dict:
    """Audited field by field; invalid values answer 422 and change nothing."""
    selectors.require_viewer(request.user)
    community = selectors.community_get(request.user, code)
    values = {}
    for key, value in data.dict(exclude_unset=True).items():
        if key == "standardisation_items":
            values[key] = ",".join(value or [])
        else:
            values[key] = "" if value is None else str(value)
    services.profile_update(actor=request.user, community=community, values=values)
    return community_detail(request, code)


class SummaryRow(Schema):
    code: str
    name: str
    communities: int
    compliant: int
    compliant_share: float | None
    passed: dict[str, int]
    shares: dict[str, float | None]
    no_data: int
    assessed: int
    unknown: int


class StandardsOut(Schema):
    region: SummaryRow
    rows: list[SummaryRow]
    gaps: list[ComplianceOut]


def _summary_row(region, s) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "communities": s.communities,
        "compliant": s.compliant,
        "compliant_share": s.compliant_share,
        "passed": s.passed,
        "shares": {c: s.share(c) for c in CRITERIA},
        "no_data": s.no_data,
        "assessed": s.assessed,
        "unknown": s.unknown,
    }


@router.get(
    "/standards",
    response={200: StandardsOut, **ERRORS_404},
    summary="三有一化 compliance of a region",
)
def standards_summary(request: HttpRequest, region: Text = "", gaps_limit: int = 200) -> dict:
    """The city, a district or a street (default: your scope): counts and shares of the
    communities meeting each criterion, per child region, and the communities not meeting all
    four. A community lacking a figure is not counted as failing: `compliant_share` is taken over
    the `assessed` communities and each share over those with that figure; `unknown` cannot be
    judged until their data is entered."""
    selectors.require_viewer(request.user)
    r = selectors.region_in_scope(request.user, region or selectors.home_region(request.user))
    summary = selectors.standards_summary(request.user, r)
    return {
        "region": _summary_row(r, summary.total),
        "rows": [_summary_row(child, s) for child, s in summary.rows],
        "gaps": [
            _compliance_out(g) for g in summary.not_compliant[: max(0, min(gaps_limit, 10000))]
        ],
    }


class SubItemOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    id: int
    code: str
    name: str
    life_circle: int | None
    facility_category: str
    sub_items: list[SubItemOut]


class CategoryOut(Schema):
    code: str
    name: str
    items: list[ItemOut]


class CatalogueOut(Schema):
    id: int
    name: str
    published: bool
    is_reference: bool
    note: str
    categories: list[CategoryOut]


@router.get(
    "/catalogue", response={200: CatalogueOut, **ERRORS_404}, summary="The published catalogue"
)
def catalogue(request: HttpRequest) -> dict:
    """The published version of the service catalogue (a reference catalogue is marked
    `is_reference`: it is not the official 1060 list)."""
    selectors.require_viewer(request.user)
    version = selectors.catalogue_published()
    if version is None:
        from shoushan.core.errors import NotFound

        raise NotFound(gettext("No catalogue version is published yet."))
    return {
        "id": version.pk,
        "name": version.name,
        "published": version.published,
        "is_reference": version.is_reference,
        "note": version.note,
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "items": [
                    {
                        "id": i.pk,
                        "code": i.code,
                        "name": i.name,
                        "life_circle": i.life_circle,
                        "facility_category": i.facility_category,
                        "sub_items": [{"code": s.code, "name": s.name} for s in i.sub_items.all()],
                    }
                    for i in c.items.all()
                ],
            }
            for c in selectors.catalogue_tree(version)
        ],
    }


class ItemCoverageOut(Schema):
    item_id: int
    code: str
    name: str
    provided: int
    nearby: int
    not_provided: int
    unrecorded: int
    share: float | None


class CategoryCoverageOut(Schema):
    code: str
    name: str
    share: float | None
    complete: int
    items: list[ItemCoverageOut]


class RegionCoverageOut(Schema):
    code: str
    name: str
    communities: int
    share_provided: float | None


class CoverageOut(Schema):
    region: str
    communities: int
    categories: list[CategoryCoverageOut]
    regions: list[RegionCoverageOut]


@router.get(
    "/catalogue/coverage",
    response={200: CoverageOut, **ERRORS_404},
    summary="Coverage of the catalogue in a region",
)
def catalogue_coverage(request: HttpRequest, region: Text = "") -> dict:
    selectors.require_viewer(request.user)
    r = selectors.region_in_scope(request.user, region or selectors.home_region(request.user))
    version = selectors.catalogue_published()
    if version is None:
        from shoushan.core.errors import NotFound

        raise NotFound(gettext("No catalogue version is published yet."))
    cov = selectors.catalogue_coverage(request.user, version, within=r.code)
    return {
        "region": r.code,
        "communities": cov["communities"],
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "share": c.share,
                "complete": c.complete,
                "items": [
                    {
                        "item_id": i.item.pk,
                        "code": i.item.code,
                        "name": i.item.name,
                        "provided": i.provided,
                        "nearby": i.nearby,
                        "not_provided": i.not_provided,
                        "unrecorded": i.unrecorded,
                        "share": i.share,
                    }
                    for i in c.items
                ],
            }
            for c in cov["categories"]
        ],
        "regions": [
            {"code": g.code, "name": g.name, "communities": n, "share_provided": s}
            for g, n, s in cov["regions"]
        ],
    }


class ChecklistEntryOut(Schema):
    item_id: int
    code: str
    name: str
    status: str | None
    evidence: str
    evidence_url: str


class ChecklistEntryIn(Schema):
    item_id: int = Field(..., ge=1, le=2**31 - 1)
    status: str
    evidence: str = ""
    evidence_url: str = ""


def _checklist(community) -> list[dict]:
    version = selectors.catalogue_published()
    if version is None:
        return []
    return [
        {
            "item_id": item.pk,
            "code": item.code,
            "name": item.name,
            "status": entry.status if entry else None,
            "evidence": entry.evidence if entry else "",
            "evidence_url": entry.evidence_url if entry else "",
        }
        for _cat, items in selectors.checklist_of(community, version)
        for item, entry in items
    ]


@router.get(
    "/communities/{code}/checklist",
    response={200: list[ChecklistEntryOut], **ERRORS_404},
    summary="A community's service checklist",
)
def checklist(request: HttpRequest, code: RegionCode) -> list[dict]:
    selectors.require_viewer(request.user)
    return _checklist(selectors.community_get(request.user, code))


@router.put(
    "/communities/{code}/checklist",
    response={200: list[ChecklistEntryOut], **ERRORS_404},
    summary="Record entries of a community's checklist",
)
def checklist_update(
    request: HttpRequest, code: RegionCode, entries: list[ChecklistEntryIn]
) -> list:
    """Status: provided, nearby or not_provided. Each change is audited; a bad entry answers
    422 and nothing changes."""
    selectors.require_viewer(request.user)
    community = selectors.community_get(request.user, code)
    services.checklist_update(
        actor=request.user,
        community=community,
        changes=[services.ChecklistChange(**e.dict()) for e in entries],
    )
    return _checklist(community)


class FacilityOut(Schema):
    id: int
    external_id: str
    name: str
    category: str
    item_code: str | None
    longitude: float
    latitude: float
    hours: str
    provider: str
    community_code: str | None
    source: str
    generated: bool

    @staticmethod
    def resolve_item_code(obj) -> str | None:
        return obj.item.code if obj.item_id else None

    @staticmethod
    def resolve_community_code(obj) -> str | None:
        return obj.community_id


class FacilityPage(Schema):
    count: int
    items: list[FacilityOut]


@router.get("/facilities", response={200: FacilityPage, **ERRORS_404}, summary="Facilities")
def facility_list(
    request: HttpRequest,
    region: Text = "",
    category: Text = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    selectors.require_viewer(request.user)
    if region:
        selectors.region_in_scope(request.user, region)
    qs = selectors.facilities(request.user, within=region or None, category=category)
    items, count = page_of(qs, page=page, page_size=page_size)
    return {"count": count, "items": items}


class CircleDistrictOut(Schema):
    code: str
    name: str
    communities: int
    facilities: int
    shares: dict[int, float | None]


class CircleOriginOut(Schema):
    code: str
    name: str
    lon: float
    lat: float
    estimated: bool
    missing_15: list[str]
    minutes: dict[str, float | None]


class SiteOut(Schema):
    node_id: int
    lon: float
    lat: float
    gain: float
    origins_covered: int


class ServiceCircleOut(Schema):
    region: str
    speed_kmh: float
    required: list[str]
    total: dict[int, float | None]
    residents: dict[int, float | None]
    category_shares: dict[str, float | None]
    districts: list[CircleDistrictOut]
    communities: list[CircleOriginOut]
    suggestions: list[SiteOut]


@router.get(
    "/service-circle",
    response={200: ServiceCircleOut, **ERRORS_404},
    summary="The 15-minute service circle of a region",
)
def service_circle(
    request: HttpRequest, region: Text = "", category: Text = "", k: int = 0
) -> dict:
    """Shares of urban communities reaching every required category within 5, 10 and 15
    minutes' walk (4 km/h) on the demo network, by district; each community's gaps; and, with
    `category` and `k`, k suggested sites for new facilities of that category. 404 when the
    network is not at hand."""
    from shoushan.community import service_circle as circle
    from shoushan.core.errors import NotFound

    selectors.require_viewer(request.user)
    r = selectors.region_in_scope(request.user, region or selectors.home_region(request.user))
    analysis = circle.analyse(request.user, r, suggest_category=category, k=max(0, min(k, 20)))
    if analysis is None:
        raise NotFound(gettext("The walking network is not at hand on this server."))
    return {
        "region": r.code,
        "speed_kmh": analysis.speed_kmh,
        "required": analysis.required,
        "total": analysis.total,
        "residents": analysis.residents,
        "category_shares": analysis.category_shares,
        "districts": [
            {
                "code": d.region.code,
                "name": d.region.name,
                "communities": d.communities,
                "facilities": d.facilities,
                "shares": d.shares,
            }
            for d in analysis.districts
        ],
        "communities": [
            {
                "code": o.code,
                "name": o.name,
                "lon": o.lon,
                "lat": o.lat,
                "estimated": o.estimated,
                "missing_15": list(o.missing[15]),
                "minutes": o.minutes,
            }
            for o in analysis.origins
        ],
        "suggestions": [
            {
                "node_id": s.node_id,
                "lon": s.lon,
                "lat": s.lat,
                "gain": s.gain,
                "origins_covered": s.origins_covered,
            }
            for s in analysis.suggestions
        ],
    }
