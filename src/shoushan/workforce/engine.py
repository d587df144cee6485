"""Workforce statistics as of a date, by replaying career events (pure; no Django import).

Every career event stores the worker's state after it (community, post, status). The state of a
worker on a day is the state after the last event dated on or before that day (ties broken by the
order the events were recorded), so a figure for any past date is reproducible from the records.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

# Statuses in which a worker is on a community's roster (counted in the head count).
ON_ROSTER = frozenset({"active", "seconded"})
COLLEGE_OR_MORE = frozenset({"associate", "bachelor", "master", "doctorate"})
PARTY_MEMBERS = frozenset({"party_member", "probationary_member"})


@dataclass(frozen=True)
class WorkerFacts:
    """What the statistics need of a worker that the events do not replay."""

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
) -> Figures:
    """The figures of the workers in `states` on `day`.

    A worker counts as certified on `day` if a qualification is recorded with a certificate year
    no later than `day`'s year (or no year). `households` maps a community code to its
    households (only communities with a figure); staff per 1,000 households counts the workers
    of those communities only, out of `communities` in the region."""
    people = [facts[s.worker_id] for s in states]
    paid = [p.monthly_pay for p in people if p.monthly_pay is not None]
    wage_year, wage = city_average_wage if city_average_wage else (None, None)
    households = households or {}
    return Figures(
        on=day,
        head_count=len(people),
        seconded=sum(1 for s in states if s.status == "seconded"),
        age_sum=sum(age_on(p.birth_date, day) for p in people),
        college_or_more=sum(1 for p in people if p.education in COLLEGE_OR_MORE),
        party_members=sum(1 for p in people if p.political_status in PARTY_MEMBERS),
        certified=sum(
            1
            for p in people
            if p.qualification not in ("", "none")
            and (p.certificate_year is None or p.certificate_year <= day.year)
        ),
        with_pay=len(paid),
        annual_pay_sum=float(sum(paid)) * 12,
        city_average_wage=wage,
        city_average_wage_year=wage_year,
        households=sum(households.values()) or None,
        covered_head_count=sum(1 for s in states if s.community_code in households),
        communities_with_households=len(households),
        communities=communities,
    )
