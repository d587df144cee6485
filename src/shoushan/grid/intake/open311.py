"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), in XML (the
spec's default) and JSON: each method answers in the format its suffix names (`services.xml`,
`services.json`), errors included, never an HTML page.

Service codes are the sub-classes of the case catalogue; a sub-class with attributes (a manhole
cover's problem, a street lamp's pole number) has `metadata` true and a definition whose
attributes are checked on POST. Requests are cases of the `open311` channel. Coordinates are
WGS84; `crs=gcj02` (or `bd09`) says they are not. `jurisdiction_id` is the code of the city or of
one of its districts; GET requests and updates are then those of that region. With
`extensions=true` each request carries `extended_attributes` (grid, community and street codes,
the detailed stage and the deadline). FixMyStreet's extension `servicerequestupdates` lists the
public steps of the requests since a time, with mySociety's extended statuses."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from shoushan.core.dates import date_acceptable
from shoushan.core.errors import DomainError
from shoushan.grid.cases.selectors import PUBLIC_NOTES
from shoushan.grid.cases.services import case_report
from shoushan.grid.intake import selectors
from shoushan.grid.intake.open311_format import attribute_values, xml_document
from shoushan.grid.intake.services import open311_key_live
from shoushan.grid.models import Case, CaseEvent, CasePhoto, Category, Channel
from shoushan.grid.registry.selectors import sub_class_in_use, sub_classes_in_use
from shoushan.grid.workflow import OPEN_STAGES, Stage
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
CHANGESET = "2026-12-07T00:00:00+08:00"
XML = "text/xml; charset=utf-8"
MEDIA_SALT = "shoushan.open311-media"
# mySociety's extended statuses (FixMyStreet's Open311 updates) for the stages of a case.
EXTENDED_STATUS = {
    Stage.REPORTED: "OPEN",
    Stage.REGISTERED: "INVESTIGATING",
    Stage.REJECTED: "NO_FURTHER_ACTION",
    Stage.DISPATCHED: "ACTION_SCHEDULED",
    Stage.RETURNED: "INVESTIGATING",
    Stage.ACCEPTED: "IN_PROGRESS",
    Stage.HANDLED: "IN_PROGRESS",
    Stage.VERIFIED: "IN_PROGRESS",
    Stage.CLOSED: "FIXED",
    Stage.MERGED: "DUPLICATE",
}
# Photos the public may see: those of a case's result, attached with the handling or closing.
PUBLIC_PHOTO_ACTIONS = ("handle", "close")


def answer(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` as the spec's XML under `root`, or as JSON."""
    if fmt == "xml":
        return HttpResponse(xml_document(root, data), content_type=XML, status=status)
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return answer(fmt, "errors", [{"code": status, "description": description}], status)


def open311_view(*methods: str):
    """A GeoReport method: the format from the URL, the method checked, the jurisdiction known
    (its code prefix passed on as `within`), and every refusal in the spec's error format."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = error(
                    fmt, 405, _("This method takes %(methods)s.") % {"methods": ", ".join(methods)}
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                params = request.POST if request.method == "POST" else request.GET
                jurisdiction = params.get("jurisdiction_id", "").strip()
            except RequestDataTooBig:
                return error(fmt, 413, _("The request is larger than the server accepts (2.5 MB)."))
            within = "11"
            if jurisdiction:
                region = Region.objects.filter(
                    code=jurisdiction, level__in=[Level.CITY, Level.DISTRICT]
                ).first()
                if region is None:
                    return error(
                        fmt,
                        404,
                        _("There is no jurisdiction %(id)s here: use the code of the city or of "
                          "one of its districts.") % {"id": jurisdiction[:40]},
                    )  # fmt: skip
                within = significant_prefix(region.code)
            return view(request, fmt, within=within, **kwargs)

        return run

    return decorate


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str, within: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"}))
    return answer(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("Shoushan platform administrators"),
            "key_service": _("API keys are created by administrators on the Open311 keys page."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base[: -len("services.xml")],
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.filing_standard,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.major_class.name,
        "group": category.major_class.name,
    }


@open311_view("GET")
def services(request: HttpRequest, fmt: str, within: str) -> HttpResponse:
    return answer(fmt, "services", [_service(c) for c in sub_classes_in_use()])


def _attribute(definition: dict) -> dict:
    return {
        "variable": definition.get("variable", True),
        "code": definition["code"],
        "datatype": definition["datatype"],
        "required": bool(definition.get("required")),
        "datatype_description": definition.get("datatype_description", ""),
        "order": definition.get("order", 1),
        "description": definition.get("description", ""),
        "values": [{"key": v["key"], "name": v["name"]} for v in definition.get("values", [])],
    }


@open311_view("GET")
def service_definition(
    request: HttpRequest, fmt: str, within: str, service_code: str
) -> HttpResponse:
    category = sub_class_in_use(service_code)
    if category is None:
        return error(
            fmt, 404, _("There is no service with the code %(code)s.") % {"code": service_code}
        )
    attributes = sorted(category.attributes, key=lambda a: a.get("order", 1))
    return answer(
        fmt,
        "service_definition",
        {"service_code": service_code, "attributes": [_attribute(a) for a in attributes]},
    )


@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str, within: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt, within)


MAX_IDEMPOTENCY_KEY = 64
ATTRIBUTE_PROBLEMS = {
    "required": gettext_lazy("is required"),
    "not_a_value": gettext_lazy("is not one of the values the service definition lists"),
    "one_value": gettext_lazy("takes one value"),
    "not_a_number": gettext_lazy("is not a number"),
    "not_a_datetime": gettext_lazy("is not an ISO 8601 date-time"),
    "too_long": gettext_lazy("is longer than 500 characters"),
}


def _described(category: Category, description: str, values: dict) -> str:
    """The request's description with its attributes, as the staff read them on the case."""
    lines = []
    for definition in sorted(category.attributes, key=lambda a: a.get("order", 1)):
        value = values.get(definition["code"])
        if value is None:
            continue
        names = {str(v["key"]): v["name"] for v in definition.get("values", [])}
        shown = [names.get(v, v) for v in (value if isinstance(value, list) else [value])]
        label = definition.get("description") or definition["code"]
        lines.append(f"{label}：{'、'.join(shown)}")
    return "\n".join(filter(None, [description.strip(), *lines]))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    api_key = data.get("api_key", "")
    if not open311_key_live(api_key):
        return error(fmt, 403, _("A valid api_key is required to submit requests."))
    if len(request.headers.get("Idempotency-Key", "").strip()) > MAX_IDEMPOTENCY_KEY:
        return error(
            fmt,
            400,
            _("An Idempotency-Key has at most %(n)s characters.") % {"n": MAX_IDEMPOTENCY_KEY},
        )
    category = sub_class_in_use(data.get("service_code", ""))
    if category is None:
        return error(
            fmt,
            400,
            _("Unknown service_code “%(code)s”: see services.%(fmt)s.")
            % {"code": data.get("service_code", ""), "fmt": fmt},
        )
    values, problems = attribute_values(
        category.attributes, {key: data.getlist(key) for key in data}
    )
    if problems:
        return error(
            fmt,
            400,
            "; ".join(
                f"attribute[{code}] {ATTRIBUTE_PROBLEMS[reason]}"
                for code, reason in problems.items()
            ),
        )
    lat, lon = data.get("lat"), data.get("long")
    if not (lat and lon) and not data.get("address_id") and not data.get("address_string"):
        return error(
            fmt, 400, _("Give lat and long, address_id (a community code) or address_string.")
        )
    name = " ".join(filter(None, [data.get("last_name", ""), data.get("first_name", "")]))
    key = request.headers.get("Idempotency-Key", "").strip()
    try:
        case, _created = case_report(
            actor=None,
            channel=Channel.OPEN311,
            category=category,
            description=_described(category, data.get("description", ""), values),
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
        return error(fmt, 400, e.message)
    receipt = {
        "service_request_id": case.number,
        "token": case.token,
        "service_notice": "",
        "account_id": None,
    }
    return answer(fmt, "service_requests", [receipt], status=201)


def _window(params, fmt: str):
    """The [start, end] the client asked for (the last 90 days by default), or an error."""
    start, end = params.get("start_date"), params.get("end_date")
    start_at = _moment(start) if start else None
    end_at = _moment(end) if end else None
    if (start and start_at is None) or (end and end_at is None):
        return (
            None,
            None,
            error(
                fmt,
                400,
                _("start_date and end_date are W3C date-times, e.g. 2026-11-01T00:00:00+08:00."),
            ),
        )
    if start_at is None and end_at is None:
        start_at = timezone.now() - DEFAULT_WINDOW
    return start_at, end_at, None


def _list(request: HttpRequest, fmt: str, within: str) -> HttpResponse:
    params = request.GET
    # Only what Open311 clients submitted: patrol, hotline and resident cases name people.
    cases = selectors.open311_cases().filter(region_code__startswith=within)
    if params.get("service_request_id"):
        ids = [_pk(n) for n in params["service_request_id"].split(",")]
        found = cases.filter(pk__in=[i for i in ids if i])
        return answer(fmt, "service_requests", [_request(request, c, params, fmt) for c in found])
    if params.get("service_code"):
        cases = cases.filter(category__code__in=params["service_code"].split(","))
    start_at, end_at, refused = _window(params, fmt)
    if refused:
        return refused
    if start_at:
        cases = cases.filter(reported_at__gte=start_at)
    if end_at:
        cases = cases.filter(reported_at__lte=end_at)
    status = params.get("status")
    if status:
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            return error(fmt, 400, _("status is open, closed or both."))
        if wanted == {"open"}:
            cases = cases.filter(stage__in=OPEN_STAGES)
        elif wanted == {"closed"}:
            cases = cases.exclude(stage__in=OPEN_STAGES)
    found = cases.order_by("-reported_at")[:MAX_REQUESTS]
    return answer(fmt, "service_requests", [_request(request, c, params, fmt) for c in found])


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


@open311_view("GET")
def request_detail(
    request: HttpRequest, fmt: str, within: str, service_request_id: str
) -> HttpResponse:
    pk = _pk(service_request_id)
    case = (
        selectors.open311_cases().filter(pk=pk, region_code__startswith=within).first()
        if pk
        else None
    )
    if case is None or case.number != service_request_id:
        return error(fmt, 404, _("There is no request %(id)s.") % {"id": service_request_id})
    return answer(fmt, "service_requests", [_request(request, case, request.GET, fmt)])


@open311_view("GET")
def token_detail(request: HttpRequest, fmt: str, within: str, token: str) -> HttpResponse:
    case = selectors.open311_cases().filter(token=token).first()
    if case is None:
        return error(
            fmt, 404, _("There is no request with the token %(token)s.") % {"token": token}
        )
    return answer(fmt, "service_requests", [{"service_request_id": case.number, "token": token}])


def _media_url(request: HttpRequest, photo: CasePhoto | None) -> str:
    if photo is None:
        return ""
    token = signing.Signer(salt=MEDIA_SALT).sign(str(photo.pk))  # the same URL every time
    return request.build_absolute_uri(reverse("open311:media", args=[token]))


def _public_photo(case: Case) -> CasePhoto | None:
    return (
        case.photos.filter(event__action__in=PUBLIC_PHOTO_ACTIONS).order_by("-uploaded_at").first()
    )


def _address(case: Case) -> str:
    """The reporter's address, or the region the case was placed in."""
    if case.address:
        return case.address
    names = [r.name for r in (case.street, case.community) if r is not None]
    return "".join(names)


def _request(request: HttpRequest, case: Case, params, fmt: str) -> dict:
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
        "address": _address(case),
        "address_id": case.community_id or "",
        "zipcode": "",
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": _media_url(request, _public_photo(case)),
    }
    if fmt == "xml" and case.latitude is not None and case.longitude is not None:
        body["georss:point"] = f"{case.latitude} {case.longitude}"  # GeoRSS: latitude first
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


@open311_view("GET")
def request_updates(request: HttpRequest, fmt: str, within: str) -> HttpResponse:
    """FixMyStreet's `servicerequestupdates`: each public step of the requests in the window,
    oldest first, with its extended status and the words meant for the reporter."""
    start_at, end_at, refused = _window(request.GET, fmt)
    if refused:
        return refused
    events = CaseEvent.objects.filter(
        case__channel=Channel.OPEN311, case__region_code__startswith=within
    ).select_related("case")
    if start_at:
        events = events.filter(at__gte=start_at)
    if end_at:
        events = events.filter(at__lte=end_at)
    events = list(events.order_by("at", "pk")[:MAX_REQUESTS])
    photos = {
        p.event_id: p
        for p in CasePhoto.objects.filter(event__in=events, event__action__in=PUBLIC_PHOTO_ACTIONS)
    }
    updates = [
        {
            "update_id": str(e.pk),
            "service_request_id": e.case.number,
            "status": EXTENDED_STATUS.get(e.to_stage, "OPEN"),
            "updated_datetime": timezone.localtime(e.at).isoformat(),
            "description": e.note if e.action in PUBLIC_NOTES else "",
            "media_url": _media_url(request, photos.get(e.pk)),
            "external_status_code": e.to_stage,
        }
        for e in events
    ]
    return answer(fmt, "service_request_updates", updates)


def media(request: HttpRequest, token: str) -> HttpResponse:
    """A photo of a request's result, by the signed address its media_url gave."""
    try:
        photo_id = int(signing.Signer(salt=MEDIA_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return error("json", 404, _("There is no such photo."))
    photo = CasePhoto.objects.filter(
        pk=photo_id, case__channel=Channel.OPEN311, event__action__in=PUBLIC_PHOTO_ACTIONS
    ).first()
    if photo is None:
        return error("json", 404, _("There is no such photo."))
    return FileResponse(photo.image.open("rb"))


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other address under /open311/v2/: the spec's error, in the format it names."""
    fmt = "json" if path.endswith(".json") else "xml"
    return error(fmt, 404, _("There is no such Open311 method: %(path)s") % {"path": path[:80]})
