import json
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shoushan.accounts.models import Role
from shoushan.accounts.personal import can_view_personal_information
from shoushan.accounts.scope import scope_filter
from shoushan.core.errors import DomainError, InvalidInput, PermissionDenied
from shoushan.grid import assessment, selectors
from shoushan.grid import rules as rules_services
from shoushan.grid.cases import (
    DISPATCHER_ROLES,
    case_may,
    case_move,
    case_report,
    case_return_visit_record,
)
from shoushan.grid.exports import ranking_xlsx
from shoushan.grid.forms import (
    CaseMoveForm,
    CaseReportForm,
    CategoryForm,
    ResidentReportForm,
    ReturnVisitForm,
)
from shoushan.grid.hotline import COLUMNS, hotline_orders_import, read_table
from shoushan.grid.intake_selectors import case_duplicate_candidates
from shoushan.grid.merge import case_reporters
from shoushan.grid.models import (
    CalendarDay,
    CalendarDayKind,
    Category,
    Channel,
    Grid,
    GridLayer,
    Open311Key,
    RoutingRule,
    Unit,
    UnitKind,
)
from shoushan.grid.services import (
    grid_workers_set,
    grids_import,
    open311_key_create,
    open311_key_revoke,
)
from shoushan.grid.workflow import allowed_actions
from shoushan.regions.selectors import region_get

QUEUE_TITLES = {
    "dispatcher": gettext_lazy("Dispatcher's queue"),
    "handler": gettext_lazy("Handling queue"),
    "grid_worker": gettext_lazy("Verification queue"),
}


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
            "queues": [(q, QUEUE_TITLES[q]) for q in queues],
            "queue": queue,
            "page": page,
            "rows": rows,
            "query": f"queue={queue}",
        },
    )


def _reporter_choices(case) -> list[tuple[str, str]]:
    return [
        (str(r.pk), f"{r.get_channel_display()} {r.external_id or ''} · {r.merged_case.number}")
        for r in case.reporters.select_related("merged_case")
    ]


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(request.user, case_id)
    actions = [a for a in allowed_actions(case.stage) if case_may(request.user, case, a)]
    reveal = request.GET.get("reveal") == "1" and can_view_personal_information(request.user)
    units = Unit.objects.filter(region_id__in=[case.street_id, case.street.parent_id]).order_by(
        "kind", "name"
    )
    return render(
        request,
        "grid/case_detail.html",
        {
            "case": case,
            "events": case.events.all(),
            "reporters": case_reporters(request.user, case, reveal=reveal),
            # shown to the dispatcher as the case arrives: how many reports may be the same
            "duplicates": len(case_duplicate_candidates(request.user, case.pk))
            if case.is_open and (request.user.role in DISPATCHER_ROLES or request.user.is_superuser)
            else None,
            "revealed": reveal,
            "may_view_personal": can_view_personal_information(request.user),
            "merged_cases": case.merged_cases.all(),
            "actions": actions,
            "units": units,
            "time_left": selectors.time_left(case),
            "visit_form": ReturnVisitForm(reporters=_reporter_choices(case))
            if case.stage == "closed"
            else None,
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_POST
def case_action(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CaseMoveForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(" ".join(e for errors in form.errors.values() for e in errors))
    data = form.cleaned_data
    extend_to = data["extend_to"]
    if extend_to is not None and timezone.is_naive(extend_to):
        extend_to = timezone.make_aware(extend_to)
    case = case_move(
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
    case_return_visit_record(
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
    if request.method == "POST" and form.is_valid():
        try:
            case, _created = _report_from(form, request, Channel.PATROL)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Case %(number)s is reported.") % {"number": case.number})
            return redirect("grid:case", case_id=case.pk)
    return render(
        request,
        "grid/report.html",
        {"form": form, "public": False, "tile_url": settings.MAP_TILE_URL},
    )


RESIDENT_REPORTS_PER_HOUR = 10


@login_not_required
def resident_report(request: HttpRequest) -> HttpResponse:
    """The public form (no sign-in), limited per address so that it cannot be flooded; the count
    is kept in the database, so every server process sees the same one."""
    cache = caches["shared"]
    form = ResidentReportForm(request.POST or None)
    if request.method == "POST":
        key = f"resident-report:{request.META.get('REMOTE_ADDR', '')}"
        count = cache.get_or_set(key, 0, 3600)
        if count >= RESIDENT_REPORTS_PER_HOUR:
            form.add_error(
                None, _("Too many reports from this address; please try again in an hour.")
            )
            return render(request, "grid/report.html", {"form": form, "public": True}, status=429)
        if form.is_valid():
            try:
                case, _created = _report_from(form, request, Channel.RESIDENT)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                cache.incr(key)
                return render(request, "grid/report_thanks.html", {"case": case})
    return render(
        request,
        "grid/report.html",
        {"form": form, "public": True, "tile_url": settings.MAP_TILE_URL},
    )


def _report_from(form, request: HttpRequest, channel: str):
    data = form.cleaned_data
    return case_report(
        actor=request.user,
        channel=channel,
        category=data["category"],
        description=data["description"],
        lon=data.get("longitude"),
        lat=data.get("latitude"),
        community_code=(data.get("community_code") or "").strip(),
        address=data.get("address", ""),
        reporter_name=data.get("name", ""),
        reporter_phone=data.get("phone", ""),
        photos=request.FILES.getlist("photos"),
    )


def grid_map(request: HttpRequest, code: str) -> HttpResponse:
    region = region_get(code)
    grids = selectors.grids_in(request.user, region.code)[:300]
    return render(
        request,
        "grid/map.html",
        {"region": region, "grids": grids, "tile_url": settings.MAP_TILE_URL},
    )


def grid_map_data(request: HttpRequest, code: str) -> JsonResponse:
    """The region's comprehensive grids (codes, workers) and open cases coloured by time left."""
    region = region_get(code)
    grids = selectors.grids_in(request.user, region.code)[:3000]
    now = timezone.now()
    cases = selectors.open_cases_in(request.user, region.code).exclude(longitude=None)[:2000]
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


def ranking(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    rows = assessment.street_ranking(month)
    if request.GET.get("format") == "xlsx":
        return ranking_xlsx(month, rows)
    return render(
        request,
        "grid/ranking.html",
        {
            "month": month,
            "rows": rows,
            "ranked": sum(1 for r in rows if r.rank is not None),
            "definitions": assessment.__doc__,
        },
    )


def _month(request: HttpRequest) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        if value:
            messages.error(
                request, _("“%(value)s” is not a month such as 2026-11.") % {"value": value[:20]}
            )
        return timezone.localdate().replace(day=1)


def hotline_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of 12345 work orders; every bad row is listed and nothing is imported."""
    if request.user.role not in DISPATCHER_ROLES and not request.user.is_superuser:
        raise PermissionDenied(_("Your role cannot import 12345 work orders."))
    problems, result = [], None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("Choose a CSV or xlsx file."))
            rows = read_table(upload.name, upload.read())
            result = hotline_orders_import(actor=request.user, rows=rows)
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(request, _("%(n)s work orders imported.") % {"n": result.created})
            if result.located_by_address:
                messages.info(
                    request,
                    _("%(n)s of them were placed by their address.")
                    % {"n": result.located_by_address},
                )
            if result.classified:
                messages.info(
                    request,
                    _(
                        "Classified by the intake model: %(dispatched)s dispatched without a "
                        "person, %(triage)s wait for manual triage."
                    )
                    % {"dispatched": result.dispatched, "triage": result.triage},
                )
            return redirect("grid:hotline_import")
    return render(
        request,
        "grid/hotline_import.html",
        {"problems": problems[:500], "more": max(0, len(problems) - 500), "columns": COLUMNS},
    )


OPEN311_NEW_KEY_SESSION_KEY = "new_open311_key"


def open311_keys(request: HttpRequest) -> HttpResponse:
    """City administrators create and revoke the api_keys of Open311 clients; a new key is shown
    once, after a redirect."""
    _require_city_admin(request)
    if request.method == "POST":
        try:
            _record, key = open311_key_create(actor=request.user, name=request.POST.get("name", ""))
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            request.session[OPEN311_NEW_KEY_SESSION_KEY] = key
        return redirect("grid:open311_keys")
    return render(
        request,
        "grid/open311_keys.html",
        {
            "keys": Open311Key.objects.order_by("-created_at"),
            "new_key": request.session.pop(OPEN311_NEW_KEY_SESSION_KEY, None),
        },
    )


@require_POST
def open311_key_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    _require_city_admin(request)
    record = open311_key_revoke(actor=request.user, key_id=key_id)
    messages.success(request, _("The key of “%(name)s” is revoked.") % {"name": record.name})
    return redirect("grid:open311_keys")


def _require_city_admin(request: HttpRequest) -> None:
    if request.user.role != Role.CITY_ADMIN and not request.user.is_superuser:
        raise PermissionDenied(_("Only city administrators manage Open311 keys."))


def grid_layers(request: HttpRequest) -> HttpResponse:
    """Import a layer of grids from GeoJSON (city and district administrators) and export any
    layer of the viewer's scope."""
    problems = []
    if request.method == "POST":
        if (
            request.user.role not in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
            and not request.user.is_superuser
        ):
            raise PermissionDenied(_("Only city and district administrators import grids."))
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("Choose a GeoJSON file."))
            try:
                collection = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise InvalidInput(_("The file is not GeoJSON (JSON in UTF-8).")) from None
            result = grids_import(
                actor=request.user,
                collection=collection,
                layer=request.POST.get("layer", ""),
                replace=request.POST.get("replace") == "on",
            )
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(
                request,
                _("%(created)s grids created, %(updated)s updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("grid:layers")
    counts = dict(
        scope_filter(Grid.objects.all(), request.user, field="code")
        .values_list("layer")
        .annotate(n=Count("id"))
    )
    return render(
        request,
        "grid/layers.html",
        {
            "layers": [(value, label, counts.get(value, 0)) for value, label in GridLayer.choices],
            "problems": problems[:500],
        },
    )


def grid_layer_export(request: HttpRequest, layer: str) -> HttpResponse:
    """The grids of one layer inside the viewer's scope, as a GeoJSON FeatureCollection."""
    if layer not in GridLayer.values:
        raise InvalidInput(_("Unknown grid layer %(layer)s.") % {"layer": layer})
    grids = scope_filter(Grid.objects.filter(layer=layer), request.user, field="code")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "code": g.code,
                    "community_code": g.community_id,
                    "name": g.name,
                    "layer": g.layer,
                    "area_m2": g.area_m2,
                    "responsible_party": g.responsible_party,
                    "generated": g.is_generated,
                },
            }
            for g in grids.order_by("code").iterator(chunk_size=2000)
        ],
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="grids-{layer}.geojson"'
    return response


def case_photo(request: HttpRequest, case_id: int, photo_id: int) -> FileResponse:
    """A photo of a case the viewer may see (photos are never served from a public folder)."""
    case = selectors.case_get(request.user, case_id)
    photo = case.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"))


def _require_rule_editor(request: HttpRequest) -> None:
    if request.user.role != Role.CITY_ADMIN and not request.user.is_superuser:
        raise PermissionDenied(_("Only city administrators change the rules."))


def rules(request: HttpRequest) -> HttpResponse:
    """The catalogue, the routing table and the working calendar, and forms to change them."""
    editable = request.user.role == Role.CITY_ADMIN or request.user.is_superuser
    if request.method == "POST":
        _require_rule_editor(request)
        what = request.POST.get("what")
        try:
            if what == "calendar":
                day = parse_date(request.POST.get("date", "") or "")
                if day is None:
                    raise InvalidInput(_("Give the date as YYYY-MM-DD."))
                rules_services.calendar_day_set(
                    actor=request.user,
                    day=day,
                    kind=request.POST.get("kind", ""),
                    note=request.POST.get("note", ""),
                )
            elif what == "calendar_delete":
                rules_services.calendar_day_delete(
                    actor=request.user, day_id=int(request.POST["id"])
                )
            elif what == "routing":
                rules_services.routing_rule_set(
                    actor=request.user,
                    region_code=request.POST.get("region_code", "").strip(),
                    category_code=request.POST.get("category_code", "").strip(),
                    unit_id=int(request.POST.get("unit") or 0),
                )
            elif what == "routing_delete":
                rules_services.routing_rule_delete(
                    actor=request.user, rule_id=int(request.POST["id"])
                )
            else:
                raise InvalidInput(_("Unknown change."))
        except InvalidInput as e:
            messages.error(request, " ".join([e.message, *map(str, (e.details or {}).values())]))
        else:
            messages.success(request, _("Saved."))
        return redirect(request.path + "#" + (what or ""))
    year = int(request.GET.get("year") or timezone.localdate().year)
    return render(
        request,
        "grid/rules.html",
        {
            "editable": editable,
            "majors": Category.objects.filter(parent__isnull=True).prefetch_related("subclasses"),
            "rules": RoutingRule.objects.select_related("region", "category", "unit").order_by(
                "region_id"
            ),
            "units": Unit.objects.exclude(kind=UnitKind.STREET).order_by("region_id", "name"),
            "days": CalendarDay.objects.filter(date__year=year),
            "year": year,
            "kinds": CalendarDayKind.choices,
        },
    )


def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    _require_rule_editor(request)
    category = (
        Category.objects.select_related("parent")
        .filter(pk=category_id, parent__isnull=False)
        .first()
    )
    if category is None:
        raise Http404
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        rules_services.category_update(
            actor=request.user,
            category_id=category.pk,
            **{f: form.cleaned_data[f] for f in rules_services.CATEGORY_FIELDS},
        )
        messages.success(request, _("Category %(code)s saved.") % {"code": category.code})
        return redirect("grid:rules")
    return render(request, "grid/category_edit.html", {"category": category, "form": form})


@require_POST
def grid_workers(request: HttpRequest, code: str) -> HttpResponse:
    """Set the workers of one grid from the grid map page."""
    grid = selectors.grids_in(request.user, code).filter(code=request.POST.get("grid", "")).first()
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
