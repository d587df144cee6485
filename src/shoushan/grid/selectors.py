"""Reads of the grid system: queues, cases, grids; every one through the scope helper."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.models import Role
from shoushan.accounts.scope import scope_filter
from shoushan.core.errors import NotFound
from shoushan.grid.models import Case, Grid, GridLayer, Unit
from shoushan.grid.workflow import OPEN_STAGES, Stage
from shoushan.regions.codes import significant_prefix


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("category", "unit", "grid", "community", "street").defer(
        "grid__boundary", "community__boundary", "street__boundary"
    )


def case_list_visible(viewer) -> QuerySet[Case]:
    """Every case the viewer may see: those inside the viewer's scopes and those sent to a unit
    the viewer belongs to."""
    in_scope = scope_filter(Case.objects.all(), viewer).values("pk")
    mine = Case.objects.filter(unit__members=viewer).values("pk")
    return _cases().filter(Q(pk__in=in_scope) | Q(pk__in=mine))


def case_get(viewer, case_id: int) -> Case:
    """One case the viewer may see, or NotFound (a case elsewhere is not revealed)."""
    case = case_list_visible(viewer).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such case in your scope."))
    return case


QUEUE_STAGES = {
    # the dispatcher registers, dispatches, re-dispatches returned cases and closes verified ones
    "dispatcher": [Stage.REPORTED, Stage.REGISTERED, Stage.RETURNED, Stage.VERIFIED],
    # the handling unit accepts and handles
    "handler": [Stage.DISPATCHED, Stage.ACCEPTED],
    # the grid worker verifies what was handled in the grids they work
    "grid_worker": [Stage.HANDLED],
}


def case_queue(viewer, queue: str) -> QuerySet[Case]:
    """The work waiting for the viewer in one queue, most urgent first."""
    stages = QUEUE_STAGES[queue]
    if queue == "handler":
        cases = _cases().filter(unit__members=viewer)
    elif queue == "grid_worker":
        # the worker's grids, and cases placed only by community in a community they work
        communities = Grid.objects.filter(workers=viewer).values("community_id")
        cases = _cases().filter(
            Q(grid__workers=viewer) | Q(grid__isnull=True, community_id__in=communities),
            pk__in=scope_filter(Case.objects.all(), viewer).values("pk"),
        )
    else:
        cases = _cases().filter(pk__in=scope_filter(Case.objects.all(), viewer).values("pk"))
    return cases.filter(stage__in=stages).order_by("deadline", "reported_at")


def queues_for(viewer) -> list[str]:
    """Which queues a person works: by role, and by belonging to a unit or a grid."""
    queues = []
    if (
        viewer.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF)
        or viewer.is_superuser
    ):
        queues.append("dispatcher")
    if Unit.objects.filter(members=viewer).exists():
        queues.append("handler")
    if Grid.objects.filter(workers=viewer).exists():
        queues.append("grid_worker")
    return queues


def grids_in(viewer, region_code: str, layer: str = GridLayer.COMPREHENSIVE) -> QuerySet[Grid]:
    grids = Grid.objects.filter(layer=layer, code__startswith=significant_prefix(region_code))
    return scope_filter(grids, viewer, field="code").prefetch_related("workers").order_by("code")


def open_cases_in(viewer, region_code: str) -> QuerySet[Case]:
    cases = case_list_visible(viewer).filter(
        region_code__startswith=significant_prefix(region_code)
    )
    return cases.filter(stage__in=OPEN_STAGES)


def time_left(case: Case, now: datetime | None = None) -> float | None:
    """Hours until the deadline (negative when overdue), or None before dispatch."""
    if case.deadline is None:
        return None
    return ((case.deadline - (now or timezone.now())).total_seconds()) / 3600
