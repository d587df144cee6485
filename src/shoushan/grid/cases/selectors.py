"""Reads of the closed loop: queues and cases, every one through the scope helper."""

import math
from datetime import datetime, timedelta

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.personal import personal_values
from shoushan.accounts.roles import DISPATCHERS, has_role, require_role
from shoushan.accounts.scope import scope_filter
from shoushan.core.errors import NotFound
from shoushan.core.masking import mask
from shoushan.grid.cases.duplicates import (
    DEFAULT_WINDOW_HOURS,
    Candidate,
    Report,
    duplicate_candidates,
)
from shoushan.grid.cases.routing import case_location, case_route
from shoushan.grid.models import Case, CaseReporter, Grid, ReturnVisit, Unit
from shoushan.grid.registry.selectors import units_acting
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


QUEUE_TITLES = {
    "dispatcher": gettext_lazy("Dispatcher's queue"),
    "handler": gettext_lazy("Handling queue"),
    "grid_worker": gettext_lazy("Verification queue"),
}
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
    if has_role(viewer, DISPATCHERS):
        queues.append("dispatcher")
    if Unit.objects.filter(members=viewer).exists():
        queues.append("handler")
    if Grid.objects.filter(workers=viewer).exists():
        queues.append("grid_worker")
    return queues


def open_cases_in(viewer, region_code: str) -> QuerySet[Case]:
    cases = case_list_visible(viewer).filter(
        region_code__startswith=significant_prefix(region_code)
    )
    return cases.filter(stage__in=OPEN_STAGES)


def case_routed_unit(case: Case) -> Unit | None:
    """Where "by the routing rules" would send the open case now (None when nowhere), with
    `acting` as `units_acting` gives it."""
    unit = (
        case_route(category=case.category, location=case_location(case)) if case.is_open else None
    )
    return None if unit is None else units_acting().get(pk=unit.pk)


def time_left(case: Case, now: datetime | None = None) -> float | None:
    """Hours until the deadline (negative when overdue), or None before dispatch."""
    if case.deadline is None:
        return None
    return ((case.deadline - (now or timezone.now())).total_seconds()) / 3600


# ---- everyone who reported the problem ---------------------------------------------------------


def case_reporters(viewer, case: Case, *, reveal: bool = False) -> list[dict]:
    """Everyone who reported the case's problem, the case's own reporter first, then those merged
    in: {reporter (a CaseReporter, None for the case's own), channel, external_id, reported_at,
    case (where they reported), name, phone, email, visits (their return visits)}. Contacts are
    masked unless `reveal` and the viewer holds the permission (then each read is audited)."""
    visits: dict[int | None, list[ReturnVisit]] = {}
    for visit in case.return_visits.order_by("visited_at"):
        visits.setdefault(visit.reporter_id, []).append(visit)
    merged = list(case.reporters.select_related("merged_case"))
    show = personal_values if reveal else _masked
    own = show(viewer, [case], Case.PERSONAL_FIELDS, purpose="page")[0]
    others = show(
        viewer,
        merged,
        CaseReporter.PERSONAL_FIELDS,
        purpose="page",
        region_code_of=lambda _reporter: case.region_code,
    )
    rows: list[dict] = [
        {
            "reporter": None,
            "channel": case.get_channel_display(),
            "external_id": case.external_id,
            "reported_at": case.reported_at,
            "case": case,
            "name": own["reporter_name"],
            "phone": own["reporter_phone"],
            "email": own["reporter_email"],
            "visits": visits.get(None, []),
        }
    ]
    for reporter, contact in zip(merged, others, strict=True):
        rows.append(
            {
                "reporter": reporter,
                "channel": reporter.get_channel_display(),
                "external_id": reporter.external_id,
                "reported_at": reporter.reported_at,
                "case": reporter.merged_case,
                **contact,
                "visits": visits.get(reporter.pk, []),
            }
        )
    return rows


def _masked(_viewer, records, fields, *, purpose, region_code_of=None) -> list[dict[str, str]]:
    return [{f: mask(getattr(r, f), kind) for f, kind in fields.items()} for r in records]


# ---- possible duplicates ----------------------------------------------------------------------

MAX_COMPARED = 5000
DUPLICATES_FOR_DISPATCHERS = gettext_lazy("Duplicates are merged by the dispatching staff.")


def _report(case: Case) -> Report:
    return Report(
        id=case.pk,
        text=case.description,
        at=case.reported_at,
        category=case.category.code,
        lon=case.longitude,
        lat=case.latitude,
        community=case.community_id or "",
    )


def case_duplicate_candidates(
    viewer, case_id: int, *, window_hours: float = DEFAULT_WINDOW_HOURS
) -> list[tuple[Case, Candidate]]:
    """The cases the viewer may see that may report the same problem as this one: within the
    category's duplicate radius (or the same community, for cases without a point), within the
    time window either side, with similar text; best first. Cases not registered or merged
    already are left out. For the dispatching staff."""
    require_role(viewer, DISPATCHERS, DUPLICATES_FOR_DISPATCHERS)
    case = case_get(viewer, case_id)
    radius = case.category.duplicate_radius_m
    window = timedelta(hours=window_hours)
    nearby = case_list_visible(viewer).filter(
        reported_at__gte=case.reported_at - window, reported_at__lte=case.reported_at + window
    )
    nearby = nearby.exclude(pk=case.pk).exclude(stage__in=[Stage.REJECTED, Stage.MERGED])
    if case.longitude is not None and case.latitude is not None:
        dlat = radius / 111_000
        dlon = dlat / max(math.cos(math.radians(case.latitude)), 0.01)
        nearby = nearby.filter(
            longitude__gte=case.longitude - dlon,
            longitude__lte=case.longitude + dlon,
            latitude__gte=case.latitude - dlat,
            latitude__lte=case.latitude + dlat,
        )
    else:
        nearby = nearby.filter(community_id=case.community_id)
    others = {c.pk: c for c in nearby[:MAX_COMPARED]}
    found = duplicate_candidates(
        _report(case),
        [_report(c) for c in others.values()],
        radius_m={case.category.code: radius},
        window_hours=window_hours,
    )
    return [(others[c.id], c) for c in found]


def case_reporters_merged(case: Case) -> QuerySet[CaseReporter]:
    """The reporters merged into the case with their duplicates (for the return-visit form)."""
    return case.reporters.select_related("merged_case")


def case_photo_get(viewer, case_id: int, photo_id: int):
    """A photo of a case the viewer may see, or None; a case elsewhere is NotFound."""
    return case_get(viewer, case_id).photos.filter(pk=photo_id).first()


# ---- a reporter's follow-up (no sign-in) --------------------------------------------------------

FOLLOW_UP_SALT = "shoushan.case-follow-up"
# What a reporter reads of the case's history: the moves, and the words meant for them.
PUBLIC_NOTES = {"reject", "handle", "close", "extend"}


def follow_up_token(case: Case) -> str:
    """A link's token that opens the case's follow-up page: the case signed with the secret key,
    so it cannot be guessed, and the same each time it is given."""
    return signing.Signer(salt=FOLLOW_UP_SALT).sign(str(case.pk))


def case_by_follow_up_token(token: str) -> Case | None:
    try:
        pk = signing.Signer(salt=FOLLOW_UP_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return _cases().filter(pk=int(pk)).first() if pk.isdigit() else None


def case_by_number_and_phone(number: str, phone: str) -> Case | None:
    """The case with this number (e.g. 20261126-42) whose reporter left this phone; None for
    any mismatch, so that a number alone reveals nothing."""
    date_part, _sep, pk = number.strip().partition("-")
    digits = "".join(c for c in phone if c.isdigit())
    if not pk.isdigit() or len(digits) < 7:
        return None
    case = _cases().filter(pk=int(pk)).first()
    if case is None or case.number != f"{date_part}-{pk}":
        return None
    stored = "".join(c for c in case.reporter_phone if c.isdigit())
    return case if stored and stored == digits else None


def case_follow_up(case: Case) -> dict:
    """What the reporter may see: the case a duplicate was merged into answers for it; its
    stage, handling unit, deadline, the public steps with their notes, and their own rating."""
    answering = case.merged_into or case
    steps = [
        {
            "at": e.at,
            "action": e.action,
            "to_stage": e.to_stage,
            "note": e.note if e.action in PUBLIC_NOTES else "",
        }
        for e in answering.events.order_by("at", "pk")
    ]
    rated = answering.return_visits.filter(by_reporter=True).first()
    return {"case": case, "answering": answering, "steps": steps, "rated": rated}


# ---- the home pages -----------------------------------------------------------------------------


def _urgent(cases: QuerySet[Case], *, now: datetime, limit: int) -> dict:
    """How many cases, how many past their deadline, and the first `limit` with hours left."""
    return {
        "count": cases.count(),
        "overdue": cases.filter(deadline__lt=now).count(),
        "rows": [(case, time_left(case, now)) for case in cases[:limit]],
    }


def work_waiting(viewer, *, now: datetime, limit: int = 10) -> list[dict]:
    """Each queue the person works ({queue, count, overdue, rows}), most urgent first."""
    return [
        {"queue": queue, **_urgent(case_queue(viewer, queue), now=now, limit=limit)}
        for queue in queues_for(viewer)
    ]


def open_cases_here(viewer, *, now: datetime, limit: int = 10) -> dict:
    """The open cases in the viewer's area (their first scope), most urgent first."""
    cases = open_cases_in(viewer, viewer.region_code).order_by("deadline", "reported_at")
    return _urgent(cases, now=now, limit=limit)


def case_figures(viewer, *, now: datetime) -> dict:
    """Live figures of the cases the viewer may see: open, overdue, and this month's reported
    and closed (the month in Asia/Shanghai)."""
    cases = case_list_visible(viewer)
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    open_cases = cases.filter(stage__in=OPEN_STAGES)
    return {
        "open": open_cases.count(),
        "overdue": open_cases.filter(deadline__lt=now).count(),
        "reported_this_month": cases.filter(reported_at__gte=month_start).count(),
        "closed_this_month": cases.filter(closed_at__gte=month_start).count(),
    }


def cases_reported_by(user, *, limit: int = 20) -> list[tuple[Case, str]]:
    """A signed-in resident's own reports, newest first, each with its follow-up token."""
    cases = _cases().filter(reported_by=user).order_by("-reported_at")[:limit]
    return [(case, follow_up_token(case)) for case in cases]
