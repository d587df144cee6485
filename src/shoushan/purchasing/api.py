"""The purchase-of-services API: the guiding catalogue, funds and their ledger, envelopes, calls
with budget lines, awards, contracts with milestones, and payments. Mounted at
/api/v1/purchasing. Amounts go both ways as strings of yuan with at most two decimals
("123456.78"): a JSON number is a binary float, which is not exact to the fen."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StrictStr

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, ObjectSchema, error_responses
from shoushan.core.errors import NotFound
from shoushan.organizations.selectors import hub_get, organization_get
from shoushan.purchasing import giving, selectors, services
from shoushan.purchasing.models import Award, Contract, EnvelopeKind, Fund

router = Router(tags=["purchasing"], auth=API_AUTH)

RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Money = Annotated[StrictStr, Field(description='yuan as a string, e.g. "123456.78"')]
WRITE_ERRORS = {**AUTH_ERRORS, **error_responses(404, 409)}


class CatalogueItemOut(Schema):
    code: str
    level: int
    name: str
    parent_code: str
    excluded_reason: str


@router.get("/catalogue", response={200: list[CatalogueItemOut], **AUTH_ERRORS})
def catalogue(request: HttpRequest, q: str = "", purchasable: bool = False):
    """The guiding catalogue; `purchasable`: only level-3 items the rules allow."""
    return list(selectors.catalogue(q=q, purchasable=purchasable)[:500])


class FundOut(Schema):
    id: int
    name: str
    year: int
    region_code: str
    amount: str
    allocated: str
    is_generated: bool


def _fund(fund: Fund) -> dict:
    return {
        "id": fund.pk,
        "name": fund.name,
        "year": fund.year,
        "region_code": fund.region_code,
        "amount": str(fund.amount),
        "allocated": str(selectors.allocated(fund)),
        "is_generated": fund.is_generated,
    }


@router.get("/funds", response={200: list[FundOut], **AUTH_ERRORS})
def fund_list(request: HttpRequest):
    return [_fund(f) for f in selectors.funds_visible(request.user)]


class FundIn(Schema):
    name: StrictStr
    year: int
    region_code: StrictStr
    amount: Money


@router.post("/funds", response={201: FundOut, **WRITE_ERRORS})
def fund_create(request: HttpRequest, body: FundIn):
    fund = services.fund_create(actor=request.user, values=body.dict())
    return Status(201, _fund(fund))


class LedgerRowOut(Schema):
    key: str
    label: str
    amount: str
    planned: str
    committed: str
    contracted: str
    paid: str
    remaining: str
    children: list["LedgerRowOut"]


class LedgerOut(Schema):
    fund: FundOut
    ledger: LedgerRowOut


def _money_tree(row: dict) -> dict:
    return {
        **{k: (str(v) if k not in ("key", "label", "children") else v) for k, v in row.items()},
        "children": [_money_tree(c) for c in row["children"]],
    }


@router.get("/funds/{fund_id}", response={200: LedgerOut, **AUTH_ERRORS, **error_responses(404)})
def fund_ledger(request: HttpRequest, fund_id: RecordId):
    """The fund → envelopes → calls → budget lines, each with what is set aside, planned,
    committed by awards in force, contracted, paid and left."""
    fund = selectors.fund_get(request.user, fund_id)
    return {"fund": _fund(fund), "ledger": _money_tree(selectors.ledger(fund).as_dict())}


class GivingOut(Schema):
    grants: list[dict]


@router.get(
    "/funds/{fund_id}/360giving", response={200: GivingOut, **AUTH_ERRORS, **error_responses(404)}
)
def fund_giving(request: HttpRequest, fund_id: RecordId):
    """The fund's awards in force as grants of the 360Giving Data Standard (its JSON names)."""
    fund = selectors.fund_get(request.user, fund_id)
    return {"grants": list(giving.grants(fund))}


class EnvelopeIn(ObjectSchema):
    amount: Money


class EnvelopeOut(Schema):
    id: int
    fund_id: int
    kind: str
    amount: str


@router.put("/funds/{fund_id}/envelopes/{kind}", response={200: EnvelopeOut, **WRITE_ERRORS})
def envelope_set(request: HttpRequest, fund_id: RecordId, kind: EnvelopeKind, body: EnvelopeIn):
    """Set aside (or change) the fund's envelope for a kind of service."""
    fund = selectors.fund_get(request.user, fund_id)
    envelope = services.envelope_set(
        actor=request.user, fund=fund, kind=kind, amount_text=body.amount
    )
    return {
        "id": envelope.pk,
        "fund_id": fund.pk,
        "kind": envelope.kind,
        "amount": str(envelope.amount),
    }


class LineIn(Schema):
    item: StrictStr
    title: StrictStr
    amount: Money


class CallIn(Schema):
    title: StrictStr
    directions: StrictStr = ""
    opens_on: date
    closes_on: date
    lines: list[LineIn]


class LineOut(Schema):
    id: int
    item: str
    title: str
    amount: str


class CallOut(Schema):
    id: int
    envelope_id: int
    title: str
    directions: str
    opens_on: date
    closes_on: date
    lines: list[LineOut]


def _call(call) -> dict:
    return {
        "id": call.pk,
        "envelope_id": call.envelope_id,
        "title": call.title,
        "directions": call.directions,
        "opens_on": call.opens_on,
        "closes_on": call.closes_on,
        "lines": [
            {"id": line.pk, "item": line.item.code, "title": line.title, "amount": str(line.amount)}
            for line in call.lines.select_related("item")
        ],
    }


@router.post("/envelopes/{envelope_id}/calls", response={201: CallOut, **WRITE_ERRORS})
def call_open(request: HttpRequest, envelope_id: RecordId, body: CallIn):
    """A call for projects with at least one budget line on a level-3 catalogue item."""
    envelope = selectors.envelope_get(request.user, envelope_id)
    values = body.dict(exclude={"lines"})
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    call = services.call_open(
        actor=request.user,
        envelope=envelope,
        values=values,
        lines=[line.dict() for line in body.lines],
    )
    return Status(201, _call(call))


@router.get(
    "/funds/{fund_id}/calls", response={200: list[CallOut], **AUTH_ERRORS, **error_responses(404)}
)
def call_list(request: HttpRequest, fund_id: RecordId):
    fund = selectors.fund_get(request.user, fund_id)
    return [_call(c) for c in selectors.calls_of(fund)]


class AwardIn(Schema):
    organization_id: RecordId
    title: StrictStr
    amount: Money
    decided_on: date


class AwardOut(Schema):
    id: int
    line_id: int
    organization_id: int | None  # none for a supplier outside the registry
    organization_name: str
    supplier_code: str
    title: str
    amount: str
    decided_on: date
    status: str
    contract_id: int | None


def _award(award: Award) -> dict:
    contract = award.contract if hasattr(award, "contract") else None  # none signed yet
    return {
        "id": award.pk,
        "line_id": award.line_id,
        "organization_id": award.organization_id,
        "organization_name": award.recipient,
        "supplier_code": award.recipient_code,
        "title": award.title,
        "amount": str(award.amount),
        "decided_on": award.decided_on,
        "status": award.status,
        "contract_id": contract.pk if contract else None,
    }


@router.post("/lines/{line_id}/awards", response={201: AwardOut, **WRITE_ERRORS})
def award_make(request: HttpRequest, line_id: RecordId, body: AwardIn):
    """Commit money from a budget line to an eligible organisation (409 over the line or the
    envelope, with the amounts)."""
    line = selectors.line_get(request.user, line_id)
    organization = organization_get(request.user, body.organization_id)
    award = services.award_make(
        actor=request.user,
        line=line,
        organization=organization,
        values={"title": body.title, "amount": body.amount, "decided_on": str(body.decided_on)},
    )
    return Status(201, _award(award))


@router.get(
    "/funds/{fund_id}/awards", response={200: list[AwardOut], **AUTH_ERRORS, **error_responses(404)}
)
def award_list(request: HttpRequest, fund_id: RecordId):
    fund = selectors.fund_get(request.user, fund_id)
    return [_award(a) for a in selectors.awards_of(fund)]


class ReasonIn(Schema):
    reason: StrictStr


@router.post("/awards/{award_id}/cancel", response={200: AwardOut, **WRITE_ERRORS})
def award_cancel(request: HttpRequest, award_id: RecordId, body: ReasonIn):
    award = selectors.award_get(request.user, award_id)
    return _award(services.award_cancel(actor=request.user, award=award, reason=body.reason))


class MilestoneIn(Schema):
    name: StrictStr
    due_on: date
    amount: Money


class ContractIn(Schema):
    number: StrictStr
    amount: Money
    signed_on: date
    starts_on: date
    ends_on: date
    stable: bool = False
    published_at: StrictStr = ""
    milestones: list[MilestoneIn]


class MilestoneOut(Schema):
    id: int
    name: str
    due_on: date
    amount: str
    paid: str


class PaymentOut(Schema):
    id: int
    milestone_id: int
    paid_on: date
    amount: str
    reference: str


class EvaluationOut(Schema):
    id: int
    contract_id: int
    stage: str
    grade: str
    evaluator: str
    evaluated_on: date
    note: str


class ProgressReportOut(Schema):
    id: int
    reported_on: date
    done_percent: int
    people_served: int | None
    work_done: str
    problems: str


class ContractOut(Schema):
    id: int
    award_id: int
    number: str
    amount: str
    paid: str
    signed_on: date
    starts_on: date
    ends_on: date
    stable: bool
    published_at: str
    milestones: list[MilestoneOut]
    payments: list[PaymentOut]
    reports: list[ProgressReportOut]
    evaluations: list[EvaluationOut]


def _contract(contract: Contract) -> dict:
    payments = list(contract.payments.order_by("paid_on", "pk"))
    return {
        "id": contract.pk,
        "award_id": contract.award_id,
        "number": contract.number,
        "amount": str(contract.amount),
        "paid": str(sum((p.amount for p in payments), selectors.ZERO)),
        "signed_on": contract.signed_on,
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "stable": contract.stable,
        "published_at": contract.published_at,
        "milestones": [
            {
                "id": m.pk,
                "name": m.name,
                "due_on": m.due_on,
                "amount": str(m.amount),
                "paid": str(
                    sum((p.amount for p in payments if p.milestone_id == m.pk), selectors.ZERO)
                ),
            }
            for m in contract.milestones.all()
        ],
        "payments": [
            {
                "id": p.pk,
                "milestone_id": p.milestone_id,
                "paid_on": p.paid_on,
                "amount": str(p.amount),
                "reference": p.reference,
            }
            for p in payments
        ],
        "reports": list(contract.reports.all()),
        "evaluations": list(contract.evaluations.all()),
    }


@router.post("/awards/{award_id}/contract", response={201: ContractOut, **WRITE_ERRORS})
def contract_sign(request: HttpRequest, award_id: RecordId, body: ContractIn):
    """The award's written contract: a term of at most 1 year (3 when `stable`), milestones
    sharing out its amount exactly."""
    award = selectors.award_get(request.user, award_id)
    values = body.dict(exclude={"milestones"})
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    values["stable"] = "1" if body.stable else ""
    contract = services.contract_sign(
        actor=request.user,
        award=award,
        values=values,
        milestones=[
            {"name": m.name, "due_on": m.due_on.isoformat(), "amount": m.amount}
            for m in body.milestones
        ],
    )
    return Status(201, _contract(contract))


@router.get(
    "/contracts/{contract_id}", response={200: ContractOut, **AUTH_ERRORS, **error_responses(404)}
)
def contract_detail(request: HttpRequest, contract_id: RecordId):
    return _contract(selectors.contract_get(request.user, contract_id))


class PaymentIn(Schema):
    milestone_id: RecordId
    amount: Money
    paid_on: date
    reference: StrictStr = ""


@router.post("/contracts/{contract_id}/payments", response={201: ContractOut, **WRITE_ERRORS})
def payment_record(request: HttpRequest, contract_id: RecordId, body: PaymentIn):
    """A payment against one of the contract's milestones (409 over the milestone or the
    contract, with the amounts)."""
    contract = selectors.contract_get(request.user, contract_id)
    milestone = contract.milestones.filter(pk=body.milestone_id).first()
    if milestone is None:
        raise NotFound(str(services.NOT_FOUND))
    services.payment_record(
        actor=request.user,
        contract=contract,
        milestone=milestone,
        values={"amount": body.amount, "paid_on": str(body.paid_on), "reference": body.reference},
    )
    return Status(201, _contract(contract))


# ---- applications, notices, evaluations --------------------------------------------------------


class ApplicationIn(Schema):
    organization_id: RecordId
    title: StrictStr
    summary: StrictStr = ""
    amount: Money
    applied_on: date


class ApplicationOut(Schema):
    id: int
    line_id: int
    organization_id: int
    organization_name: str
    title: str
    amount: str
    applied_on: date
    status: str
    hub_id: int | None
    office_code: str
    endorsed_on: date | None
    notice_id: int | None
    award_id: int | None


def _application(a) -> dict:
    return {
        "id": a.pk,
        "line_id": a.line_id,
        "organization_id": a.organization_id,
        "organization_name": a.organization.name,
        "title": a.title,
        "amount": str(a.amount),
        "applied_on": a.applied_on,
        "status": a.status,
        "hub_id": a.hub_id,
        "office_code": a.office_code,
        "endorsed_on": a.endorsed_on,
        "notice_id": a.notice_id,
        "award_id": a.award_id,
    }


@router.post("/lines/{line_id}/applications", response={201: ApplicationOut, **WRITE_ERRORS})
def application_submit(request: HttpRequest, line_id: RecordId, body: ApplicationIn):
    """An organisation's application (at most two a year; eligible; not barred)."""
    line = selectors.line_get(request.user, line_id)
    organization = organization_get(request.user, body.organization_id)
    values = {**body.dict(exclude={"organization_id"}), "applied_on": str(body.applied_on)}
    application = services.application_submit(
        actor=request.user, line=line, organization=organization, values=values
    )
    return Status(201, _application(application))


@router.get(
    "/calls/{call_id}/applications",
    response={200: list[ApplicationOut], **AUTH_ERRORS, **error_responses(404)},
)
def application_list(request: HttpRequest, call_id: RecordId):
    call = selectors.call_get(request.user, call_id)
    return [_application(a) for a in selectors.applications_of(call)]


class EndorseIn(Schema):
    hub_id: RecordId | None = None
    endorsed_on: date
    note: StrictStr = ""


@router.post(
    "/applications/{application_id}/endorse", response={200: ApplicationOut, **WRITE_ERRORS}
)
def application_endorse(request: HttpRequest, application_id: RecordId, body: EndorseIn):
    """The responsible unit's endorsement: a hub the organisation belongs to (`hub_id`), or,
    without one, the district office of its domicile."""
    application = selectors.application_get(request.user, application_id)
    hub = hub_get(request.user, body.hub_id) if body.hub_id else None
    endorsed = services.application_endorse(
        actor=request.user, application=application, hub=hub, on=body.endorsed_on, note=body.note
    )
    return _application(endorsed)


class NoticeIn(Schema):
    application_ids: list[RecordId]
    starts_on: date
    ends_on: date | None = None


class ObjectionOut(Schema):
    id: int
    application_id: int
    raised_on: date
    text: str
    answered_on: date | None
    answer: str
    upheld: bool


class NoticeOut(Schema):
    id: int
    call_id: int
    starts_on: date
    ends_on: date
    approved_on: date | None
    application_ids: list[int]
    objections: list[ObjectionOut]


def _notice(notice) -> dict:
    return {
        "id": notice.pk,
        "call_id": notice.call_id,
        "starts_on": notice.starts_on,
        "ends_on": notice.ends_on,
        "approved_on": notice.approved_on,
        "application_ids": list(notice.applications.values_list("pk", flat=True)),
        "objections": list(notice.objections.all()),
    }


@router.post("/calls/{call_id}/notices", response={201: NoticeOut, **WRITE_ERRORS})
def notice_start(request: HttpRequest, call_id: RecordId, body: NoticeIn):
    """Publish the proposed awards for at least 5 working days (exactly 5 without `ends_on`)."""
    call = selectors.call_get(request.user, call_id)
    applications = [selectors.application_get(request.user, pk) for pk in body.application_ids]
    notice = services.notice_start(
        actor=request.user,
        call=call,
        applications=applications,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return Status(201, _notice(notice))


class ObjectionIn(Schema):
    application_id: RecordId
    raised_on: date
    text: StrictStr


@router.post("/notices/{notice_id}/objections", response={201: NoticeOut, **WRITE_ERRORS})
def objection_raise(request: HttpRequest, notice_id: RecordId, body: ObjectionIn):
    notice = selectors.notice_get(request.user, notice_id)
    application = selectors.application_get(request.user, body.application_id)
    services.objection_raise(
        actor=request.user,
        notice=notice,
        application=application,
        on=body.raised_on,
        text=body.text,
    )
    return Status(201, _notice(notice))


class AnswerIn(Schema):
    answered_on: date
    answer: StrictStr
    upheld: bool = False


@router.post("/objections/{objection_id}/answer", response={200: NoticeOut, **WRITE_ERRORS})
def objection_answer(request: HttpRequest, objection_id: RecordId, body: AnswerIn):
    """Answer an objection; an upheld one takes its application out of the award."""
    objection = selectors.objection_get(request.user, objection_id)
    services.objection_answer(
        actor=request.user,
        objection=objection,
        on=body.answered_on,
        answer=body.answer,
        upheld=body.upheld,
    )
    return _notice(objection.notice)


class ApproveIn(Schema):
    approved_on: date


@router.post("/notices/{notice_id}/approve", response={200: list[AwardOut], **WRITE_ERRORS})
def notice_approve(request: HttpRequest, notice_id: RecordId, body: ApproveIn):
    """After the notice, with every objection answered: award the proposed applications."""
    notice = selectors.notice_get(request.user, notice_id)
    awards = services.notice_approve(actor=request.user, notice=notice, on=body.approved_on)
    return [_award(a) for a in awards]


class EvaluationIn(Schema):
    stage: StrictStr
    grade: StrictStr
    evaluator: StrictStr
    evaluated_on: date
    note: StrictStr = ""


@router.post("/contracts/{contract_id}/evaluations", response={201: EvaluationOut, **WRITE_ERRORS})
def evaluation_record(request: HttpRequest, contract_id: RecordId, body: EvaluationIn):
    """`stage`: midterm or final; `grade`: excellent, good, pass or fail (优/良/合格/不合格)."""
    contract = selectors.contract_get(request.user, contract_id)
    values = {**body.dict(), "evaluated_on": str(body.evaluated_on)}
    evaluation = services.evaluation_record(actor=request.user, contract=contract, values=values)
    return Status(201, evaluation)


class ProgressReportIn(Schema):
    reported_on: date
    done_percent: int
    people_served: int | None = None
    work_done: StrictStr
    problems: StrictStr = ""


@router.post("/contracts/{contract_id}/reports", response={201: ContractOut, **WRITE_ERRORS})
def progress_report(request: HttpRequest, contract_id: RecordId, body: ProgressReportIn):
    """A progress report while the contract runs: `done_percent` 0–100, never less than an
    earlier report's; none after the final evaluation."""
    contract = selectors.contract_get(request.user, contract_id)
    values = {**body.dict(), "reported_on": str(body.reported_on)}
    services.progress_report(actor=request.user, contract=contract, values=values)
    return Status(201, _contract(contract))


class PlacedProjectOut(Schema):
    award_id: int
    title: str
    organization: str
    amount: str


class ProjectPlaceOut(Schema):
    code: str
    place: str
    lat: float
    lon: float
    projects: list[PlacedProjectOut]


class PurchaseKindOut(Schema):
    kind: str
    label: str
    amount: str
    committed: str
    paid: str


class PurchaseDistrictOut(Schema):
    code: str
    name: str
    awards: int
    committed: str
    paid: str


class PurchaseMonthOut(Schema):
    month: str
    committed: str
    paid: str


class PurchaseDeliveryOut(Schema):
    organization_id: int | None
    name: str
    awards: int
    committed: str
    paid: str
    grades: list[str]


class PurchaseDashboardOut(Schema):
    year: int
    fund_ids: list[int]
    by_kind: list[PurchaseKindOut]
    by_district: list[PurchaseDistrictOut]
    by_month: list[PurchaseMonthOut]
    delivery: list[PurchaseDeliveryOut]
    places: list[ProjectPlaceOut]


@router.get("/dashboard", response={200: PurchaseDashboardOut, **AUTH_ERRORS})
def dashboard(request: HttpRequest, year: Annotated[int, Field(ge=1900, le=2100)]):
    """The year's money by kind of service, by district and by month (amounts as strings), each
    organisation's record of delivery, and the projects at their places on the map."""
    found = selectors.dashboard(request.user, year)

    def plain(rows: list[dict]) -> list[dict]:
        return [{k: str(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]

    return {
        "year": found.year,
        "fund_ids": [f.pk for f in found.funds],
        "by_kind": plain(found.by_kind),
        "by_district": plain(found.by_district),
        "by_month": plain(found.by_month),
        "delivery": plain(found.delivery),
        "places": selectors.project_places(request.user, year),
    }
