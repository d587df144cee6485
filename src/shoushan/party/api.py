"""The party-building API: the two coverages by region and sector with their definitions, units
with their coverage explained, party organisations, the enterprise register, instructors and
their visits, warnings, regional alliances, and file imports. Mounted at /api/v1/party."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, StrictInt

from shoushan.accounts.api_auth import API_AUTH
from shoushan.accounts.personal import personal_values
from shoushan.core.api import AUTH_ERRORS, JobOut, ObjectSchema, error_responses, job_out
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import job_get
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.party import selectors, services, tasks
from shoushan.party.models import Instructor, PartyOrganization, Unit

router = Router(tags=["party"], auth=API_AUTH)

RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
REGION = Query("", pattern=r"^(\d{12})?$", description="a 12-digit region code")


class DefinitionOut(Schema):
    name: str
    formula: str
    source: str
    direction: str


class TallyOut(Schema):
    label: str
    region_code: str
    sector: str
    field: str
    operating: int
    own: int
    joint: int
    work_only: int
    none: int
    organization_covered: int
    work_covered: int
    organization_rate: float | None
    work_rate: float | None


class PartyCoverageOut(Schema):
    region_code: str
    region_name: str
    total: TallyOut
    by_region: list[TallyOut]
    by_sector: list[TallyOut]
    definitions: dict[str, DefinitionOut]


def _definitions() -> dict:
    return {k: {f: str(v) for f, v in d.items()} for k, d in selectors.DEFINITIONS.items()}


@router.get(
    "/coverage",
    response={200: PartyCoverageOut, **AUTH_ERRORS, **error_responses(404)},
    summary="The two coverages by region and by sector",
)
def coverage(request: HttpRequest, region_code: str = REGION):
    """For the region (default: your widest scope): its operating units by coverage, for each
    region one level down and for each sector (social organisations by field)."""
    found = selectors.coverage(request.user, region_code)
    return {
        "region_code": found.region.code,
        "region_name": found.region.name,
        "total": found.total.as_dict(),
        "by_region": [t.as_dict() for t in found.by_region],
        "by_sector": [t.as_dict() for t in found.by_sector],
        "definitions": _definitions(),
    }


class UnitOut(Schema):
    id: int
    key: str
    sector: str
    name: str
    region_code: str
    field: str
    operating: bool
    full_members: int
    union_work: bool
    youth_league_work: bool
    instructor_id: int | None
    coverage: str
    is_generated: bool


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class StatusReportOut(Schema):
    occasion: str
    on: date
    reference: str
    status: str
    full_members: int


class UnitDetailOut(UnitOut):
    explanation: list[str]
    party_organization_ids: list[int]
    status_reports: list[StatusReportOut]


def _unit_detail(unit: Unit) -> dict:
    return {
        **UnitOut.from_orm(unit).dict(),
        "explanation": selectors.unit_explained(unit),
        "party_organization_ids": list(
            unit.party_organizations.filter(dissolved_on=None).values_list("pk", flat=True)
        ),
        "status_reports": list(unit.status_reports.all()[:50]),
    }


@router.get("/units", response={200: UnitPage, **AUTH_ERRORS}, summary="Units and their coverage")
def unit_list(
    request: HttpRequest,
    region_code: str = REGION,
    sector: str = "",
    field: str = "",
    coverage: str = "",
    uncovered: str = Query("", pattern=r"^(organization|work)?$"),
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    """`uncovered=organization`: the operating units with neither their own nor a joint
    organisation; `uncovered=work`: those with no coverage at all. `coverage`: own, joint, work
    or none."""
    found = selectors.units_search(
        request.user,
        region_code=region_code,
        sector=sector,
        field=field,
        coverage=coverage,
        uncovered=uncovered,
        q=q,
    )
    items, count = page_of(found, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get(
    "/units/{unit_id}",
    response={200: UnitDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One unit, its coverage explained",
)
def unit_detail(request: HttpRequest, unit_id: RecordId):
    return _unit_detail(selectors.unit_get(request.user, unit_id))


class UnitWorkIn(Schema):
    full_members: StrictInt = Field(ge=0, le=1_000_000)
    union_work: StrictBool
    youth_league_work: StrictBool


@router.post(
    "/units/{unit_id}/work",
    response={200: UnitDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Record members, union and youth-league work",
)
def unit_work(request: HttpRequest, unit_id: RecordId, body: UnitWorkIn):
    unit = selectors.unit_get(request.user, unit_id)
    services.unit_work_set(actor=request.user, unit=unit, values=body.dict())
    return _unit_detail(selectors.unit_get(request.user, unit_id))


class AssignIn(ObjectSchema):
    instructor_id: RecordId | None = None


@router.post(
    "/units/{unit_id}/instructor",
    response={200: UnitDetailOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Assign an instructor (or none)",
)
def unit_instructor(request: HttpRequest, unit_id: RecordId, body: AssignIn):
    unit = selectors.unit_get(request.user, unit_id)
    instructor = (
        selectors.instructor_get(request.user, body.instructor_id) if body.instructor_id else None
    )
    services.instructor_assign(actor=request.user, unit=unit, instructor=instructor)
    return _unit_detail(selectors.unit_get(request.user, unit_id))


# ---- party organisations -----------------------------------------------------------------------


class PartyOrganizationOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    unit_keys: list[str]
    full_members: int
    probationary_members: int
    secretary_name: str
    secretary_phone: str
    established_on: date
    term_start: date
    term_end: date
    dissolved_on: date | None
    warnings: list[str]
    is_generated: bool


class PartyOrganizationPage(Schema):
    count: int
    items: list[PartyOrganizationOut]


def _organizations_out(request, organizations: list[PartyOrganization]) -> list[dict]:
    personal = personal_values(
        request.user, organizations, PartyOrganization.PERSONAL_FIELDS, purpose="api"
    )
    keys: dict[int, list[str]] = {}
    for organization_id, key in PartyOrganization.units.through.objects.filter(
        partyorganization__in=organizations
    ).values_list("partyorganization_id", "unit__key"):
        keys.setdefault(organization_id, []).append(key)
    today = timezone.localdate()
    return [
        {
            **{
                f: getattr(o, f)
                for f in PartyOrganizationOut.model_fields
                if f not in ("unit_keys", "warnings", *PartyOrganization.PERSONAL_FIELDS)
            },
            **values,
            "unit_keys": sorted(keys.get(o.pk, [])),
            "warnings": selectors.organization_warnings(o, today, len(keys.get(o.pk, []))),
        }
        for o, values in zip(organizations, personal, strict=True)
    ]


@router.get(
    "/organizations",
    response={200: PartyOrganizationPage, **AUTH_ERRORS},
    summary="Party organisations",
)
def organization_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    region_code: str = REGION,
    include_dissolved: bool = False,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    found = selectors.party_organizations_visible(
        request.user, q=q, kind=kind, region_code=region_code, active=not include_dissolved
    )
    items, count = page_of(found, page=page, page_size=page_size)
    return {"count": count, "items": _organizations_out(request, items)}


class PartyOrganizationIn(Schema):
    name: str
    kind: str = Field(description="committee, general_branch, branch or joint_branch")
    units: list[str] = Field(description="unit keys: region or credit codes, building-<id>")
    full_members: StrictInt
    probationary_members: StrictInt = 0
    secretary_name: str = ""
    secretary_phone: str = ""
    established_on: date
    term_start: date
    term_end: date


@router.post(
    "/organizations",
    response={201: PartyOrganizationOut, **AUTH_ERRORS},
    summary="Record a party organisation over its unit(s)",
)
def organization_create(request: HttpRequest, body: PartyOrganizationIn):
    """A joint branch covers 2 to 5 units, any other kind exactly one; each unit operating,
    in your scope and not covered by another organisation; the term within its kind's limit."""
    organization = services.party_organization_create(actor=request.user, values=body.dict())
    return Status(201, _organizations_out(request, [organization])[0])


@router.get(
    "/organizations/{organization_id}",
    response={200: PartyOrganizationOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One party organisation",
)
def organization_detail(request: HttpRequest, organization_id: RecordId):
    organization = selectors.party_organization_get(request.user, organization_id)
    return _organizations_out(request, [organization])[0]


class PartyOrganizationChangeIn(ObjectSchema):
    name: str | None = None
    kind: str | None = None
    units: list[str] | None = None
    full_members: StrictInt | None = None
    probationary_members: StrictInt | None = None
    secretary_name: str | None = None
    secretary_phone: str | None = None
    term_start: date | None = None
    term_end: date | None = None


@router.patch(
    "/organizations/{organization_id}",
    response={200: PartyOrganizationOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Change members, term, secretary or units",
)
def organization_change(
    request: HttpRequest, organization_id: RecordId, body: PartyOrganizationChangeIn
):
    organization = selectors.party_organization_get(request.user, organization_id)
    services.party_organization_update(
        actor=request.user, organization=organization, values=body.dict(exclude_none=True)
    )
    return _organizations_out(
        request, [selectors.party_organization_get(request.user, organization_id)]
    )[0]


class DissolveIn(Schema):
    on: date
    reason: str


@router.post(
    "/organizations/{organization_id}/dissolve",
    response={200: PartyOrganizationOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Dissolve a party organisation",
)
def organization_dissolve(request: HttpRequest, organization_id: RecordId, body: DissolveIn):
    organization = selectors.party_organization_get(request.user, organization_id)
    services.party_organization_dissolve(
        actor=request.user, organization=organization, **body.dict()
    )
    return _organizations_out(request, [organization])[0]


# ---- enterprises -------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    region_code: str
    operating: bool
    employees: int
    full_members: int
    unit_id: int
    is_generated: bool


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]


def _enterprise_out(enterprise) -> dict:
    return {
        **{f: getattr(enterprise, f) for f in ("id", "name", "credit_code", "region_code")},
        "operating": enterprise.operating,
        "employees": enterprise.employees,
        "full_members": enterprise.unit.full_members,
        "unit_id": enterprise.unit.pk,
        "is_generated": enterprise.is_generated,
    }


@router.get(
    "/enterprises", response={200: EnterprisePage, **AUTH_ERRORS}, summary="Non-public enterprises"
)
def enterprise_list(
    request: HttpRequest,
    q: str = "",
    region_code: str = REGION,
    operating: str = Query("", pattern=r"^[01]?$"),
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    found = selectors.enterprises_visible(
        request.user, q=q, region_code=region_code, operating=operating
    )
    items, count = page_of(found, page=page, page_size=page_size)
    return {"count": count, "items": [_enterprise_out(e) for e in items]}


class EnterpriseIn(Schema):
    name: str
    credit_code: str
    region_code: str = Field(description="the street's 12-digit code")
    operating: StrictBool = True
    employees: StrictInt = 0
    full_members: StrictInt = 0
    building_id: RecordId | None = None


@router.post(
    "/enterprises",
    response={201: EnterpriseOut, **AUTH_ERRORS},
    summary="Register a non-public enterprise",
)
def enterprise_register(request: HttpRequest, body: EnterpriseIn):
    """A valid credit code not registered already; a street in your scope (422 otherwise)."""
    enterprise = services.enterprise_register(actor=request.user, values=body.dict())
    return Status(201, _enterprise_out(selectors.enterprise_get(request.user, enterprise.pk)))


class EnterpriseChangeIn(ObjectSchema):
    operating: StrictBool | None = None
    employees: StrictInt | None = None
    full_members: StrictInt | None = None


@router.patch(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Change an enterprise's operating state, employees or members",
)
def enterprise_change(request: HttpRequest, enterprise_id: RecordId, body: EnterpriseChangeIn):
    enterprise = selectors.enterprise_get(request.user, enterprise_id)
    services.enterprise_update(
        actor=request.user, enterprise=enterprise, values=body.dict(exclude_none=True)
    )
    return _enterprise_out(selectors.enterprise_get(request.user, enterprise_id))


# ---- instructors -------------------------------------------------------------------------------


class InstructorOut(Schema):
    id: int
    name: str
    phone: str
    region_code: str
    sent_by: str
    appointed_on: date
    ended_on: date | None
    unit_count: int
    last_visit: date | None
    is_generated: bool


def _instructors_out(request, instructors: list[Instructor]) -> list[dict]:
    personal = personal_values(request.user, instructors, Instructor.PERSONAL_FIELDS, purpose="api")
    return [
        {
            "id": i.pk,
            "region_code": i.region_code,
            "sent_by": i.sent_by,
            "appointed_on": i.appointed_on,
            "ended_on": i.ended_on,
            "unit_count": getattr(i, "unit_count", 0),
            "last_visit": getattr(i, "last_visit", None),
            "is_generated": i.is_generated,
            **values,
        }
        for i, values in zip(instructors, personal, strict=True)
    ]


@router.get(
    "/instructors",
    response={200: list[InstructorOut], **AUTH_ERRORS},
    summary="Party-building instructors",
)
def instructor_list(request: HttpRequest, include_ended: bool = False):
    return _instructors_out(
        request, list(selectors.instructors_visible(request.user, active=not include_ended))
    )


class InstructorIn(Schema):
    name: str
    phone: str = ""
    region_code: str = Field(description="the street's 12-digit code")
    sent_by: str = ""
    appointed_on: date


@router.post(
    "/instructors",
    response={201: InstructorOut, **AUTH_ERRORS},
    summary="Appoint an instructor",
)
def instructor_appoint(request: HttpRequest, body: InstructorIn):
    instructor = services.instructor_appoint(actor=request.user, values=body.dict())
    found = selectors.instructors_visible(request.user).get(pk=instructor.pk)
    return Status(201, _instructors_out(request, [found])[0])


class VisitIn(Schema):
    unit_id: RecordId
    on: date
    summary: str


class VisitOut(Schema):
    id: int
    unit_id: int
    on: date
    summary: str


@router.post(
    "/instructors/{instructor_id}/visits",
    response={201: VisitOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Record an instructor's visit to an assigned unit",
)
def visit_record(request: HttpRequest, instructor_id: RecordId, body: VisitIn):
    instructor = selectors.instructor_get(request.user, instructor_id)
    unit = selectors.unit_get(request.user, body.unit_id)
    visit = services.visit_record(
        actor=request.user, instructor=instructor, unit=unit, on=body.on, summary=body.summary
    )
    return Status(201, visit)


@router.get(
    "/instructors/{instructor_id}/visits",
    response={200: list[VisitOut], **AUTH_ERRORS, **error_responses(404)},
    summary="An instructor's visit log",
)
def visit_list(request: HttpRequest, instructor_id: RecordId):
    return list(selectors.instructor_get(request.user, instructor_id).visits.all()[:500])


# ---- warnings ----------------------------------------------------------------------------------


class WarningOut(Schema):
    kind: str
    id: int
    name: str
    region_code: str
    detail: str


class WarningsOut(Schema):
    counts: dict[str, int]
    items: list[WarningOut]


@router.get(
    "/warnings",
    response={200: WarningsOut, **AUTH_ERRORS},
    summary="What needs attention",
)
def warning_list(
    request: HttpRequest,
    region_code: str = REGION,
    limit: int = Query(200, ge=1, le=1000),
    kind: str = Query("", description="only this kind (all when empty)"),
):
    """Kinds: members_without_own (a unit with 3 or more full members and no organisation of
    its own), joint_over_limit, wrong_kind, term_expired, instructors_without_visit (90 days)."""
    if kind and kind not in selectors.WARNING_KINDS:
        raise InvalidInput(_("Unknown kind."), details={"kind": ", ".join(selectors.WARNING_KINDS)})
    found = selectors.warnings(request.user, today=timezone.localdate(), region_code=region_code)
    return {
        "counts": found.counts(),
        "items": selectors.warning_items(found, limit=limit, kind=kind),
    }


# ---- regional alliances ------------------------------------------------------------------------


class AllianceOut(Schema):
    id: int
    name: str
    region_code: str
    established_on: date
    member_count: int
    project_count: int
    is_generated: bool


class ListItemOut(Schema):
    id: int
    kind: str
    unit_id: int
    title: str
    listed_on: date


class ProjectOut(Schema):
    id: int
    title: str
    need_id: int | None
    resource_ids: list[int]
    unit_ids: list[int]
    started_on: date
    finished_on: date | None
    result: str
    beneficiaries: int


class AllianceDetailOut(AllianceOut):
    member_ids: list[int]
    needs: list[ListItemOut]
    resources: list[ListItemOut]
    projects: list[ProjectOut]


def _alliance_detail(request, alliance_id: int) -> dict:
    alliance = selectors.alliances_visible(request.user).get(pk=alliance_id)
    items = list(alliance.items.all())
    return {
        **AllianceOut.from_orm(alliance).dict(),
        "member_ids": list(alliance.members.values_list("pk", flat=True)),
        "needs": [i for i in items if i.kind == "need"],
        "resources": [i for i in items if i.kind == "resource"],
        "projects": [
            {
                **{f: getattr(p, f) for f in ("id", "title", "need_id", "started_on")},
                "finished_on": p.finished_on,
                "result": p.result,
                "beneficiaries": p.beneficiaries,
                "resource_ids": [r.pk for r in p.resources.all()],
                "unit_ids": [u.pk for u in p.units.all()],
            }
            for p in alliance.projects.prefetch_related("resources", "units")
        ],
    }


@router.get("/alliances", response={200: list[AllianceOut], **AUTH_ERRORS}, summary="Alliances")
def alliance_list(request: HttpRequest):
    return list(selectors.alliances_visible(request.user))


class AllianceIn(Schema):
    name: str
    region_code: str = Field(description="a street's or a district's 12-digit code")
    established_on: date


@router.post(
    "/alliances", response={201: AllianceDetailOut, **AUTH_ERRORS}, summary="Found an alliance"
)
def alliance_create(request: HttpRequest, body: AllianceIn):
    alliance = services.alliance_create(actor=request.user, values=body.dict())
    return Status(201, _alliance_detail(request, alliance.pk))


@router.get(
    "/alliances/{alliance_id}",
    response={200: AllianceDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="An alliance with its three lists",
)
def alliance_detail(request: HttpRequest, alliance_id: RecordId):
    selectors.alliance_get(request.user, alliance_id)
    return _alliance_detail(request, alliance_id)


class MemberIn(Schema):
    key: str = Field(description="the unit's key")


@router.post(
    "/alliances/{alliance_id}/members",
    response={200: AllianceDetailOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Add a member unit",
)
def alliance_member_add(request: HttpRequest, alliance_id: RecordId, body: MemberIn):
    alliance = selectors.alliance_get(request.user, alliance_id)
    services.alliance_member_add(actor=request.user, alliance=alliance, key=body.key)
    return _alliance_detail(request, alliance_id)


class ListItemIn(Schema):
    kind: str = Field(description="need or resource")
    unit_id: RecordId
    title: str
    listed_on: date


@router.post(
    "/alliances/{alliance_id}/items",
    response={200: AllianceDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Put a need or a resource on the lists",
)
def list_item_add(request: HttpRequest, alliance_id: RecordId, body: ListItemIn):
    alliance = selectors.alliance_get(request.user, alliance_id)
    services.list_item_add(
        actor=request.user,
        alliance=alliance,
        kind=body.kind,
        unit_id=body.unit_id,
        title=body.title,
        on=body.listed_on,
    )
    return _alliance_detail(request, alliance_id)


class ProjectIn(Schema):
    title: str
    started_on: date
    unit_ids: list[RecordId]
    need_id: RecordId | None = None
    resource_ids: list[RecordId] = []


@router.post(
    "/alliances/{alliance_id}/projects",
    response={200: AllianceDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Start a joint project",
)
def project_start(request: HttpRequest, alliance_id: RecordId, body: ProjectIn):
    alliance = selectors.alliance_get(request.user, alliance_id)
    services.project_start(actor=request.user, alliance=alliance, **body.dict())
    return _alliance_detail(request, alliance_id)


class ProjectFinishIn(Schema):
    finished_on: date
    result: str
    beneficiaries: StrictInt = Field(ge=0)


@router.post(
    "/alliances/{alliance_id}/projects/{project_id}/finish",
    response={200: AllianceDetailOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Record a joint project's result",
)
def project_finish(
    request: HttpRequest, alliance_id: RecordId, project_id: RecordId, body: ProjectFinishIn
):
    alliance = selectors.alliance_get(request.user, alliance_id)
    project = alliance.projects.filter(pk=project_id).first()
    if project is None:
        raise InvalidInput(_("No such project in this alliance."))
    services.project_finish(actor=request.user, project=project, **body.dict())
    return _alliance_detail(request, alliance_id)


# ---- imports -----------------------------------------------------------------------------------


@router.post(
    "/imports",
    response={202: JobOut, **AUTH_ERRORS},
    summary="Import an xlsx or CSV file (enterprises or party organisations)",
)
def import_start(
    request: HttpRequest,
    kind: str,
    file: File[UploadedFile],
):
    """`kind`: enterprises or organizations. All or nothing: follow the job at
    /imports/{job_id}; a refused file's
    `outcome.problems` names every problem (row, column, reason)."""
    return Status(
        202, job_out(tasks.party_import_start(actor=request.user, kind=kind, upload=file))
    )


@router.get(
    "/imports/{job_id}",
    response={200: JobOut, **AUTH_ERRORS, **error_responses(404)},
    summary="How an import went",
)
def import_status(request: HttpRequest, job_id: RecordId):
    return job_out(job_get(request.user, job_id))
