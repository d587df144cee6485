"""The month's problems page: the problems of a month ranked by heat, the month's theme with its
lead department and tasks, the message import, and this week's spikes in the viewer's streets."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.models import Role
from shoushan.core.errors import InvalidInput, PermissionDenied
from shoushan.grid import problems
from shoushan.grid.cases import DISPATCHER_ROLES
from shoushan.grid.models import Category, MonthlyTheme, Unit, UnitKind
from shoushan.regions.models import Region

SHOWN = 30  # problems on the page
CITY_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}


def _month(value: str, months: list[date]) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return months[0] if months else timezone.localdate().replace(day=1)


def _post(request: HttpRequest, month: date) -> None:
    action = request.POST.get("action")
    if action == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a CSV file of messages."))
        added = problems.messages_import(
            actor=request.user,
            source=request.POST.get("source", ""),
            name=upload.name,
            content=upload.read(),
        )
        messages.success(request, _("%(n)s messages imported.") % {"n": added})
    elif action == "choose":
        problems.theme_choose(
            actor=request.user,
            month=month,
            rank=int(request.POST.get("rank") or 0),
            lead_unit_id=int(request.POST.get("lead_unit") or 0),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("The month's theme is chosen."))
    elif action == "task":
        due = request.POST.get("due") or None
        problems.theme_task_add(
            actor=request.user,
            theme_id=int(request.POST.get("theme") or 0),
            unit_id=int(request.POST.get("unit") or 0),
            description=request.POST.get("description", ""),
            due=date.fromisoformat(due) if due else None,
        )
        messages.success(request, _("The task is handed out."))
    elif action == "done":
        problems.theme_task_done(actor=request.user, task_id=int(request.POST.get("task") or 0))
        messages.success(request, _("The task is marked done."))


def month_problems(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in DISPATCHER_ROLES and not user.is_superuser:
        raise PermissionDenied(_("The month's problems are for the dispatching offices."))
    sees_city = user.is_superuser or user.role in CITY_ROLES
    months = problems.message_months()
    month = _month(request.GET.get("month", ""), months)
    if request.method == "POST":
        if not sees_city:
            raise PermissionDenied(_("The city chooses the month's theme."))
        try:
            _post(request, month)
        except InvalidInput as e:
            rows = "; ".join(f"{d['row']}: {d['reason']}" for d in (e.details or [])[:5])
            messages.error(request, f"{e.message} {rows}".strip())
        except ValueError:
            messages.error(request, _("The form is not valid."))
        return redirect(f"{request.path}?month={month:%Y-%m}")
    found = problems.month_problems(month) if sees_city else []
    theme = MonthlyTheme.objects.filter(month=month).select_related("lead_unit").first()
    spikes = problems.street_spikes(user)
    names = dict(
        Region.objects.filter(code__in={s.street for s in spikes}).values_list("code", "name")
    )
    categories = dict(
        Category.objects.filter(code__in={s.category for s in spikes}).values_list("code", "name")
    )
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
            "departments": Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("name"),
            "units": Unit.objects.order_by("kind", "name")[:500],
            "spikes": [
                (s, names.get(s.street, s.street), categories.get(s.category, s.category))
                for s in spikes
            ],
            "sees_city": sees_city,
            "may_choose": user.is_superuser or user.role == Role.CITY_ADMIN,
        },
    )
