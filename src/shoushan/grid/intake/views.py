"""Pages of intake: manual triage (人工分拨) of the cases the intake model could not place, the
12345 import, the Open311 clients' keys, and the month's problems with the month's theme and the
proactive alerts (未诉先办) of the viewer's streets."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shoushan.accounts.roles import (
    ADMINISTRATORS,
    CITY_ADMINISTRATORS,
    DISPATCHERS,
    has_role,
    require_role,
)
from shoushan.core.dates import month_acceptable
from shoushan.core.errors import InvalidInput
from shoushan.grid.intake import dispatch, problems, selectors, services, tasks
from shoushan.grid.intake.hotline import COLUMNS
from shoushan.grid.registry import selectors as registry
from shoushan.regions.selectors import region_names_of

SHOWN = 30  # problems on the page


def triage(request: HttpRequest) -> HttpResponse:
    """New cases in the viewer's scope that wait for a person: predicted below the threshold
    (default), or every new case with its prediction (`?all=1`)."""
    show_all = request.GET.get("all") == "1"
    cases = selectors.triage_cases(request.user, everything=show_all)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    model = selectors.intake_model_row()
    return render(
        request,
        "grid/triage.html",
        {
            "page": page,
            "model": model,
            "summary": selectors.model_summary(model) if model else None,
            "show_all": show_all,
            "query": "all=1" if show_all else "",
        },
    )


@require_POST
def case_dispatch_predicted(request: HttpRequest, case_id: int) -> HttpResponse:
    """From manual triage: register and dispatch a case where its prediction points."""
    case = dispatch.case_dispatch_as_predicted(actor=request.user, case_id=case_id)
    messages.success(
        request,
        _("Case %(number)s is dispatched to %(unit)s.")
        % {"number": case.number, "unit": case.unit.name},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "grid:triage"  # only back to our own page, never elsewhere
    return redirect(back)


def hotline_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of 12345 work orders: it is imported in a background job whose page shows the
    progress, then every bad row (and nothing is imported) or what was imported."""
    require_role(request.user, DISPATCHERS, _("Your role cannot import 12345 work orders."))
    if request.method == "POST":
        try:
            job = tasks.hotline_import_start(
                actor=request.user,
                upload=request.FILES.get("file"),
                back=reverse("grid:hotline_import"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    return render(request, "grid/hotline_import.html", {"columns": COLUMNS})


OPEN311_NEW_KEY_SESSION_KEY = "new_open311_key"


def open311_keys(request: HttpRequest) -> HttpResponse:
    """City administrators create and revoke the api_keys of Open311 clients; a new key is shown
    once, after a redirect."""
    if request.method == "POST":
        try:
            _record, key = services.open311_key_create(
                actor=request.user, name=request.POST.get("name", "")
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            request.session[OPEN311_NEW_KEY_SESSION_KEY] = key
        return redirect("grid:open311_keys")
    return render(
        request,
        "grid/open311_keys.html",
        {
            "keys": selectors.open311_keys(request.user),
            "new_key": request.session.pop(OPEN311_NEW_KEY_SESSION_KEY, None),
        },
    )


@require_POST
def open311_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    record = services.open311_key_revoke(actor=request.user, key_id=key_id)
    messages.success(request, _("The key of “%(name)s” is revoked.") % {"name": record.name})
    return redirect("grid:open311_keys")


# ---- the month's problems ----------------------------------------------------------------------


def month_problems(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_role(user, DISPATCHERS, _("The month's problems are for the dispatching offices."))
    sees_city = has_role(user, ADMINISTRATORS)
    months = selectors.message_months()
    month = _month(request.GET.get("month", ""), months)
    if request.method == "POST" and request.POST.get("action") == "import":
        try:  # a file of messages is read in a background job
            job = tasks.messages_import_start(
                actor=user,
                source=request.POST.get("source", ""),
                upload=request.FILES.get("file"),
                back=f"{request.path}?month={month:%Y-%m}",
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    elif request.method == "POST":
        try:
            _month_change(request, month)
        except InvalidInput as e:
            rows = "; ".join(f"{d['row']}: {d['reason']}" for d in (e.details or [])[:5])
            messages.error(request, f"{e.message} {rows}".strip())
        return redirect(f"{request.path}?month={month:%Y-%m}")
    found = problems.month_problems(month) if sees_city else []
    theme = selectors.monthly_theme(month)
    alerts = problems.proactive_alerts(user)
    streets = region_names_of(a.street for a in alerts)
    categories = registry.categories_by_code(a.category for a in alerts)
    return render(
        request,
        "grid/month_problems.html",
        {
            "month": month,
            "months": months,
            "problems": [(rank, p) for rank, p in enumerate(found[:SHOWN], start=1)],
            "total": len(found),
            "theme": theme,
            "tasks": theme.tasks.select_related("unit") if theme else [],
            "departments": registry.departments(),
            "units": registry.units_all().order_by("kind", "name")[:500],
            "alerts": [
                (a, streets.get(a.street, a.street), categories.get(a.category, a.category))
                for a in alerts
            ],
            "sees_city": sees_city,
            "may_choose": has_role(user, CITY_ADMINISTRATORS),
        },
    )


def _month(value: str, months: list[date]) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
        if not month_acceptable(chosen):
            raise ValueError(value)
        return chosen
    except ValueError:
        return months[0] if months else timezone.localdate().replace(day=1)


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _month_change(request: HttpRequest, month: date) -> None:
    post, action = request.POST, request.POST.get("action")
    if action == "choose":
        problems.theme_choose(
            actor=request.user,
            month=month,
            problem_key=post.get("problem", ""),
            lead_unit_id=_number(post.get("lead_unit")),
            note=post.get("note", ""),
        )
        messages.success(request, _("The month's theme is chosen."))
    elif action == "task":
        try:
            due = date.fromisoformat(post["due"]) if post.get("due") else None
        except ValueError:
            raise InvalidInput(_("Give the date as YYYY-MM-DD.")) from None
        problems.theme_task_add(
            actor=request.user,
            theme_id=_number(post.get("theme")),
            unit_id=_number(post.get("unit")),
            description=post.get("description", ""),
            due=due,
        )
        messages.success(request, _("The task is handed out."))
    elif action == "done":
        problems.theme_task_done(actor=request.user, task_id=_number(post.get("task")))
        messages.success(request, _("The task is marked done."))
    else:
        raise InvalidInput(_("Unknown change."))
