"""Pages of the closed loop: the queues, a case and its moves, the return visit, reports from
patrol and from residents, possible duplicates and merging, the map of grids and open cases, and
the monthly ranking. Each view translates a request into one service or selector call."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shoushan.accounts.personal import can_view_personal_information
from shoushan.accounts.roles import DISPATCHERS, has_role
from shoushan.core.client import client_address
from shoushan.core.dates import month_acceptable
from shoushan.core.errors import AmbiguousPlace, DomainError, InvalidInput
from shoushan.core.limits import limit_take
from shoushan.grid.cases import assessment, merge, selectors, services
from shoushan.grid.cases.exports import ranking_xlsx
from shoushan.grid.cases.forms import (
    CallReporterForm,
    CaseMoveForm,
    CaseReportForm,
    FollowUpForm,
    ReporterRatingForm,
    ResidentReportForm,
    ReturnVisitForm,
)
from shoushan.grid.models import Channel
from shoushan.grid.registry import selectors as registry
from shoushan.grid.registry.services import grid_workers_set
from shoushan.grid.workflow import allowed_actions
from shoushan.regions.selectors import region_children, region_get


def case_queue(request: HttpRequest) -> HttpResponse:
    queues = selectors.queues_for(request.user)
    queue = request.GET.get("queue") or (queues[0] if queues else "")
    cases = selectors.case_queue(request.user, queue) if queue in queues else None
    page = Paginator(cases, 50).get_page(request.GET.get("page")) if cases is not None else None
    now = timezone.now()
    rows = [(case, selectors.time_left(case, now)) for case in page] if page else []
    return render(
        request,
        "grid/queue.html",
        {
            "queues": [(q, selectors.QUEUE_TITLES[q]) for q in queues],
            "queue": queue,
            "page": page,
            "rows": rows,
            "query": f"queue={queue}",
        },
    )


def _reporter_choices(case) -> list[tuple[str, str]]:
    return [
        (str(r.pk), f"{r.get_channel_display()} {r.external_id or ''} · {r.merged_case.number}")
        for r in selectors.case_reporters_merged(case)
    ]


def case_detail(request: HttpRequest, case_id: int, call: dict | None = None) -> HttpResponse:
    """The case with its next moves; `call`: the number just read for calling a reporter."""
    case = selectors.case_get(request.user, case_id)
    actions = [a for a in allowed_actions(case.stage) if services.case_may(request.user, case, a)]
    reveal = request.GET.get("reveal") == "1" and can_view_personal_information(request.user)
    dispatcher = has_role(request.user, DISPATCHERS)
    return render(
        request,
        "grid/case_detail.html",
        {
            "case": case,
            "events": case.events.all(),
            "reporters": selectors.case_reporters(request.user, case, reveal=reveal),
            # shown to the dispatcher as the case arrives: how many reports may be the same
            "duplicates": len(selectors.case_duplicate_candidates(request.user, case.pk))
            if case.is_open and dispatcher
            else None,
            "revealed": reveal,
            "may_view_personal": can_view_personal_information(request.user),
            "merged_cases": case.merged_cases.all(),
            "actions": actions,
            "units": registry.units_of_regions([case.street_id, case.street.parent_id]),
            "routed": selectors.case_routed_unit(case),
            "time_left": selectors.time_left(case),
            "visit_form": ReturnVisitForm(reporters=_reporter_choices(case))
            if case.stage == "closed"
            else None,
            "tile_url": settings.MAP_TILE_URL,
            "call_form": CallReporterForm(reporters=_reporter_choices(case))
            if dispatcher
            else None,
            "call": call,
        },
    )


@require_POST
def case_reporter_call(request: HttpRequest, case_id: int) -> HttpResponse:
    """The number to call, shown once on the case page (not in a link or a message)."""
    case = selectors.case_get(request.user, case_id)
    form = CallReporterForm(request.POST, reporters=_reporter_choices(case))
    if not form.is_valid():
        raise InvalidInput(" ".join(e for errors in form.errors.values() for e in errors))
    reporter = form.cleaned_data["reporter"]
    phone = services.case_reporter_phone_for_call(
        actor=request.user,
        case_id=case_id,
        reason=form.cleaned_data["reason"],
        reporter_id=int(reporter) if reporter else None,
    )
    label = dict(form.fields["reporter"].choices).get(reporter, "")
    return case_detail(request, case_id, call={"phone": phone, "who": label})


@require_POST
def case_move(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CaseMoveForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(" ".join(e for errors in form.errors.values() for e in errors))
    data = form.cleaned_data
    extend_to = data["extend_to"]
    if extend_to is not None and timezone.is_naive(extend_to):
        extend_to = timezone.make_aware(extend_to)
    case = services.case_move(
        actor=request.user,
        case_id=case_id,
        action=data["action"],
        note=data["note"],
        unit_id=data["unit"].pk if data["unit"] else None,
        extend_to=extend_to,
        photos=request.FILES.getlist("photos"),
    )
    messages.success(
        request,
        _("Case %(number)s is now %(stage)s.")
        % {"number": case.number, "stage": case.get_stage_display()},
    )
    return redirect("grid:case", case_id=case.pk)


@require_POST
def case_return_visit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(request.user, case_id)
    form = ReturnVisitForm(request.POST, reporters=_reporter_choices(case))
    if not form.is_valid():
        raise InvalidInput(" ".join(e for errors in form.errors.values() for e in errors))
    data = form.cleaned_data
    services.case_return_visit_record(
        actor=request.user,
        case_id=case_id,
        resolved=data["resolved"],
        satisfaction=data["satisfaction"],
        note=data["note"],
        reopen=data["reopen"],
        reporter_id=int(data["reporter"]) if data["reporter"] else None,
    )
    messages.success(request, _("The return visit is recorded."))
    return redirect("grid:case", case_id=case_id)


def patrol_report(request: HttpRequest) -> HttpResponse:
    """A grid worker's report from the street: a form that works on a phone."""
    form = CaseReportForm(request.POST or None)
    places = None
    if request.method == "POST" and form.is_valid():
        try:
            case, _created = _report_from(form, request, Channel.PATROL)
        except DomainError as e:
            form.add_error(None, e.message)
            places = e.details if isinstance(e, AmbiguousPlace) else None
        else:
            messages.success(request, _("Case %(number)s is reported.") % {"number": case.number})
            return redirect("grid:case", case_id=case.pk)
    return render(
        request,
        "grid/report.html",
        {"form": form, "public": False, "tile_url": settings.MAP_TILE_URL, "places": places},
    )


RESIDENT_REPORTS_PER_HOUR = 10


@login_not_required
def resident_report(request: HttpRequest) -> HttpResponse:
    """The public form (no sign-in), limited per address so that it cannot be flooded: every
    report sent counts, in a window shared by every process and machine."""
    form = ResidentReportForm(request.POST or None)
    places = None
    if request.method == "POST":
        if not limit_take(
            f"resident-report:{client_address(request)}",
            limit=RESIDENT_REPORTS_PER_HOUR,
            seconds=3600,
        ):
            form.add_error(
                None, _("Too many reports from this address; please try again in an hour.")
            )
            return render(request, "grid/report.html", {"form": form, "public": True}, status=429)
        if form.is_valid():
            try:
                case, _created = _report_from(form, request, Channel.RESIDENT)
            except DomainError as e:
                form.add_error(None, e.message)
                places = e.details if isinstance(e, AmbiguousPlace) else None
            else:
                return render(
                    request,
                    "grid/report_thanks.html",
                    {"case": case, "token": selectors.follow_up_token(case)},
                )
    return render(
        request,
        "grid/report.html",
        {"form": form, "public": True, "tile_url": settings.MAP_TILE_URL, "places": places},
        status=422 if form.errors else 200,
    )


FOLLOW_UPS_PER_HOUR = 30


@login_not_required
def follow_up(request: HttpRequest) -> HttpResponse:
    """A reporter asks about their case by its number and phone (no sign-in); found, they go
    to the case's own follow-up link, which they may keep."""
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not limit_take(
            f"follow-up:{client_address(request)}", limit=FOLLOW_UPS_PER_HOUR, seconds=3600
        ):
            form.add_error(None, _("Too many look-ups from this address; try again in an hour."))
        else:
            case = selectors.case_by_number_and_phone(
                form.cleaned_data["number"], form.cleaned_data["phone"]
            )
            if case is not None:
                return redirect("follow_up_case", token=selectors.follow_up_token(case))
            form.add_error(None, _("No case has this number with this phone number."))
    return render(
        request, "grid/follow_up.html", {"form": form}, status=422 if form.errors else 200
    )


@login_not_required
def follow_up_case(request: HttpRequest, token: str) -> HttpResponse:
    """The case as its reporter sees it: stage, handling unit, the replies; after closure, the
    reporter's own rating."""
    case = selectors.case_by_follow_up_token(token)
    if case is None:
        raise Http404
    context = selectors.case_follow_up(case)
    rating = ReporterRatingForm(request.POST or None)
    if request.method == "POST" and rating.is_valid():
        services.case_reporter_rating_record(
            case_id=context["answering"].pk,
            resolved=rating.cleaned_data["resolved"],
            satisfaction=rating.cleaned_data["satisfaction"],
            note=rating.cleaned_data["note"],
        )
        messages.success(request, _("Thank you: your rating is recorded."))
        return redirect("follow_up_case", token=token)
    return render(request, "grid/follow_up_case.html", {**context, "rating_form": rating})


def _report_from(form, request: HttpRequest, channel: str):
    """The report, placed by the address the person chose among an ambiguous one's places."""
    data = form.cleaned_data
    return services.case_report(
        actor=request.user,
        channel=channel,
        category=data["category"],
        description=data["description"],
        lon=data.get("longitude"),
        lat=data.get("latitude"),
        community_code=(data.get("community_code") or "").strip(),
        address=request.POST.get("place") or data.get("address", ""),
        reporter_name=data.get("name", ""),
        reporter_phone=data.get("phone", ""),
        photos=request.FILES.getlist("photos"),
    )


def case_photo(request: HttpRequest, case_id: int, photo_id: int) -> FileResponse:
    """A photo of a case the viewer may see (photos are never served from a public folder)."""
    photo = selectors.case_photo_get(request.user, case_id, photo_id)
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"))


# ---- duplicates --------------------------------------------------------------------------------


def case_duplicates(request: HttpRequest, case_id: int) -> HttpResponse:
    """The possible duplicates of a case, for the dispatcher to compare and merge: this case into
    another, or another into this one."""
    candidates = selectors.case_duplicate_candidates(request.user, case_id)
    case = selectors.case_get(request.user, case_id)
    rows = [
        {
            "case": other,
            "candidate": candidate,
            "merge_here": merge.case_may_merge(request.user, case, other),
            "merge_there": merge.case_may_merge(request.user, other, case),
        }
        for other, candidate in candidates
    ]
    return render(request, "grid/duplicates.html", {"case": case, "rows": rows})


@require_POST
def case_merge(request: HttpRequest, case_id: int) -> HttpResponse:
    """Merge case `case_id` into the case posted as `into`."""
    into = request.POST.get("into", "")
    if not into.isdigit():
        raise InvalidInput(_("Choose the case to merge into."))
    kept = merge.case_merge(
        actor=request.user,
        case_id=case_id,
        into_id=int(into),
        note=request.POST.get("note", "")[:2000],
    )
    messages.success(
        request,
        _("Case %(duplicate)s is merged into %(kept)s; its reporter is kept there.")
        % {"duplicate": selectors.case_get(request.user, case_id).number, "kept": kept.number},
    )
    return redirect("grid:case", case_id=kept.pk)


# ---- the map of grids and open cases -----------------------------------------------------------


MAP_GRIDS = 3000  # drawn on one map; a larger area is opened street by street
MAP_CASES = 2000


def grid_map(request: HttpRequest, code: str) -> HttpResponse:
    """The region's grids on a map (up to MAP_GRIDS, saying so when there are more, with the
    sub-regions to open instead) and in a paged table with their workers."""
    region = region_get(code)
    grids = registry.grids_in(request.user, region.code)
    page = Paginator(grids, 100).get_page(request.GET.get("page"))
    total = page.paginator.count
    return render(
        request,
        "grid/map.html",
        {
            "region": region,
            "grids": page,
            "page": page,
            "total": total,
            "map_limit": MAP_GRIDS,
            "case_limit": MAP_CASES,
            "parts": region_children(region) if total > MAP_GRIDS else [],
            "tile_url": settings.MAP_TILE_URL,
        },
    )


def grid_map_data(request: HttpRequest, code: str) -> JsonResponse:
    """The region's comprehensive grids (codes, workers) and open cases coloured by time left."""
    region = region_get(code)
    grids = registry.grids_in(request.user, region.code)[:MAP_GRIDS]
    now = timezone.now()
    cases = selectors.open_cases_in(request.user, region.code).exclude(longitude=None)[:MAP_CASES]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": g.boundary,
                    "properties": {
                        "code": g.code,
                        "name": g.name,
                        "area_m2": g.area_m2,
                        "generated": g.is_generated,
                        "workers": [w.full_name or w.username for w in g.workers.all()],
                    },
                }
                for g in grids
            ],
            "cases": [
                {
                    "id": c.pk,
                    "number": c.number,
                    "lon": c.longitude,
                    "lat": c.latitude,
                    "stage": c.get_stage_display(),
                    "category": c.category.name,
                    "hours_left": selectors.time_left(c, now),
                }
                for c in cases
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
def grid_workers(request: HttpRequest, code: str) -> HttpResponse:
    """Set the workers of one grid from the grid map page."""
    grid = registry.grids_in(request.user, code).filter(code=request.POST.get("grid", "")).first()
    if grid is None:
        raise InvalidInput(_("Choose a grid of this map."))
    usernames = [
        u
        for u in request.POST.get("workers", "").replace("，", ",").replace(" ", ",").split(",")
        if u
    ]
    try:
        grid_workers_set(actor=request.user, grid_id=grid.pk, usernames=usernames)
    except InvalidInput as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("The workers of grid %(code)s are saved.") % {"code": grid.code}
        )
    return redirect("grid:map", code=code)


# ---- the monthly ranking -----------------------------------------------------------------------


# The ranking's columns: (sort key or "", heading, numeric). Sorting by a rate puts the highest
# first and a street without the figure last; by cases, the most first.
RANKING_COLUMNS = (
    ("rank", gettext_lazy("Rank"), True),
    ("", gettext_lazy("Change"), True),
    ("", gettext_lazy("Street / town"), False),
    ("", gettext_lazy("District"), False),
    ("composite", gettext_lazy("Composite"), True),
    ("response_rate", gettext_lazy("Response rate"), True),
    ("resolution_rate", gettext_lazy("Resolution rate"), True),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate"), True),
    ("closure_rate", gettext_lazy("Closure rate"), True),
    ("on_time_closure_rate", gettext_lazy("On-time closure rate"), True),
    ("rework_rate", gettext_lazy("Rework rate"), True),
    ("extension_rate", gettext_lazy("Extension rate"), True),
    ("cases", gettext_lazy("Number of cases"), True),
    ("", gettext_lazy("By channel"), False),
)
RANKING_SORTS = {key for key, _label, _numeric in RANKING_COLUMNS if key}


def ranking(request: HttpRequest) -> HttpResponse:
    """All streets ranked city-wide (the xlsx holds them all); the page shows 50 at a time,
    of one district if asked, sorted by any column."""
    month = _month(request)
    rows = assessment.street_ranking(month)
    if request.GET.get("format") == "xlsx":
        return ranking_xlsx(month, rows)
    districts = sorted({r.district for r in rows})
    district = request.GET.get("district", "")
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in RANKING_SORTS else "rank"
    shown = [r for r in rows if r.district == district] if district in districts else rows
    if sort == "cases":
        shown = sorted(shown, key=lambda r: -r.counts.get("received", 0))
    elif sort != "rank":
        shown = sorted(
            shown,
            key=lambda r: _descending(r.composite if sort == "composite" else r.rates.get(sort)),
        )
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    query = {"month": f"{month:%Y-%m}", "district": district if district in districts else ""}
    return render(
        request,
        "grid/ranking.html",
        {
            "month": month,
            "page": page,
            "ranked": sum(1 for r in rows if r.rank is not None),
            "districts": districts,
            "district": query["district"],
            "sort": sort,
            "columns": RANKING_COLUMNS,
            "sort_query": urlencode(query),
            "query": urlencode({**query, "sort": sort}),
            "definitions": assessment.__doc__,
        },
    )


def _figure(row: assessment.StreetMonth, key: str) -> float | None:
    return row.composite if key == "composite" else row.rates.get(key)


def _descending(value: float | None) -> tuple[bool, float]:
    return (value is None, -(value or 0.0))


def _month(request: HttpRequest) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
        if not month_acceptable(chosen):
            raise ValueError(value)
        return chosen
    except ValueError:
        if value:
            messages.error(
                request, _("“%(value)s” is not a month such as 2026-11.") % {"value": value[:20]}
            )
        return timezone.localdate().replace(day=1)
