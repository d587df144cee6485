"""Workforce statistics as of a date, by replaying career events and attribute changes (pure; no
Django import).

Every career event stores the worker's state after it (community, post, status). The state of a
worker on a day is the state after the last event dated on or before that day (ties broken by the
order the events were recorded), so a figure for any past date is reproducible from the records.

Education, political status, qualification and pay are replayed the same way from the dated
attribute changes, each of which stores the values before and after it: on a day, an attribute
has the value after its last change on or before the day, or, before its first change, the value
before that change (the value recorded at hire). A worker without changes keeps the recorded
values throughout.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

# Statuses in which a worker is on a community's roster (counted in the head count).
ON_ROSTER = frozenset({"active", "seconded"})
COLLEGE_OR_MORE = frozenset({"associate", "bachelor", "master", "doctorate"})
PARTY_MEMBERS = frozenset({"party_member", "probationary_member"})


@dataclass(frozen=True)
class WorkerFacts:
    """What the statistics need of a worker that the career events do not replay: the values
    recorded now (the latest), which an AttributeHistory turns into those of any day."""

    worker_id: int
    birth_date: date
    education: str
    political_status: str
    qualification: str
    certificate_year: int | None
    monthly_pay: float | None


@dataclass(frozen=True)
class EventState:
    """A worker's state after one event."""

    worker_id: int
    on: date
    sequence: int  # the event's id: the order of events of the same day
    community_code: str
    post: str
    status: str


@dataclass
class Timeline:
    """Each worker's events in order, ready to be cut at any date."""

    by_worker: dict[int, tuple[list[tuple[date, int]], list[EventState]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, events: Iterable[EventState]) -> Timeline:
        grouped: dict[int, list[EventState]] = {}
        for e in events:
            grouped.setdefault(e.worker_id, []).append(e)
        timeline = cls()
        for worker_id, items in grouped.items():
            items.sort(key=lambda e: (e.on, e.sequence))
            timeline.by_worker[worker_id] = ([(e.on, e.sequence) for e in items], items)
        return timeline

    def states_at(self, day: date, prefix: str = "") -> list[EventState]:
        """The state of every worker on the roster of a community under `prefix` on `day`."""
        states = []
        for keys, items in self.by_worker.values():
            i = bisect.bisect_right(keys, (day, float("inf")))
            if i == 0:
                continue
            state = items[i - 1]
            if state.status in ON_ROSTER and state.community_code.startswith(prefix):
                states.append(state)
        return states


# The WorkerFacts fields each attribute change sets, in the order of its `before` and `after`.
ATTRIBUTE_FIELDS: dict[str, tuple[str, ...]] = {
    "education": ("education",),
    "political_status": ("political_status",),
    "qualification": ("qualification", "certificate_year"),
    "pay": ("monthly_pay",),
}


@dataclass(frozen=True)
class AttributeStep:
    """One dated change of an attribute, with the values of its fields (ATTRIBUTE_FIELDS) before
    and after it."""

    worker_id: int
    on: date
    sequence: int  # the change's id: the order of changes of the same day
    attribute: str
    before: tuple
    after: tuple


# The WorkerFacts fields an attribute history replays, in the order of its snapshots.
REPLAYED = ("education", "political_status", "qualification", "certificate_year", "monthly_pay")
_INDEX = {name: i for i, name in enumerate(REPLAYED)}
KEEP = object()  # in a snapshot: this field has no change, the recorded value holds


@dataclass
class AttributeHistory:
    """Each worker's attribute changes in order, as snapshots of the replayed fields: the values
    before the first change (each attribute's `before` of its first change), then after each
    change. One bisection then gives every attribute of a worker on a day."""

    # worker → ([(on, sequence) of each change], [snapshot before the first, after each change])
    by_worker: dict[int, tuple[list[tuple[date, int]], list[tuple]]] = field(default_factory=dict)

    @classmethod
    def of(cls, steps: Iterable[AttributeStep]) -> AttributeHistory:
        grouped: dict[int, list[AttributeStep]] = {}
        for s in steps:
            grouped.setdefault(s.worker_id, []).append(s)
        history = cls()
        for worker_id, items in grouped.items():
            items.sort(key=lambda s: (s.on, s.sequence))
            state: list = [KEEP] * len(REPLAYED)
            seen: set[str] = set()
            for s in items:
                if s.attribute not in seen:
                    seen.add(s.attribute)
                    for name, value in zip(ATTRIBUTE_FIELDS[s.attribute], s.before, strict=True):
                        state[_INDEX[name]] = value
            snapshots = [tuple(state)]
            for s in items:
                for name, value in zip(ATTRIBUTE_FIELDS[s.attribute], s.after, strict=True):
                    state[_INDEX[name]] = value
                snapshots.append(tuple(state))
            history.by_worker[worker_id] = ([(s.on, s.sequence) for s in items], snapshots)
        return history

    def snapshot(self, worker_id: int, day: date) -> tuple | None:
        """The replayed fields of a worker on `day` (KEEP where nothing changed), or None for a
        worker without changes."""
        entry = self.by_worker.get(worker_id)
        if entry is None:
            return None
        keys, snapshots = entry
        return snapshots[bisect.bisect_right(keys, (day, float("inf")))]

    def as_of(self, facts: WorkerFacts, day: date) -> WorkerFacts:
        """The worker's facts with each attribute as it was on `day`."""
        values = self.snapshot(facts.worker_id, day)
        if values is None:
            return facts
        return replace(
            facts, **{n: v for n, v in zip(REPLAYED, values, strict=True) if v is not KEEP}
        )


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Figures:
    """The figures of one region on one day, with the counts behind each."""

    on: date
    head_count: int
    seconded: int
    age_sum: int
    college_or_more: int
    party_members: int
    certified: int
    with_pay: int
    annual_pay_sum: float
    city_average_wage: float | None
    city_average_wage_year: int | None
    households: int | None
    covered_head_count: int
    communities_with_households: int
    communities: int

    @property
    def average_age(self) -> float | None:
        return self.age_sum / self.head_count if self.head_count else None

    def share(self, count: int) -> float | None:
        return count / self.head_count if self.head_count else None

    @property
    def college_share(self) -> float | None:
        return self.share(self.college_or_more)

    @property
    def party_share(self) -> float | None:
        return self.share(self.party_members)

    @property
    def certified_share(self) -> float | None:
        return self.share(self.certified)

    @property
    def average_annual_pay(self) -> float | None:
        return self.annual_pay_sum / self.with_pay if self.with_pay else None

    @property
    def pay_ratio(self) -> float | None:
        pay = self.average_annual_pay
        if pay is None or not self.city_average_wage:
            return None
        return pay / self.city_average_wage

    @property
    def staff_per_1000_households(self) -> float | None:
        if not self.households:
            return None
        return self.covered_head_count * 1000 / self.households


def figures(
    states: Sequence[EventState],
    facts: dict[int, WorkerFacts],
    day: date,
    *,
    city_average_wage: tuple[int, float] | None = None,
    households: Mapping[str, int] | None = None,
    communities: int = 0,
    history: AttributeHistory | None = None,
) -> Figures:
    """The figures of the workers in `states` on `day`.

    A worker counts as certified on `day` if a qualification is recorded with a certificate year
    no later than `day`'s year (or no year). `households` maps a community code to its
    households (only communities with a figure); staff per 1,000 households counts the workers
    of those communities only, out of `communities` in the region. With a `history`, education,
    political status, qualification and pay are those effective on `day`."""
    by_worker = history.by_worker if history is not None else {}
    last = (day, float("inf"))
    age_sum = college = party = certified = with_pay = 0
    pay_sum = 0.0
    for s in states:
        p = facts[s.worker_id]
        education, political, qualification, year, pay = (
            p.education,
            p.political_status,
            p.qualification,
            p.certificate_year,
            p.monthly_pay,
        )
        entry = by_worker.get(s.worker_id)
        if entry is not None:  # as on the day: the snapshot after the last change by then
            e, po, q, y, m = entry[1][bisect.bisect_right(entry[0], last)]
            education = education if e is KEEP else e
            political = political if po is KEEP else po
            qualification = qualification if q is KEEP else q
            year = year if y is KEEP else y
            pay = pay if m is KEEP else m
        age_sum += age_on(p.birth_date, day)
        college += education in COLLEGE_OR_MORE
        party += political in PARTY_MEMBERS
        certified += qualification not in ("", "none") and (year is None or year <= day.year)
        if pay is not None:
            with_pay += 1
            pay_sum += pay
    wage_year, wage = city_average_wage if city_average_wage else (None, None)
    households = households or {}
    return Figures(
        on=day,
        head_count=len(states),
        seconded=sum(1 for s in states if s.status == "seconded"),
        age_sum=age_sum,
        college_or_more=college,
        party_members=party,
        certified=certified,
        with_pay=with_pay,
        annual_pay_sum=pay_sum * 12,
        city_average_wage=wage,
        city_average_wage_year=wage_year,
        households=sum(households.values()) or None,
        covered_head_count=sum(1 for s in states if s.community_code in households),
        communities_with_households=len(households),
        communities=communities,
    )
