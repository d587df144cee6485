"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

Service codes are the sub-classes of the case catalogue. Requests are cases of the `open311`
channel. Coordinates are WGS84; `crs=gcj02` (or `bd09`) says they are not. With
`extensions=true` each request carries `extended_attributes` (grid, community and street codes,
the detailed stage and the deadline)."""

import hashlib
from datetime import timedelta

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from shoushan.core.dates import date_acceptable
from shoushan.core.errors import DomainError
from shoushan.grid.cases.services import case_report
from shoushan.grid.intake import selectors
from shoushan.grid.intake.services import open311_key_live
from shoushan.grid.models import Case, Category, Channel
from shoushan.grid.registry.selectors import sub_class_in_use, sub_classes_in_use
from shoushan.grid.workflow import OPEN_STAGES

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


def _error(status: int, description: str) -> JsonResponse:
    return _json([{"code": status, "description": description}], status=status)


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    base = request.build_absolute_uri(reverse("open311:services"))[: -len("services.json")]
    return _json(
        {
            "changeset": "2026-11-26T00:00:00Z",
            "contact": _("Shoushan platform administrators"),
            "key_service": _("API keys are created by administrators on the Open311 keys page."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-26T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.filing_standard,
        "metadata": False,
        "type": "realtime",
        "keywords": category.major_class.name,
        "group": category.major_class.name,
    }


@require_GET
def services(request: HttpRequest) -> JsonResponse:
    return _json([_service(c) for c in sub_classes_in_use()])


@require_GET
def service_definition(request: HttpRequest, service_code: str) -> JsonResponse:
    if sub_class_in_use(service_code) is None:
        return _error(
            404, _("There is no service with the code %(code)s.") % {"code": service_code}
        )
    return _json({"service_code": service_code, "attributes": []})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create(request)
    return _list(request)


MAX_IDEMPOTENCY_KEY = 64


def _create(request: HttpRequest) -> JsonResponse:
    try:
        data = request.POST
    except RequestDataTooBig:
        return _error(413, _("The request is larger than the server accepts (2.5 MB)."))
    api_key = data.get("api_key", "")
    if not open311_key_live(api_key):
        return _error(403, _("A valid api_key is required to submit requests."))
    if len(request.headers.get("Idempotency-Key", "").strip()) > MAX_IDEMPOTENCY_KEY:
        return _error(
            400,
            _("An Idempotency-Key has at most %(n)s characters.") % {"n": MAX_IDEMPOTENCY_KEY},
        )
    category = sub_class_in_use(data.get("service_code", ""))
    if category is None:
        return _error(
            400,
            _("Unknown service_code “%(code)s”: see services.json.")
            % {"code": data.get("service_code", "")},
        )
    lat, lon = data.get("lat"), data.get("long")
    if not (lat and lon) and not data.get("address_id") and not data.get("address_string"):
        return _error(400, _("Give lat and long, address_id (a community code) or address_string."))
    name = " ".join(filter(None, [data.get("last_name", ""), data.get("first_name", "")]))
    key = request.headers.get("Idempotency-Key", "").strip()
    try:
        case, _created = case_report(
            actor=None,
            channel=Channel.OPEN311,
            category=category,
            description=data.get("description", ""),
            lon=lon if lon else None,
            lat=lat if lat else None,
            crs=data.get("crs", "wgs84"),
            community_code=data.get("address_id", ""),
            address=data.get("address_string", ""),
            reporter_name=name,
            reporter_phone=data.get("phone", ""),
            reporter_email=data.get("email", ""),
            external_id=data.get("device_id", "") or data.get("account_id", ""),
            idempotency_key=f"open311:{hashlib.sha256(api_key.encode()).hexdigest()[:16]}:{key}"
            if key
            else None,
        )
    except DomainError as e:
        return _error(400, e.message)
    return _json(
        [
            {
                "service_request_id": case.number,
                "token": case.token,
                "service_notice": "",
                "account_id": None,
            }
        ],
        status=201,
    )


def _list(request: HttpRequest) -> JsonResponse:
    params = request.GET
    # Only what Open311 clients submitted: patrol, hotline and resident cases name people.
    cases = selectors.open311_cases()
    if params.get("service_request_id"):
        ids = [_pk(n) for n in params["service_request_id"].split(",")]
        return _json([_request(c, params) for c in cases.filter(pk__in=[i for i in ids if i])])
    if params.get("service_code"):
        cases = cases.filter(category__code__in=params["service_code"].split(","))
    start, end = params.get("start_date"), params.get("end_date")
    start_at = _moment(start) if start else None
    end_at = _moment(end) if end else None
    if (start and start_at is None) or (end and end_at is None):
        return _error(
            400, _("start_date and end_date are W3C date-times, e.g. 2026-11-01T00:00:00+08:00.")
        )
    if start_at is None and end_at is None:
        start_at = timezone.now() - DEFAULT_WINDOW
    if start_at:
        cases = cases.filter(reported_at__gte=start_at)
    if end_at:
        cases = cases.filter(reported_at__lte=end_at)
    status = params.get("status")
    if status:
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            return _error(400, _("status is open, closed or both."))
        if wanted == {"open"}:
            cases = cases.filter(stage__in=OPEN_STAGES)
        elif wanted == {"closed"}:
            cases = cases.exclude(stage__in=OPEN_STAGES)
    return _json([_request(c, params) for c in cases.order_by("-reported_at")[:MAX_REQUESTS]])


def _moment(text: str):
    """A W3C date-time within the dates the platform accepts, else None (a 400 for the client)."""
    try:
        moment = parse_datetime(text[:40])
    except ValueError:  # well formed, but no such day or offset (2026-02-30, -23:59)
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    offset = moment.utcoffset()
    if offset is None or abs(offset) > timedelta(hours=14):  # no place on Earth is further
        return None
    return moment if date_acceptable(moment) else None


def _pk(number: str) -> int | None:
    tail = number.strip().rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


@require_GET
def request_detail(request: HttpRequest, service_request_id: str) -> JsonResponse:
    pk = _pk(service_request_id)
    case = selectors.open311_cases().filter(pk=pk).first() if pk else None
    if case is None or case.number != service_request_id:
        return _error(404, _("There is no request %(id)s.") % {"id": service_request_id})
    return _json([_request(case, request.GET)])


@require_GET
def token_detail(request: HttpRequest, token: str) -> JsonResponse:
    case = selectors.open311_cases().filter(token=token).first()
    if case is None:
        return _error(404, _("There is no request with the token %(token)s.") % {"token": token})
    return _json([{"service_request_id": case.number, "token": token}])


def _request(case: Case, params) -> dict:
    closed = case.stage not in OPEN_STAGES  # closed, not registered, or merged
    updated = (
        case.closed_at
        or case.handled_at
        or case.responded_at
        or case.dispatched_at
        or case.reported_at
    )
    body = {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": f"merged into {case.merged_into.number}"
        if case.merged_into_id
        else case.stage,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.unit.name if case.unit_id else "",
        "service_notice": "",
        "requested_datetime": timezone.localtime(case.reported_at).isoformat(),
        "updated_datetime": timezone.localtime(updated).isoformat(),
        "expected_datetime": timezone.localtime(case.deadline).isoformat()
        if case.deadline
        else None,
        "address": case.address,
        "address_id": case.community_id or "",
        "zipcode": "",
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": "",
    }
    if params.get("extensions") == "true":
        body["extended_attributes"] = {
            "grid_code": case.grid.code if case.grid_id else None,
            "community_code": case.community_id,
            "street_code": case.street_id,
            "stage": case.stage,
            "deadline": timezone.localtime(case.deadline).isoformat() if case.deadline else None,
            "channel": case.channel,
        }
    return body
