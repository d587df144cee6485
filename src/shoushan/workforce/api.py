"""The community workforce API: workers inside your scope (ID numbers and phones masked), their
career events and dated attribute changes, and the statistics of a region on a date."""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.errors import InvalidInput
from shoushan.core.masking import mask
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.workforce import selectors, services
from shoushan.workforce.models import AttributeChange, CareerEvent, CommunityWorker, EventKind

router = Router(tags=["workforce"], auth=API_AUTH)


class WorkerOut(Schema):
    id: int
    name: str
    id_number_masked: str
    gender: str
    birth_date: date
    education: str
    political_status: str
    qualification: str
    certificate_number: str
    certificate_year: int | None
    post: str
    community_code: str
    community_name: str
    hire_date: date
    pay_grade: str
    monthly_pay: float | None
    phone_masked: str
    status: str
    left_date: date | None
    organization: str
    is_generated: bool

    @staticmethod
    def resolve_id_number_masked(obj: CommunityWorker) -> str:
        return mask(obj.id_number, "id_number")

    @staticmethod
    def resolve_phone_masked(obj: CommunityWorker) -> str:
        return mask(obj.phone, "phone")

    @staticmethod
    def resolve_community_code(obj: CommunityWorker) -> str:
        return obj.community_id

    @staticmethod
    def resolve_community_name(obj: CommunityWorker) -> str:
        return obj.community.name

    @staticmethod
    def resolve_monthly_pay(obj: CommunityWorker) -> float | None:
        return float(obj.monthly_pay) if obj.monthly_pay is not None else None


class EventOut(Schema):
    id: int
    kind: str
    on: date
    community_code: str
    post: str
    status: str
    from_community_code: str
    from_post: str
    organization: str
    note: str


class ChangeOut(Schema):
    id: int
    attribute: str
    on: date
    value: str
    from_value: str
    certificate_number: str
    from_certificate_number: str
    certificate_year: int | None
    from_certificate_year: int | None
    monthly_pay: float | None
    from_monthly_pay: float | None
    note: str

    @staticmethod
    def resolve_monthly_pay(obj: AttributeChange) -> float | None:
        return float(obj.monthly_pay) if obj.monthly_pay is not None else None

    @staticmethod
    def resolve_from_monthly_pay(obj: AttributeChange) -> float | None:
        return float(obj.from_monthly_pay) if obj.from_monthly_pay is not None else None


class WorkerDetailOut(WorkerOut):
    events: list[EventOut]
    attribute_changes: list[ChangeOut]

    @staticmethod
    def resolve_events(obj: CommunityWorker) -> list[CareerEvent]:
        return list(obj.events.order_by("on", "id"))

    @staticmethod
    def resolve_attribute_changes(obj: CommunityWorker) -> list[AttributeChange]:
        return list(obj.attribute_changes.order_by("on", "id"))


class WorkerPage(Schema):
    count: int
    items: list[WorkerOut]


class WorkerIn(Schema):
    name: str
    id_number: str
    gender: str = ""
    birth_date: str = ""
    education: str
    political_status: str
    qualification: str = "none"
    certificate_number: str = ""
    certificate_year: int | None = None
    post: str
    community_code: str
    hire_date: str
    pay_grade: str = ""
    monthly_pay: float | None = None
    phone: str = ""


class EventIn(Schema):
    kind: EventKind
    on: date
    community_code: str = ""
    post: str = ""
    organization: str = ""
    note: str = ""


class ChangeIn(Schema):
    attribute: str
    on: str
    value: str = ""
    certificate_number: str = ""
    monthly_pay: str | float | None = None
    note: str = ""


class FigureOut(Schema):
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    formula: str


class WorkforceStatisticsOut(Schema):
    region_code: str
    region_name: str
    date: date
    head_count: int
    seconded: int
    basis: str  # how the day's values are taken (career events and attributes as of the day)
    figures: list[FigureOut]


@router.get("/workers", response={200: WorkerPage, **AUTH_ERRORS}, summary="Community workers")
def worker_list(
    request: HttpRequest,
    region_code: str = "",
    status: str = "",
    post: str = "",
    education: str = "",
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    workers = selectors.worker_list(
        request.user, region_code=region_code, status=status, post=post, education=education, q=q
    )
    items, count = page_of(workers, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get(
    "/workers/{worker_id}",
    response={200: WorkerDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One community worker and the career history",
)
def worker_detail(request: HttpRequest, worker_id: int) -> CommunityWorker:
    return selectors.worker_get(request.user, worker_id)


@router.post(
    "/workers",
    response={201: WorkerDetailOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Record a community worker (and the hire)",
)
def worker_create(request: HttpRequest, body: WorkerIn):
    worker = services.worker_create(actor=request.user, **body.dict())
    return Status(201, selectors.worker_get(request.user, worker.pk))


@router.post(
    "/workers/{worker_id}/events",
    response={201: EventOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Record a career event",
)
def worker_event(request: HttpRequest, worker_id: int, body: EventIn):
    """Hire (again), post change, transfer, secondment and its end, promotion, leaving. Events in
    the future, before the hire date or before the latest event answer 422; a move the status
    does not allow, 409."""
    event = services.worker_event_record(actor=request.user, worker_id=worker_id, **body.dict())
    return Status(201, event)


@router.post(
    "/workers/{worker_id}/changes",
    response={201: ChangeOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Record a dated change of education, political status, qualification or pay",
)
def worker_change(request: HttpRequest, worker_id: int, body: ChangeIn):
    """`attribute` is `education`, `political_status`, `qualification` or `pay`; `on` the
    effective date (YYYY-MM-DD); `value` the new education, political status or qualification
    (code or Chinese term) or the new pay grade; a qualification needs `certificate_number` (its
    year is the effective date's); a pay change may give `value`, `monthly_pay` or both. The
    worker's fields become the new values. A bad value, an unreadable or future date answer 422;
    a date before the birth date, the hire date or the attribute's latest change, 409."""
    change = services.worker_attribute_change_record(
        actor=request.user, worker_id=worker_id, **body.dict()
    )
    return Status(201, change)


@router.get(
    "/statistics",
    response={200: WorkforceStatisticsOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Workforce statistics of a region on a date",
)
def statistics(
    request: HttpRequest,
    region_code: str = "",
    # A plain ISO date: pydantic alone would also read "0" as a Unix time (1970-01-01).
    on: str = Query("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD"),
) -> dict:
    region = selectors.region_for_statistics(request.user, region_code)
    try:
        day = date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise InvalidInput(_("A date is written YYYY-MM-DD.")) from None
    if day > timezone.localdate():
        raise InvalidInput(_("Statistics are for today or a past date."))
    f = selectors.statistics_as_of(region, day)["figures"]
    n = f.head_count or None
    figures = [
        ("average_age", f.average_age, f.age_sum, n),
        ("college_share", f.college_share, f.college_or_more, n),
        ("party_share", f.party_share, f.party_members, n),
        ("certified_share", f.certified_share, f.certified, n),
        ("average_annual_pay", f.average_annual_pay, f.annual_pay_sum, f.with_pay or None),
        ("pay_ratio", f.pay_ratio, f.average_annual_pay, f.city_average_wage),
        (
            "staff_per_1000_households",
            f.staff_per_1000_households,
            f.covered_head_count * 1000,
            f.households,
        ),
    ]
    from shoushan.workforce.statistics import attributes_as_of_the_day, explained

    formulas = [line.formula for line in explained(f)][1:]
    return {
        "region_code": region.code,
        "region_name": region.name,
        "date": day,
        "head_count": f.head_count,
        "seconded": f.seconded,
        "basis": attributes_as_of_the_day(),
        "figures": [
            {"name": name, "value": v, "numerator": a, "denominator": b, "formula": formula}
            for (name, v, a, b), formula in zip(figures, formulas, strict=True)
        ],
    }
