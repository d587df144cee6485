"""The array engine against the rules replayed one worker at a time, on random careers full of
the awkward cases: several events or changes on one day (the order recorded decides), a change
before the first event, a day before anything, 29 February birthdays, no pay, no certificate year
and a certificate of a later year."""

import random
from datetime import date, timedelta

import pytest

from shoushan.workforce.engine import (
    ATTRIBUTE_FIELDS,
    COLLEGE_OR_MORE,
    NOT_QUALIFIED,
    ON_ROSTER,
    PARTY_MEMBERS,
    AttributeStep,
    EventState,
    Records,
    WorkerFacts,
    age_on,
)

COMMUNITIES = ["110101001001", "110101001002", "110101002001", "110105001001", "110228001001"]
VALUES = {
    "education": ["high_school", "associate", "bachelor", "master", "doctorate", ""],
    "political_status": ["masses", "party_member", "probationary_member", "youth_league"],
    "qualification": ["none", "", "assistant", "social_worker", "senior"],
    "certificate_year": [None, 2012, 2018, 2024],
    "monthly_pay": [None, 6500.0, 8000.5, 9300.25],
}
FIELDS = list(VALUES)


def random_records(seed: int):
    rng = random.Random(seed)
    start = date(2010, 1, 1)
    facts, events, steps, sequence = [], [], [], 0
    for w in range(1, 400):
        born = rng.choice([date(1980, 2, 29), date(1992, 12, 31), date(1975, 6, 15)])
        facts.append(WorkerFacts(w, born, *(rng.choice(VALUES[f]) for f in FIELDS)))
        for _ in range(rng.randint(0 if w % 50 == 0 else 1, 4)):  # a few without any event
            sequence += rng.randint(1, 3)
            on = start + timedelta(days=rng.choice([0, 1, 365, 366, 1000, rng.randrange(4000)]))
            status = rng.choice(["active", "active", "seconded", "left"])
            post = rng.choice(["full_time", "member", "secretary"])
            events.append(EventState(w, on, sequence, rng.choice(COMMUNITIES), post, status))
        for _ in range(rng.randint(0, 5)):
            sequence += rng.randint(1, 3)
            attribute = rng.choice(list(ATTRIBUTE_FIELDS))
            on = start + timedelta(days=rng.choice([-30, 0, 365, 1000, rng.randrange(4000)]))
            fields = ATTRIBUTE_FIELDS[attribute]
            before = tuple(rng.choice(VALUES[f]) for f in fields)
            after = tuple(rng.choice(VALUES[f]) for f in fields)
            steps.append(AttributeStep(w, on, sequence, attribute, before, after))
    rng.shuffle(events)
    rng.shuffle(steps)
    return facts, events, steps


def replayed(facts, events, steps, day: date, prefix: str):
    """Each rule of the figures applied one worker at a time, as a person would."""
    recorded = {f.worker_id: f for f in facts}
    rows = []
    for w in sorted({e.worker_id for e in events}):
        mine = sorted((e for e in events if e.worker_id == w), key=lambda e: (e.on, e.sequence))
        before_day = [e for e in mine if e.on <= day]
        if not before_day:
            continue
        state = before_day[-1]
        if state.status not in ON_ROSTER or not state.community_code.startswith(prefix):
            continue
        values = dict(recorded[w]._asdict())
        for attribute, fields in ATTRIBUTE_FIELDS.items():
            changes = sorted(
                (s for s in steps if s.worker_id == w and s.attribute == attribute),
                key=lambda s: (s.on, s.sequence),
            )
            done = [s for s in changes if s.on <= day]
            if done:
                values.update(zip(fields, done[-1].after, strict=True))
            elif changes:
                values.update(zip(fields, changes[0].before, strict=True))
        rows.append((state, values))
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_the_arrays_give_the_figures_of_the_rules_replayed_worker_by_worker(seed):
    facts, events, steps = random_records(seed)
    records = Records(facts, events, steps)
    households = {COMMUNITIES[0]: 1200, COMMUNITIES[3]: 800}
    rng = random.Random(seed)
    days = [date(2009, 12, 31), date(2010, 1, 1), date(2012, 2, 29), date(2016, 12, 31)]
    days += [date(2010, 1, 1) + timedelta(days=rng.randrange(4500)) for _ in range(4)]
    for day in days:
        for prefix in ("", "110101", "110101001", COMMUNITIES[3], "110229"):
            rows = replayed(facts, events, steps, day, prefix)
            got = records.figures(day, prefix, households=households, communities=7)
            paid = [v["monthly_pay"] for _s, v in rows if v["monthly_pay"] is not None]
            assert (
                got.head_count,
                got.seconded,
                got.age_sum,
                got.college_or_more,
                got.party_members,
                got.certified,
                got.with_pay,
                got.covered_head_count,
            ) == (
                len(rows),
                sum(s.status == "seconded" for s, _v in rows),
                sum(age_on(v["birth_date"], day) for _s, v in rows),
                sum(v["education"] in COLLEGE_OR_MORE for _s, v in rows),
                sum(v["political_status"] in PARTY_MEMBERS for _s, v in rows),
                sum(
                    v["qualification"] not in NOT_QUALIFIED
                    and (v["certificate_year"] is None or v["certificate_year"] <= day.year)
                    for _s, v in rows
                ),
                len(paid),
                sum(s.community_code in households for s, _v in rows),
            ), (day, prefix)
            assert got.annual_pay_sum == pytest.approx(sum(paid) * 12)
            assert records.roster(day, prefix) == {
                s.worker_id: (s.community_code, s.post, s.status) for s, _v in rows
            }
    assert got.households == 2000 and got.communities_with_households == 2


def test_no_records_give_no_one():
    records = Records([], [], [])
    figures = records.figures(date(2024, 1, 1))
    assert (figures.head_count, figures.average_age, figures.annual_pay_sum) == (0, None, 0.0)
    assert records.roster(date(2024, 1, 1)) == {}


def test_a_worker_without_an_event_is_on_no_roster_and_changes_of_others_are_ignored():
    facts = [WorkerFacts(1, date(1990, 1, 1), "bachelor", "masses", "none", None, 7000.0)]
    events = [EventState(1, date(2020, 1, 1), 1, COMMUNITIES[0], "member", "active")]
    steps = [AttributeStep(2, date(2020, 1, 1), 2, "education", ("master",), ("doctorate",))]
    facts.append(WorkerFacts(2, date(1990, 1, 1), "doctorate", "masses", "none", None, None))
    figures = Records(facts, events, steps).figures(date(2021, 1, 1))
    assert (figures.head_count, figures.college_or_more, figures.with_pay) == (1, 1, 1)
