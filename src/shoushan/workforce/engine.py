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

A city has about 45,000 workers and several events and changes each, and a page asks for the
figures of a dozen days and a dozen subdivisions: `Records` holds them as numpy arrays sorted by
worker and date, so that the state of every worker on a day is one binary search per array
(bench/workforce_statistics.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np

# Statuses in which a worker is on a community's roster (counted in the head count).
ON_ROSTER = frozenset({"active", "seconded"})
COLLEGE_OR_MORE = frozenset({"associate", "bachelor", "master", "doctorate"})
PARTY_MEMBERS = frozenset({"party_member", "probationary_member"})
NOT_QUALIFIED = frozenset({"", "none"})


class WorkerFacts(NamedTuple):
    """What the statistics need of a worker that the career events do not replay: the values
    recorded now (the latest), which the attribute changes turn into those of any day."""

    worker_id: int
    birth_date: date
    education: str
    political_status: str
    qualification: str
    certificate_year: int | None
    monthly_pay: float | None


class EventState(NamedTuple):
    """A worker's state after one event."""

    worker_id: int
    on: date
    sequence: int  # the event's id: the order of events of the same day
    community_code: str
    post: str
    status: str


class AttributeStep(NamedTuple):
    """One dated change of an attribute, with the values of its fields (ATTRIBUTE_FIELDS) before
    and after it."""

    worker_id: int
    on: date
    sequence: int  # the change's id: the order of changes of the same day
    attribute: str
    before: tuple
    after: tuple


# The WorkerFacts fields each attribute change sets, in the order of its `before` and `after`.
ATTRIBUTE_FIELDS: dict[str, tuple[str, ...]] = {
    "education": ("education",),
    "political_status": ("political_status",),
    "qualification": ("qualification", "certificate_year"),
    "pay": ("monthly_pay",),
}
_NUMERIC = frozenset({"certificate_year", "monthly_pay"})  # None is NaN; the rest are words

_DAY_BITS = 22  # a key is worker << 22 | the day's ordinal (below 2**22: years up to 11,000)


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


class _Words:
    """Strings as small integer codes, so that a set of them is a boolean table."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, word: str) -> int:
        return self.codes.setdefault(word, len(self.codes))

    def array(self, words: Iterable[str]) -> np.ndarray:
        return np.fromiter(map(self.code, words), dtype=np.int32)

    def member(self, words: frozenset[str]) -> np.ndarray:
        table = np.zeros(len(self.codes) + 1, dtype=bool)
        table[[c for w, c in self.codes.items() if w in words]] = True
        return table

    def index(self, word: str) -> int:
        return self.codes.get(word, -1)


def _column(rows: list, i: int) -> np.ndarray:
    """The integers of column `i` of the rows."""
    return np.fromiter((row[i] for row in rows), dtype=np.int64, count=len(rows))


def _number(value) -> float:
    return np.nan if value is None else float(value)


def _last_on_or_before(keys: np.ndarray, firsts: np.ndarray, workers: np.ndarray, day: int):
    """For each worker, the index in `keys` (sorted worker << 22 | day) of its last entry on or
    before `day`, and whether it has one (`firsts`: the index of each worker's first entry)."""
    last = np.searchsorted(keys, (workers << _DAY_BITS) | day, side="right") - 1
    return last, last >= firsts


class Records:
    """The career events, recorded values and attribute changes of a set of workers, as arrays,
    ready to be cut at any date. Workers without an event are left out (they are on no roster)."""

    def __init__(
        self,
        facts: Iterable[WorkerFacts | tuple],
        events: Iterable[EventState | tuple],
        steps: Iterable[AttributeStep | tuple] = (),
    ) -> None:
        self.words = words = _Words()
        event_rows = list(events)
        event_workers = _column(event_rows, 0)
        self.worker_ids, event_positions = np.unique(event_workers, return_inverse=True)
        n = len(self.worker_ids)
        self._workers = workers = np.arange(n, dtype=np.int64)

        # the recorded values, one row per worker (a worker with events has a row: KeyError if not)
        by_id = {f[0]: f for f in facts}
        rows = [by_id[w] for w in self.worker_ids.tolist()]
        self._born_year = np.fromiter((r[1].year for r in rows), dtype=np.int64, count=n)
        self._born_day = np.fromiter(
            (r[1].month * 100 + r[1].day for r in rows), dtype=np.int64, count=n
        )
        self._recorded = {
            "education": words.array(r[2] for r in rows),
            "political_status": words.array(r[3] for r in rows),
            "qualification": words.array(r[4] for r in rows),
            "certificate_year": np.fromiter((_number(r[5]) for r in rows), np.float64, count=n),
            "monthly_pay": np.fromiter((_number(r[6]) for r in rows), np.float64, count=n),
        }

        # the events, by worker, date and order of recording
        days = np.fromiter((e[1].toordinal() for e in event_rows), np.int64, len(event_rows))
        order = np.lexsort((_column(event_rows, 2), days, event_positions))
        self._event_keys = (event_positions[order] << _DAY_BITS) | days[order]
        self._event_firsts = np.searchsorted(self._event_keys, workers << _DAY_BITS)
        communities = np.array([e[3] for e in event_rows], dtype=str)
        codes, community = np.unique(communities, return_inverse=True)
        self.community_codes: list[str] = codes.tolist()
        self._event_community = community[order]
        self._event_post = words.array(e[4] for e in event_rows)[order]
        self._event_status = words.array(e[5] for e in event_rows)[order]

        # the attribute changes, each attribute on its own: its changes by worker and date, the
        # fields' values after each, and before each worker's first (the value at hire)
        grouped: dict[str, list] = {a: [] for a in ATTRIBUTE_FIELDS}
        for step in steps:
            grouped[step[3]].append(step)
        self._changes: dict[str, tuple] = {}
        for attribute, items in grouped.items():
            ids = _column(items, 0)
            positions = np.searchsorted(self.worker_ids, ids)
            known = positions < n
            known[known] = self.worker_ids[positions[known]] == ids[known]
            days = np.fromiter((s[1].toordinal() for s in items), np.int64, len(items))
            order = np.lexsort((_column(items, 2), days, positions))
            order = order[known[order]]  # changes of workers without events are left out
            keys = (positions[order] << _DAY_BITS) | days[order]
            values = {}
            for i, name in enumerate(ATTRIBUTE_FIELDS[attribute]):
                if name in _NUMERIC:
                    after = np.fromiter((_number(s[5][i]) for s in items), np.float64, len(items))
                    before = np.fromiter((_number(s[4][i]) for s in items), np.float64, len(items))
                else:
                    after = words.array(s[5][i] for s in items)
                    before = words.array(s[4][i] for s in items)
                values[name] = (before[order], after[order])
            firsts = np.searchsorted(keys, workers << _DAY_BITS)
            ever = np.append(firsts[1:], len(keys)) > firsts  # the worker changed this attribute
            self._changes[attribute] = (keys, firsts, ever, values)
        self._day: tuple[date, dict] | None = None

    def _on(self, day: date) -> dict:
        """Every worker on `day`: on a roster or not, community, status, and each replayed field."""
        if self._day is not None and self._day[0] == day:
            return self._day[1]
        ordinal, workers = day.toordinal(), self._workers
        last, has = _last_on_or_before(self._event_keys, self._event_firsts, workers, ordinal)
        last = np.where(has, last, 0)
        status = self._event_status[last]
        on_roster = has & self.words.member(ON_ROSTER)[status]
        values = dict(self._recorded)
        for keys, firsts, ever, fields in self._changes.values():
            if not len(keys):
                continue
            change, changed = _last_on_or_before(keys, firsts, workers, ordinal)
            first = np.minimum(firsts, len(keys) - 1)  # where `ever` is False, any valid index
            change = np.maximum(change, 0)
            for name, (before, after) in fields.items():
                values[name] = np.where(
                    changed, after[change], np.where(ever, before[first], values[name])
                )
        state = {
            "on_roster": on_roster,
            "community": self._event_community[last],
            "post": self._event_post[last],
            "status": status,
            **values,
        }
        self._day = (day, state)
        return state

    def roster(self, day: date, prefix: str = "") -> dict[int, tuple[str, str, str]]:
        """The workers on the roster of a community under `prefix` on `day`:
        worker id → (community code, post, status)."""
        state = self._on(day)
        chosen = state["on_roster"] & self._under(prefix)[state["community"]]
        names = {c: w for w, c in self.words.codes.items()}
        return {
            int(self.worker_ids[i]): (
                self.community_codes[state["community"][i]],
                names[state["post"][i]],
                names[state["status"][i]],
            )
            for i in np.flatnonzero(chosen).tolist()
        }

    def _under(self, prefix: str) -> np.ndarray:
        return np.fromiter(
            (c.startswith(prefix) for c in self.community_codes),
            dtype=bool,
            count=len(self.community_codes),
        )

    def figures(
        self,
        day: date,
        prefix: str = "",
        *,
        city_average_wage: tuple[int, float] | None = None,
        households: Mapping[str, int] | None = None,
        communities: int = 0,
    ) -> Figures:
        """The figures of the workers on the roster of a community under `prefix` on `day`, with
        education, political status, qualification and pay as they were on `day`.

        A worker counts as certified on `day` if a qualification is recorded with a certificate
        year no later than `day`'s year (or no year). `households` maps a community code to its
        households (only communities with a figure); staff per 1,000 households counts the
        workers of those communities only, out of `communities` in the region."""
        state = self._on(day)
        community = state["community"]
        chosen = state["on_roster"] & self._under(prefix)[community]
        words = self.words

        def count(flags: np.ndarray) -> int:
            return int(np.count_nonzero(flags & chosen))

        ages = day.year - self._born_year - (day.month * 100 + day.day < self._born_day)
        year = state["certificate_year"]
        certified = ~words.member(NOT_QUALIFIED)[state["qualification"]] & (
            np.isnan(year) | (year <= day.year)
        )
        pay = state["monthly_pay"]
        paid = ~np.isnan(pay)
        households = households or {}
        covered = np.fromiter(
            (c in households for c in self.community_codes),
            dtype=bool,
            count=len(self.community_codes),
        )
        wage_year, wage = city_average_wage if city_average_wage else (None, None)
        return Figures(
            on=day,
            head_count=int(np.count_nonzero(chosen)),
            seconded=count(state["status"] == words.index("seconded")),
            age_sum=int(ages[chosen].sum()),
            college_or_more=count(words.member(COLLEGE_OR_MORE)[state["education"]]),
            party_members=count(words.member(PARTY_MEMBERS)[state["political_status"]]),
            certified=count(certified),
            with_pay=count(paid),
            annual_pay_sum=float(pay[chosen & paid].sum()) * 12,
            city_average_wage=wage,
            city_average_wage_year=wage_year,
            households=sum(households.values()) or None,
            covered_head_count=count(covered[community]),
            communities_with_households=len(households),
            communities=communities,
        )
