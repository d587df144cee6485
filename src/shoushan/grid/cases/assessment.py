"""The monthly assessment of streets (三率 and the rest), from the cases themselves.

Definitions (also in docs/assessment.md and beside each figure on the ranking page). A case
counts in the month it was reported, local time (Asia/Shanghai):

- response_rate 响应率 = cases accepted by their deadline / cases dispatched
- resolution_rate 解决率 = return visits that found the problem resolved / return visits
- satisfaction_rate 满意率 = return visits satisfied or basically satisfied / return visits
- composite = the weighted mean of the three (weights default equal)
- closure_rate 结案率 = closed / registered (every case that was not left unregistered)
- on_time_closure_rate 按期结案率 = closed by the deadline / closed
- rework_rate 返工率 = cases sent back for rework at least once / cases handled
- extension_rate 延期率 = cases whose deadline was extended / cases dispatched

A duplicate merged into another case counts as received and in nothing else: it is answered
through the case it was merged into (whose reporters each get a return visit).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.utils import timezone

from shoushan.core.standby import standby_reads
from shoushan.grid.models import Case, Channel, ReturnVisit, Satisfaction
from shoushan.grid.workflow import Stage
from shoushan.regions.models import Level, Region

THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
DEFAULT_WEIGHTS = dict.fromkeys(THREE_RATES, 1.0)


@dataclass
class StreetMonth:
    code: str
    name: str
    district: str
    counts: dict[str, int]
    rates: dict[str, float | None] = field(default_factory=dict)
    composite: float | None = None
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive: up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def rates_from_counts(
    counts: dict[str, int], weights: dict[str, float]
) -> tuple[dict, float | None]:
    """The rates of one street and their composite (pure)."""
    rates = {
        "response_rate": _ratio(counts["responded_on_time"], counts["dispatched"]),
        "resolution_rate": _ratio(counts["visits_resolved"], counts["visits"]),
        "satisfaction_rate": _ratio(counts["visits_satisfied"], counts["visits"]),
        "closure_rate": _ratio(counts["closed"], counts["registered"]),
        "on_time_closure_rate": _ratio(counts["closed_on_time"], counts["closed"]),
        "rework_rate": _ratio(counts["reworked"], counts["handled"]),
        "extension_rate": _ratio(counts["extended"], counts["dispatched"]),
    }
    present = [(rates[k], weights.get(k, 0.0)) for k in THREE_RATES if rates[k] is not None]
    total = sum(w for _r, w in present)
    composite = sum(r * w for r, w in present) / total if present and total > 0 else None
    return rates, composite


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month.replace(day=1), time.min))
    following = (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.combine(following, time.min))


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)


def _counts(month: date, province: str = "11") -> dict[str, dict[str, int]]:
    return case_counts(*month_bounds(month), province=province)


def case_counts(start: datetime, end: datetime, province: str = "11") -> dict[str, dict[str, int]]:
    """The counts behind the rates, per street code, for the cases reported in [start, end);
    a street without cases is absent, one without return visits lacks the visit counts."""
    cases = Case.objects.filter(
        reported_at__gte=start, reported_at__lt=end, street__code__startswith=province
    )
    # a merged duplicate is answered through the case it was merged into: it counts as
    # received, and in nothing else
    own = ~Q(stage=Stage.MERGED)
    rows = cases.values("street_id").annotate(
        received=Count("id"),
        registered=Count("id", filter=~Q(stage__in=[Stage.REPORTED, Stage.REJECTED, Stage.MERGED])),
        dispatched=Count("id", filter=Q(dispatched_at__isnull=False) & own),
        responded_on_time=Count(
            "id", filter=Q(responded_at__isnull=False, responded_at__lte=F("deadline")) & own
        ),
        handled=Count("id", filter=Q(handled_at__isnull=False) & own),
        closed=Count("id", filter=Q(stage=Stage.CLOSED)),
        closed_on_time=Count("id", filter=Q(stage=Stage.CLOSED, closed_at__lte=F("deadline"))),
        reworked=Count("id", filter=Q(reworked=True) & own),
        extended=Count("id", filter=Q(extended=True) & own),
        **{f"channel_{c}": Count("id", filter=Q(channel=c)) for c in Channel.values},
    )
    counts = {row.pop("street_id"): row for row in rows}
    visits = (
        ReturnVisit.objects.filter(  # a join, not IN (subquery): PostgreSQL plans it far better
            case__reported_at__gte=start,
            case__reported_at__lt=end,
            case__street__code__startswith=province,
        )
        .values("case__street_id")
        .annotate(
            visits=Count("id"),
            visits_resolved=Count("id", filter=Q(resolved=True)),
            visits_satisfied=Count(
                "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
            ),
        )
    )
    for row in visits:
        counts.setdefault(row.pop("case__street_id"), {}).update(row)
    return counts


_EMPTY = dict.fromkeys(
    [
        "received",
        "registered",
        "dispatched",
        "responded_on_time",
        "handled",
        "closed",
        "closed_on_time",
        "reworked",
        "extended",
        "visits",
        "visits_resolved",
        "visits_satisfied",
    ]
    + [f"channel_{c}" for c in Channel.values],
    0,
)


@standby_reads()
def street_ranking(month: date, *, weights: dict[str, float] | None = None) -> list[StreetMonth]:
    """Every street and town of the city for the month, ranked by the composite (ties share the
    lowest rank); streets without a rate come last, unranked. Read from the standby when there is
    one within its lag bound (shoushan.core.standby)."""
    weights = weights or DEFAULT_WEIGHTS
    streets = Region.objects.filter(level=Level.STREET, code__startswith="11").defer("boundary")
    districts = dict(Region.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    ranked = {}
    for this_month in (previous_month(month), month):
        counts = _counts(this_month)
        rows = []
        for street in streets:
            street_counts = {**_EMPTY, **counts.get(street.code, {})}
            rates, composite = rates_from_counts(street_counts, weights)
            rows.append(
                StreetMonth(
                    street.code,
                    street.name,
                    districts.get(street.parent_id, ""),
                    street_counts,
                    rates,
                    composite,
                )
            )
        _rank(rows)
        ranked[this_month] = rows
    previous = {row.code: row.rank for row in ranked[previous_month(month)]}
    for row in ranked[month]:
        row.previous_rank = previous.get(row.code)
    return sorted(ranked[month], key=lambda r: (r.rank is None, r.rank or 0, r.code))


def _rank(rows: list[StreetMonth]) -> None:
    scored = sorted((r for r in rows if r.composite is not None), key=lambda r: -r.composite)
    for position, row in enumerate(scored, start=1):
        tied = position > 1 and abs(row.composite - scored[position - 2].composite) < 1e-12
        row.rank = scored[position - 2].rank if tied else position
