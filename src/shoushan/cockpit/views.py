from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shoushan.accounts.models import Role
from shoushan.accounts.roles import CITY_ADMINISTRATORS, MEASURE_SETTERS, PATROLLERS, has_role
from shoushan.accounts.scope import in_scope
from shoushan.cockpit import rules, selectors, services, tasks
from shoushan.cockpit.models import KeyTask, TaskStateChoice
from shoushan.cockpit.systems import SYSTEMS
from shoushan.cockpit.tiles import PATH, TILE_BY_KEY
from shoushan.core.errors import InvalidInput
from shoushan.core.views import act
from shoushan.evaluation.selectors import datasets_visible
from shoushan.grid.cases import selectors as case_selectors
from shoushan.organizations.validation import form_date
from shoushan.regions.models import Region
from shoushan.regions.selectors import region_ancestors, region_level_counts

SYSTEM_NAMES = {s.number: s.name for s in SYSTEMS}

# What a person comes to the platform for first: the grid worker and the clerks their work, the
# resident their reports, officials the figures of their area; everyone finds the ten systems below.
HOME_OF_ROLE = {
    Role.GRID_WORKER: "work",
    Role.STREET_STAFF: "work",
    Role.COMMUNITY_STAFF: "work",
    Role.DEPARTMENT_HANDLER: "work",
    Role.RESIDENT: "resident",
    Role.RESEARCHER: "research",
    Role.CITY_ADMIN: "official",
    Role.DISTRICT_ADMIN: "official",
}


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = "official" if user.is_superuser else HOME_OF_ROLE.get(user.role, "official")
    now = timezone.now()
    context: dict = {
        "kind": kind,
        "region_counts": region_level_counts(),
        "queue_titles": case_selectors.QUEUE_TITLES,
        "patrols": has_role(user, PATROLLERS),
    }
    if kind in ("work", "official"):
        context["waiting"] = case_selectors.work_waiting(user, now=now)
    if kind == "work" and not context["waiting"] and user.region_code:
        # a community clerk works no queue: the cases open in their area, most urgent first
        context["open_here"] = case_selectors.open_cases_here(user, now=now)
    if kind == "official":
        context["figures"] = case_selectors.case_figures(user, now=now)
    if kind == "resident":
        context["my_reports"] = case_selectors.cases_reported_by(user)
    if kind == "research":
        context["datasets"] = datasets_visible(user)[:10]
    return render(request, "cockpit/home.html", context)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Up when the database answers; 503 otherwise (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means not healthy
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says."""
    return HttpResponseRedirect(static("favicon.svg"))


# ---- the cockpit of the ten systems -------------------------------------------------------------


def _region_code(request: HttpRequest) -> str:
    return (request.GET.get("region_code") or request.POST.get("region_code") or "").strip()


def board(request: HttpRequest) -> HttpResponse:
    """The tiles of a region: value, target, colour, last twelve months, last update, and the
    alerts; each tile opens its drill-down and definition."""
    region = selectors.region_for(request.user, _region_code(request))
    now = timezone.now()
    if request.method == "POST":
        ok = act(request, lambda: _meeting(request, region))
        meeting = getattr(request, "_meeting", None)
        if ok and meeting is not None:
            return redirect("cockpit:meeting", meeting.pk)
        return redirect(f"{request.path}?region_code={region.code}")
    figures = selectors.board(request.user, region, now=now)
    by_system: dict[int, list] = {}
    for f in figures:
        by_system.setdefault(f.tile.system, []).append((f, spark(f.history)))
    return render(
        request,
        "cockpit/board.html",
        {
            "region": region,
            "ancestors": [r for r in region_ancestors(region) if in_scope(request.user, r.code)],
            "systems": [(SYSTEM_NAMES[n], by_system[n]) for n in sorted(by_system)],
            "alerts": selectors.alerts(request.user, region, figures, today=now.date()),
            "red": sum(1 for f in figures if f.status == "red"),
            "sets_measures": has_role(request.user, MEASURE_SETTERS),
            "today": now.date(),
        },
    )


def spark(history: list) -> str:
    """The points of a small line of the last periods (an SVG polyline 120 × 28); a period
    without a figure breaks nothing, it is left out."""
    values = [v for _m, v in history if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = 120 / max(len(history) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{26 - 24 * (v - low) / span:.1f}"
        for i, (_m, v) in enumerate(history)
        if v is not None
    )


def _meeting(request: HttpRequest, region) -> str:
    meeting = services.meeting_create(
        actor=request.user,
        region=region,
        title=request.POST.get("title", ""),
        held_on=form_date(request.POST.get("held_on", "")),
    )
    request._meeting = meeting  # type: ignore[attr-defined]
    return _("The meeting's agenda holds the %(n)s red tiles.") % {"n": len(meeting.agenda)}


def tile(request: HttpRequest, key: str) -> HttpResponse:
    """One tile: its definition, its figure in each region one level down (and at the region
    itself), a link down to the records, the target (the city sets it) and a key task from it."""
    region = selectors.region_for(request.user, _region_code(request))
    found = selectors.tile_get(key)
    if request.method == "POST":
        action = request.POST.get("action")
        back = f"{request.path}?region_code={region.code}"
        if action == "target":
            act(request, lambda: _target(request, found.key))
        elif action == "task":
            task_id = _task_from(request, found.key)
            if task_id:
                return redirect("cockpit:task", task_id)
        return redirect(back)
    parent, children = selectors.drill(request.user, found, region, today=timezone.localdate())
    selectors.attach_history([parent], region, timezone.localdate())
    return render(
        request,
        "cockpit/tile.html",
        {
            "region": region,
            "figure": parent,
            "spark": spark(parent.history),
            "tile": found,
            "children": children,
            "ancestors": [r for r in region_ancestors(region) if in_scope(request.user, r.code)],
            "records_url": _records_url(found, region.code),
            "sets_target": has_role(request.user, CITY_ADMINISTRATORS),
            "sets_measures": has_role(request.user, MEASURE_SETTERS),
            "units": [c for c in children if c.is_region] or [],
            "default_deadline": timezone.localdate() + timedelta(days=90),
        },
    )


def _records_url(tile, code: str) -> str:
    """The page of the records behind a tile's figure of a region."""
    if tile.records_param == PATH:
        return reverse(tile.records, args=[code])
    query = f"?{tile.records_param}={code}" if tile.records_param else ""
    return reverse(tile.records) + query


def _target(request: HttpRequest, key: str) -> str:
    text = request.POST.get("target", "").strip()
    try:
        target = float(text) if text else None
        amber = float(request.POST.get("amber", "0") or 0)
    except ValueError:
        raise InvalidInput(_("The target and its band are numbers.")) from None
    services.tile_target_set(actor=request.user, key=key, target=target, amber=amber)
    return _("The target is set.")


def _task_from(request: HttpRequest, key: str) -> int | None:
    made = {}

    def work() -> str:
        task = services.task_create(
            actor=request.user,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            lead_code=request.POST.get("lead_code", ""),
            co_codes=request.POST.getlist("co_units"),
            deadline=form_date(request.POST.get("deadline", "")),
            indicators=[key],
        )
        made["id"] = task.pk
        return _("The key task is set. Hand it down when it is ready.")

    act(request, work)
    return made.get("id")


def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A review meeting: the red tiles as they were, and the actions agreed as key tasks."""
    found = selectors.meeting_get(request.user, meeting_id)
    if request.method == "POST":

        def work() -> str:
            services.meeting_action(
                actor=request.user,
                meeting=found,
                tile=request.POST.get("tile", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                lead_code=request.POST.get("lead_code", ""),
                co_codes=request.POST.getlist("co_units"),
                deadline=form_date(request.POST.get("deadline", "")),
            )
            return _("The action is a key task now.")

        act(request, work)
        return redirect("cockpit:meeting", found.pk)
    region = selectors.region_for(request.user, found.region_code)
    actions = list(found.actions.all())
    names = selectors.region_names([a.lead_code for a in actions])
    return render(
        request,
        "cockpit/meeting.html",
        {
            "meeting": found,
            "region": region,
            "actions": [(a, names.get(a.lead_code, a.lead_code)) for a in actions],
            "units": list(Region.objects.filter(parent=region).only("code", "name")),
            "default_deadline": timezone.localdate() + timedelta(days=90),
            "sets_measures": has_role(request.user, MEASURE_SETTERS),
        },
    )


# ---- key tasks ----------------------------------------------------------------------------------


def task_list(request: HttpRequest) -> HttpResponse:
    """The key tasks led in a region, with their computed progress; new measures; the
    quarterly report."""
    region = selectors.region_for(request.user, _region_code(request))
    if request.method == "POST":
        if request.POST.get("action") == "report":
            job = _report(request, region)
            if job is not None:
                return redirect("job", job.pk)
        else:
            made = _task_from(request, "")
            if made:
                return redirect("cockpit:task", made)
        return redirect(f"{request.path}?region_code={region.code}")
    state = request.GET.get("state", "")
    today = timezone.localdate()
    found = selectors.in_tree_order(
        list(selectors.tasks_in(request.user, region, state=state)[:500])
    )
    progress = selectors.progress_of(found)
    names = selectors.region_names([t.lead_code for t in found])
    return render(
        request,
        "cockpit/tasks.html",
        {
            "region": region,
            "rows": [
                (
                    t,
                    names.get(t.lead_code, t.lead_code),
                    progress[t.pk],
                    selectors.is_overdue(t, today),
                )
                for t in found
            ],
            "states": TaskStateChoice.choices,
            "state": state,
            "sets_measures": has_role(request.user, MEASURE_SETTERS),
            "units": [region, *list(Region.objects.filter(parent=region).only("code", "name"))],
            "default_deadline": today + timedelta(days=90),
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
        },
    )


def _report(request: HttpRequest, region):
    made = {}

    def work() -> str:
        made["job"] = tasks.quarter_report_start(
            actor=request.user,
            region_code=region.code,
            year=int(request.POST.get("year", "0") or 0),
            quarter=int(request.POST.get("quarter", "0") or 0),
            fmt=request.POST.get("format", ""),
        )
        return _("The report is being made.")

    act(request, work)
    return made.get("job")


STEP_LABELS = {
    "assign": gettext_lazy("Hand down (交办)"),
    "accept": gettext_lazy("Take on (领办)"),
    "report": gettext_lazy("Report done (上报)"),
    "verify": gettext_lazy("Verify (审核确认)"),
    "return": gettext_lazy("Return to redo (驳回重办)"),
    "close": gettext_lazy("Close off (办结销号)"),
}


EVENT_LABELS = {
    **STEP_LABELS,
    "create": gettext_lazy("Set"),
    "evidence": gettext_lazy("Evidence attached"),
    "deadline_asked": gettext_lazy("Change of deadline asked"),
    "deadline_approved": gettext_lazy("Change of deadline approved"),
    "deadline_refused": gettext_lazy("Change of deadline refused"),
    "remind": gettext_lazy("Reminded (催办)"),
}


def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """A key task: its place in the tree, progress from its children, its steps for the unit
    whose turn it is, evidence, deadline changes, reminders and its log."""
    task = selectors.task_get(request.user, task_id)
    if request.method == "POST":
        act(request, lambda: _task_post(request, task))
        return redirect("cockpit:task", task.pk)
    today = timezone.localdate()
    children = list(task.children.all())
    progress = selectors.progress_of([task, *children])
    codes = [task.lead_code, task.assigning_code] + [c.lead_code for c in children]
    co = list(task.co_units.values_list("region_code", flat=True))
    names = selectors.region_names(codes + co)
    lead_turn = services.speaks_for(request.user, task.lead_code)
    assigning_turn = services.speaks_for(request.user, task.assigning_code)
    steps = [
        (action, STEP_LABELS[action])
        for action, (sources, _target_state) in rules.TRANSITIONS.items()
        if task.state in sources and (lead_turn if action in rules.LEAD_ACTIONS else assigning_turn)
    ]
    state_names = dict(TaskStateChoice.choices)
    parent = (
        selectors.tasks_visible(request.user).filter(pk=task.parent_id).first()
        if task.parent_id
        else None
    )
    return render(
        request,
        "cockpit/task.html",
        {
            "task": task,
            "parent": parent,
            "parent_title": task.parent.title if task.parent_id else "",
            "progress": progress[task.pk],
            "overdue": selectors.is_overdue(task, today),
            "children": [
                (
                    c,
                    names.get(c.lead_code, c.lead_code),
                    progress[c.pk],
                    selectors.is_overdue(c, today),
                )
                for c in children
            ],
            "lead": names.get(task.lead_code, task.lead_code),
            "assigning": names.get(task.assigning_code, task.assigning_code),
            "co_units": [names.get(c, c) for c in co],
            "steps": steps,
            "lead_turn": lead_turn,
            "assigning_turn": assigning_turn,
            "divides": lead_turn
            and task.level != "subtask"
            and task.state in (rules.TaskState.ACCEPTED, rules.TaskState.RETURNED),
            "adds_evidence": lead_turn
            and task.state in (rules.TaskState.ACCEPTED, rules.TaskState.RETURNED),
            "pending_change": selectors.pending_deadline_change(task),
            "units": list(Region.objects.filter(parent_id=task.lead_code).only("code", "name")),
            "default_deadline": min(task.deadline, today + timedelta(days=30)),
            "open": task.state in rules.OPEN and task.state != rules.TaskState.DRAFT,
            "indicators": [TILE_BY_KEY[k] for k in task.indicators if k in TILE_BY_KEY],
            "tile_region": task.lead_code,
            "log": [
                (e, EVENT_LABELS.get(e.action, e.action), state_names.get(e.to_state, e.to_state))
                for e in task.events.select_related("actor")
            ],
        },
    )


def _task_post(request: HttpRequest, task) -> str:
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    if action in rules.TRANSITIONS:
        services.task_step(actor=request.user, task=task, action=action, note=note)
        return _("Done: the task is %(state)s.") % {
            "state": KeyTask.objects.get(pk=task.pk).get_state_display()
        }
    if action == "divide":
        services.task_create(
            actor=request.user,
            parent=task,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            lead_code=request.POST.get("lead_code", ""),
            co_codes=request.POST.getlist("co_units"),
            deadline=form_date(request.POST.get("deadline", "")),
            weight=request.POST.get("weight", "1") or 1,
        )
        return _("The task below is set. Hand it down when it is ready.")
    if action == "evidence":
        services.evidence_add(actor=request.user, task=task, upload=request.FILES.get("file"))
        return _("The evidence is attached.")
    if action == "deadline":
        services.deadline_change_ask(
            actor=request.user,
            task=task,
            new_deadline=form_date(request.POST.get("new_deadline", "")),
            reason=request.POST.get("reason", ""),
        )
        return _("The change of deadline awaits a decision.")
    if action in ("deadline_approve", "deadline_refuse"):
        change = selectors.pending_deadline_change(task)
        if change is None:
            raise InvalidInput(_("No change of deadline awaits a decision."))
        services.deadline_change_decide(
            actor=request.user, change=change, approve=action == "deadline_approve"
        )
        return _("The change of deadline is decided.")
    if action == "remind":
        reminder = services.task_remind(actor=request.user, task=task, note=note)
        return _("Reminder sent (level %(level)s).") % {"level": reminder.level}
    raise InvalidInput(_("No such step."))


def evidence_file(request: HttpRequest, task_id: int, evidence_id: int) -> FileResponse:
    task = selectors.task_get(request.user, task_id)
    evidence = task.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)
