"""The volunteer API: activities, sign-up, check-in and check-out (for phone clients), and
statistics. Mounted at /api/v1/volunteers."""

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.volunteers import selectors, services
from shoushan.volunteers.models import Activity

router = Router(tags=["volunteers"], auth=API_AUTH)


class ActivityOut(Schema):
    id: int
    title: str
    organization: str
    organization_kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    longitude: float | None
    latitude: float | None
    quota: int
    taken: int
    required_skills: list[str]
    region_code: str

    @staticmethod
    def resolve_organization(obj: Activity) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_organization_kind(obj: Activity) -> str:
        return obj.organization.kind

    @staticmethod
    def resolve_taken(obj: Activity) -> int:
        return obj.sign_ups.count()


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]


class CodeIn(Schema):
    code: str


class SignUpOut(Schema):
    activity_id: int
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class HoursOut(Schema):
    id: int
    hours: float
    status: str
    served_on: date


class MonthOut(Schema):
    month: str
    hours: float
    volunteers: int


class VolunteerStatisticsOut(Schema):
    region_code: str
    registered: int
    active: int
    hours: float
    months: list[MonthOut]


@router.get("/activities", response={200: ActivityPage, **AUTH_ERRORS}, summary="Activities")
def activity_list(
    request: HttpRequest, upcoming: bool = True, page: PageNumber = 1, page_size: PageSize = 50
) -> dict:
    """Activities open to everyone signed in; `upcoming` keeps those not yet over."""
    activities = selectors.activities_listed(upcoming=upcoming)
    items, count = page_of(activities, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.post(
    "/activities/{activity_id}/sign-ups",
    response={201: SignUpOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Sign up for an activity",
)
def sign_up(request: HttpRequest, activity_id: int):
    """Full, over, already signed up or missing a required skill: 409."""
    return Status(201, services.activity_sign_up(actor=request.user, activity_id=activity_id))


@router.post(
    "/activities/{activity_id}/check-in",
    response={200: SignUpOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Check in with the code the leader shows",
)
def check_in(request: HttpRequest, activity_id: int, body: CodeIn):
    return services.activity_check_in(actor=request.user, activity_id=activity_id, code=body.code)


@router.post(
    "/activities/{activity_id}/check-out",
    response={200: HoursOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Check out with the leader's code; the hours are recorded",
)
def check_out(request: HttpRequest, activity_id: int, body: CodeIn):
    return services.activity_check_out(actor=request.user, activity_id=activity_id, code=body.code)


@router.get(
    "/statistics",
    response={200: VolunteerStatisticsOut, **AUTH_ERRORS, **error_responses(404)},
    summary="Registered and active volunteers and hours per month of a region",
)
def statistics(
    request: HttpRequest, region_code: str, organization_id: int | None = None, months: int = 12
) -> dict:
    today = timezone.localdate()
    stats = selectors.statistics(
        request.user,
        region_code,
        since=today - timedelta(days=31 * max(1, min(months, 120))),
        until=today,
        organization_id=organization_id,
    )
    return {
        "region_code": region_code,
        "registered": stats["registered"],
        "active": stats["active"],
        "hours": float(stats["hours"]),
        "months": [
            {"month": m.strftime("%Y-%m"), "hours": float(h), "volunteers": n}
            for m, h, n in stats["months"]
        ],
    }
