"""Reads for smart intake: the possible duplicates of a case, within the viewer's scope."""

import math
from datetime import timedelta

from shoushan.grid import selectors
from shoushan.grid.intake.duplicates import (
    DEFAULT_WINDOW_HOURS,
    Candidate,
    Report,
    duplicate_candidates,
)
from shoushan.grid.models import Case
from shoushan.grid.workflow import Stage

MAX_COMPARED = 5000


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
    already are left out."""
    case = selectors.case_get(viewer, case_id)
    radius = case.category.duplicate_radius_m
    window = timedelta(hours=window_hours)
    nearby = selectors.case_list_visible(viewer).filter(
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
