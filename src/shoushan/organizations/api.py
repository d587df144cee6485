"""The social-organisation API: the registry within the caller's scope, status changes, annual
inspections, credit lists, penalties, eligibility, hubs, incubators, building workstations, file
imports, and the public look-up (no sign-in). Mounted at /api/v1/organizations."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from shoushan.accounts.api_auth import API_AUTH
from shoushan.accounts.personal import personal_values
from shoushan.core.api import AUTH_ERRORS, JobOut, error_responses, job_out
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.jobs import job_get
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.organizations import selectors, services, tasks
from shoushan.organizations.models import (
    AnnualInspection,
    CreditListEntry,
    Rating,
    SocialOrganization,
    StatusEvent,
)

router = Router(tags=["organizations"], auth=API_AUTH)

RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A plain ISO date in a query: pydantic alone would also read "0" as a Unix time (1970-01-01).
ISO_DAY = Query("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD")


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(
            _("Not a date: %(value)s (write 2024-05-31).") % {"value": text}
        ) from None


# 三个同步: the party-building status reported with a registration or an inspection (both or
# neither), kept by the party-building app.
PARTY_STATUS = Field("", description="own, joint, work or none")
PARTY_MEMBERS = Field(None, ge=0, le=1_000_000, description="full party members among its staff")


class CheckOut(Schema):
    label: str
    ok: bool
    detail: str


class EligibilityOut(Schema):
    on: date
    eligible: bool
    checks: list[CheckOut]
    reasons: list[str]


class RatingOut(Schema):
    grade: int
    awarded_on: date
    valid_until: date
    ended_on: date | None
    end: str
    authority: str


class ListEntryOut(Schema):
    id: int
    list: str
    entered_on: date | None
    entry_reason: str
    exited_on: date | None
    exit_reason: str


class OrganizationOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    authority_code: str
    level: str
    region_code: str
    field: str
    registered_on: date | None
    status: str
    is_generated: bool


class OrganizationPage(Schema):
    count: int
    items: list[OrganizationOut]


class StatusEventOut(Schema):
    kind: str
    on: date
    status: str
    reason: str


class InspectionOut(Schema):
    year: int
    due_on: date
    submitted_on: date | None
    result: str
    decided_on: date | None
    rectification_due: date | None
    rectification_outcome: str
    rectified_on: date | None
    note: str


class ServiceRecordOut(Schema):
    project: str
    buyer: str
    reference: str
    amount: str
    grade: str
    evaluated_on: date
    evaluator: str


class OrganizationDetailOut(OrganizationOut):
    business_scope: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str
    status_events: list[StatusEventOut]
    inspections: list[InspectionOut]
    rating: RatingOut | None
    ratings: list[RatingOut]
    lists: list[ListEntryOut]
    services_delivered: list[ServiceRecordOut]
    eligibility: EligibilityOut
    flagged_for_revocation: bool


class OrganizationIn(Schema):
    name: str
    credit_code: str
    kind: str
    authority: str
    region_code: str = ""
    field: str = ""
    business_scope: str = ""
    registered_on: date
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    party_status: str = PARTY_STATUS
    party_members: int | None = PARTY_MEMBERS


class StatusChangeIn(Schema):
    kind: str
    on: date
    reason: str


class InspectionIn(Schema):
    year: int
    submitted_on: date | None = None
    result: str = ""
    decided_on: date | None = None
    rectification_outcome: str = ""
    rectified_on: date | None = None
    note: str = ""
    party_status: str = PARTY_STATUS
    party_members: int | None = PARTY_MEMBERS


class ListEntryIn(Schema):
    list: str
    entered_on: date
    entry_reason: str


class ListExitIn(Schema):
    on: date
    reason: str


class PenaltyIn(Schema):
    decided_on: date
    kind: str
    reference: str = ""
    reason: str = ""


class PublicOut(Schema):
    name: str
    credit_code: str
    kind: str
    authority_code: str
    status: str
    registered_on: date | None
    rating: RatingOut | None
    lists: list[ListEntryOut]


def _detail(request: HttpRequest, organization: SocialOrganization) -> dict:
    today = timezone.localdate()
    shown = personal_values(
        request.user, [organization], SocialOrganization.PERSONAL_FIELDS, purpose="api"
    )[0]
    eligibility = selectors.eligibility_of(organization, today)
    flagged = selectors.revocation_flagged(SocialOrganization.objects.filter(pk=organization.pk))
    return {
        **{f: getattr(organization, f) for f in OrganizationOut.model_fields},
        "business_scope": organization.business_scope,
        "address": organization.address,
        **shown,
        "status_events": list(StatusEvent.objects.filter(organization=organization)),
        "inspections": list(AnnualInspection.objects.filter(organization=organization)),
        "rating": selectors.rating_in_force(organization, today),
        "ratings": list(Rating.objects.filter(organization=organization)),
        "lists": list(CreditListEntry.objects.filter(organization=organization)),
        "services_delivered": [
            {**{f: getattr(r, f) for f in ServiceRecordOut.model_fields}, "amount": str(r.amount)}
            for r in organization.service_records.all()
        ],
        "eligibility": _eligibility(eligibility, today),
        "flagged_for_revocation": organization.pk in flagged,
    }


def _eligibility(eligibility: selectors.Eligibility, on: date) -> dict:
    return {
        "on": on,
        "eligible": eligibility.eligible,
        "checks": [{"label": c.label, "ok": c.ok, "detail": c.detail} for c in eligibility.checks],
        "reasons": eligibility.reasons,
    }


@router.get("", response={200: OrganizationPage, **AUTH_ERRORS}, summary="The registry")
def organization_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    status: str = "",
    field: str = "",
    region_code: str = "",
    as_of: str = ISO_DAY,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    """Organisations within your scope; `q` a fragment of the name or the start of the code;
    `as_of` the registry as it stood that day (status from the dated events)."""
    found = selectors.organization_search(
        request.user,
        q=q,
        kind=kind,
        status=status,
        field=field,
        region_code=region_code,
        as_of=_iso_day(as_of),
    )
    items, count = page_of(found, page=page, page_size=page_size)
    if as_of:
        for item in items:
            item.status = item.status_then
    return {"count": count, "items": items}


@router.post(
    "",
    response={201: OrganizationDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Register an organisation",
)
def organization_register(request: HttpRequest, body: OrganizationIn):
    """The code's check character, kind digit and authority's division must agree (422)."""
    values = body.dict()
    values["registered_on"] = body.registered_on.isoformat()
    organization = services.organization_register(actor=request.user, values=values)
    return Status(201, _detail(request, organization))


@router.get(
    "/eligibility",
    response={200: dict[int, EligibilityOut], **AUTH_ERRORS},
    summary="Eligibility of many organisations",
)
def eligibility_list(request: HttpRequest, ids: Query[list[RecordId]], on: str = ISO_DAY):
    """By id (at most 500), within your scope; each explained check by check."""
    if len(ids) > 500:
        raise InvalidInput(_("At most 500 ids."))
    day = _iso_day(on) or timezone.localdate()
    found = selectors.eligibility_map(
        selectors.organizations_visible(request.user).filter(pk__in=ids), day
    )
    return {pk: _eligibility(e, day) for pk, e in found.items()}


@router.get(
    "/lookup",
    auth=None,
    response={200: list[PublicOut], **error_responses(400, 422)},
    summary="Public look-up (no sign-in)",
)
def public_lookup(request: HttpRequest, q: str):
    """By the exact credit code or a fragment of the name: what the law makes public."""
    today = timezone.localdate()
    return [selectors.public_record(o, today) for o in selectors.public_lookup(q)]


@router.get(
    "/imports/{job_id}",
    response={200: JobOut, **AUTH_ERRORS, **error_responses(404)},
    summary="How an import went",
)
def import_status(request: HttpRequest, job_id: int):
    """`outcome.problems` lists every problem (row, column, reason) of a refused file."""
    return job_out(job_get(request.user, job_id))


@router.post(
    "/imports",
    response={202: JobOut, **AUTH_ERRORS},
    summary="Import a CSV or xlsx file (registry, inspections, ratings, lists)",
)
def import_start(request: HttpRequest, kind: str, file: File[UploadedFile]):
    """`kind`: registry, inspections, ratings or lists. All or nothing: follow the job at
    /imports/{job_id}."""
    job = tasks.organizations_import_start(actor=request.user, kind=kind, upload=file)
    return Status(202, job_out(job))


class HubOut(Schema):
    id: int
    name: str
    level: str
    region_code: str
    field: str
    batch: int | None
    recognised_on: date | None
    member_count: int
    is_generated: bool


class MemberOut(Schema):
    organization_id: int
    name: str
    credit_code: str
    joined_on: date
    last_inspection_year: int | None
    last_inspection_result: str
    rating: int | None
    lists: list[str]
    eligible: bool


@router.get("/hubs", response={200: list[HubOut], **AUTH_ERRORS}, summary="Hub organisations")
def hub_list(request: HttpRequest):
    return list(selectors.hubs_visible(request.user))


@router.get(
    "/hubs/{hub_id}/members",
    response={200: list[MemberOut], **AUTH_ERRORS, **error_responses(404)},
    summary="A hub's members with their standing",
)
def hub_members(request: HttpRequest, hub_id: int):
    hub = selectors.hub_get(request.user, hub_id)
    return [
        {
            "organization_id": m.membership.organization_id,
            "name": m.membership.organization.name,
            "credit_code": m.membership.organization.credit_code,
            "joined_on": m.membership.joined_on,
            "last_inspection_year": m.inspection.year if m.inspection else None,
            "last_inspection_result": m.inspection.result if m.inspection else "",
            "rating": m.rating.grade if m.rating else None,
            "lists": m.lists,
            "eligible": m.eligibility.eligible,
        }
        for m in selectors.hub_members(request.user, hub, timezone.localdate())
    ]


class StreetShareOut(Schema):
    region_code: str
    name: str
    buildings: int
    with_workstation: int
    share: float | None


@router.get(
    "/workstations/share",
    response={200: list[StreetShareOut], **AUTH_ERRORS},
    summary="Commercial buildings with a workstation, per street",
)
def workstation_share(request: HttpRequest, region_code: str = ""):
    """share = buildings with a workstation ÷ the street's commercial buildings."""
    return [
        {**vars(s), "share": s.share}
        for s in selectors.workstation_share_by_street(request.user, region_code)
    ]


@router.get(
    "/{organization_id}",
    response={200: OrganizationDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One organisation with its record and eligibility",
)
def organization_detail(request: HttpRequest, organization_id: int):
    return _detail(request, selectors.organization_get(request.user, organization_id))


@router.post(
    "/{organization_id}/status",
    response={200: OrganizationDetailOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Suspend, resume, deregister or revoke",
)
def status_change(request: HttpRequest, organization_id: int, body: StatusChangeIn):
    organization = selectors.organization_get(request.user, organization_id)
    services.organization_status_change(
        actor=request.user, organization=organization, **body.dict()
    )
    organization.refresh_from_db()
    return _detail(request, organization)


@router.post(
    "/{organization_id}/inspections",
    response={200: InspectionOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Record a year's annual inspection",
)
def inspection_record(request: HttpRequest, organization_id: int, body: InspectionIn):
    """Results: passed (合格), basically_passed (基本合格), failed (不合格)."""
    organization = selectors.organization_get(request.user, organization_id)
    values = {k: ("" if v is None else v) for k, v in body.dict().items()}
    return services.inspection_record(actor=request.user, organization=organization, values=values)


@router.post(
    "/{organization_id}/lists",
    response={201: ListEntryOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Enter the organisation on a credit list",
)
def list_enter(request: HttpRequest, organization_id: int, body: ListEntryIn):
    """Lists: abnormal (活动异常名录), dishonest (严重违法失信名单)."""
    organization = selectors.organization_get(request.user, organization_id)
    return Status(
        201,
        services.list_entry_add(actor=request.user, organization=organization, values=body.dict()),
    )


@router.post(
    "/{organization_id}/lists/{entry_id}/exit",
    response={200: ListEntryOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Take the organisation off a credit list",
)
def list_exit(request: HttpRequest, organization_id: int, entry_id: int, body: ListExitIn):
    organization = selectors.organization_get(request.user, organization_id)
    entry = organization.list_entries.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such record in your scope."))
    return services.list_entry_exit(actor=request.user, entry=entry, on=body.on, reason=body.reason)


@router.post(
    "/{organization_id}/penalties",
    response={201: PenaltyIn, **AUTH_ERRORS, **error_responses(404)},
    summary="Record an administrative penalty",
)
def penalty_record(request: HttpRequest, organization_id: int, body: PenaltyIn):
    organization = selectors.organization_get(request.user, organization_id)
    return Status(
        201,
        services.penalty_record(actor=request.user, organization=organization, **body.dict()),
    )
