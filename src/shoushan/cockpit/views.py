from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from shoushan.cockpit.systems import SYSTEMS
from shoushan.regions.selectors import region_level_counts


def home(request: HttpRequest) -> HttpResponse:
    counts = region_level_counts()
    return render(request, "cockpit/home.html", {"region_counts": counts, "systems": SYSTEMS})


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
