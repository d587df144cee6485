"""Reading the expert pool."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.scope import scope_filter
from shoushan.reviews.conflicts import Job, conflict_reason
from shoushan.reviews.models import Expert, Panel, Seat


def experts_visible(viewer) -> QuerySet[Expert]:
    return scope_filter(Expert.objects.filter(is_active=True), viewer).prefetch_related(
        "employments", "ties"
    )


def expert_conflict(expert: Expert, *, credit_code: str, on: date, years: int) -> str | None:
    """Why the expert must stand aside from the body with this code, in the reader's language."""
    found = conflict_reason(
        credit_code=credit_code,
        jobs=[
            Job(e.credit_code, e.employer, e.started_on, e.ended_on)
            for e in expert.employments.all()
        ],
        declared=[(t.credit_code, t.description) for t in expert.ties.all()],
        on=on,
        cooling_off_years=years,
    )
    if found is None:
        return None
    message, values = found
    return _(message) % values


@dataclass
class Result:
    panel: Panel
    seats: int
    scored: int
    mean: Decimal | None  # of the scored seats' totals
    rank: int | None = None


def panel_results(panels) -> list[Result]:
    """Each panel's mean total over the seats that scored, ranked (highest first; equal means
    share a rank); a panel none of whose seats scored has no rank."""
    rows = {
        r["panel_id"]: r
        for r in Seat.objects.filter(panel__in=panels)
        .values("panel_id")
        .annotate(seats=Count("pk"), scored=Count("total"), mean=Avg("total"))
        .order_by()
    }
    results = []
    for panel in panels:
        row = rows.get(panel.pk, {})
        mean = row.get("mean")
        results.append(
            Result(
                panel=panel,
                seats=row.get("seats", 0),
                scored=row.get("scored", 0),
                mean=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
            )
        )
    ranked = sorted((r for r in results if r.mean is not None), key=lambda r: -r.mean)
    for position, result in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        result.rank = previous.rank if previous and previous.mean == result.mean else position
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.panel.pk))


def seats_of(subject_type: str, subject_ids) -> dict[int, list[Seat]]:
    """The seats of the panels reviewing these subjects of one system, by subject id."""
    found: dict[int, list[Seat]] = {}
    for seat in (
        Seat.objects.filter(panel__subject_type=subject_type, panel__subject_id__in=subject_ids)
        .select_related("expert", "panel")
        .order_by("pk")
    ):
        found.setdefault(seat.panel.subject_id, []).append(seat)
    return found
