from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from shoushan.accounts.models import Role
from shoushan.accounts.roles import PATROLLERS, has_role
from shoushan.evaluation.selectors import datasets_visible
from shoushan.grid.cases import selectors as case_selectors
from shoushan.regions.selectors import region_level_counts

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
