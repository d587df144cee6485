"""Review panels: the draw (pure), stratified by field, conflicts never seated, load spread, one
seat per institution; assignment by hand refused on a conflict; marks on the rubric; ranking."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from shoushan.core.errors import Conflict, InvalidInput
from shoushan.core.validators import credit_code_check_character
from shoushan.reviews import selectors, services
from shoushan.reviews.conflicts import Job, conflict_codes, conflict_reason
from shoushan.reviews.draw import Candidate, Subject, draw
from shoushan.reviews.models import Seat

APPLICANT = "52110101MJ0000001" + credit_code_check_character("52110101MJ0000001")
HUB = "51110000MJ0000002" + credit_code_check_character("51110000MJ0000002")


def _pool(n: int, fields=("社会工作", "社会治理", "财务")) -> list[Candidate]:
    return [
        Candidate(
            id=i, field=fields[i % len(fields)], institution=f"inst-{i % 7}", conflicts=frozenset()
        )
        for i in range(1, n + 1)
    ]


def test_the_draw_is_stratified_excludes_conflicts_and_spreads_the_load():
    pool = _pool(60)
    pool[0] = Candidate(1, "社会工作", "inst-x", frozenset({APPLICANT}))
    pool[1] = Candidate(2, "社会治理", "inst-y", frozenset({HUB}))
    subjects = [
        Subject(key=n, field="社会工作", bodies=frozenset({APPLICANT, HUB})) for n in range(40)
    ]
    drawn = draw(subjects, pool, size=5, rng=random.Random(1))
    fields = {c.id: c.field for c in pool}
    institutions = {c.id: c.institution for c in pool}
    loads: dict[int, int] = {}
    for seats in drawn.seats.values():
        assert len(seats) == 5 and not {1, 2} & set(seats)
        assert sum(fields[e] == "社会工作" for e in seats) == 3  # half, rounded up
        assert len({institutions[e] for e in seats}) == 5  # one per institution
        for e in seats:
            loads[e] = loads.get(e, 0) + 1
    assert max(loads.values()) - min(loads.values()) <= 4  # 200 seats over 58 experts
    assert draw(subjects, pool, size=5, rng=random.Random(1)).seats == drawn.seats  # repeatable


def test_a_short_pool_says_how_short():
    drawn = draw([Subject("a", "社会工作", frozenset())], _pool(3), size=5, rng=random.Random(0))
    assert drawn.short and drawn.short[0].found == 3 and drawn.short[0].wanted == 5


def test_conflict_codes_follow_the_same_rule_as_conflict_reason():
    jobs = [
        Job("A", "甲", date(2010, 1, 1), None),
        Job("B", "乙", date(2010, 1, 1), date(2023, 6, 30)),
        Job("C", "丙", date(2005, 1, 1), date(2015, 1, 1)),
    ]
    declared = [("D", "配偶任职")]
    on = date(2025, 6, 1)
    codes = conflict_codes(jobs=jobs, declared=declared, on=on, cooling_off_years=3)
    for code in "ABCDE":
        reason = conflict_reason(
            credit_code=code, jobs=jobs, declared=declared, on=on, cooling_off_years=3
        )
        assert (code in codes) == (reason is not None), code


@pytest.fixture
def office(user):
    return user("district_admin")


def _expert(office, name, field, employer=None, ties=()):
    return services.expert_create(
        actor=office,
        name=name,
        field=field,
        region_code="110101000000",
        employments=[(employer, "任职单位", date(2015, 1, 1), None)] if employer else [],
        ties=ties,
    )


def test_panels_are_drawn_assigned_scored_and_ranked(beijing, office):
    with translation.override("en"):
        insider = _expert(office, "甲专家", "社会工作", employer=APPLICANT)
        tied = _expert(office, "乙专家", "社会工作", ties=[(HUB, "曾任理事")])
        for n in range(8):
            _expert(office, f"专家{n}", "社会工作" if n % 2 else "财务")
        panels = services.panels_open(
            actor=office,
            subjects=[
                {
                    "subject_type": "test.work",
                    "subject_id": n,
                    "region_code": "110101000000",
                    "field": "社会工作",
                    "bodies": [APPLICANT, HUB] if n == 1 else [],
                    "label": f"申报 {n}",
                    "rubric": [["方案", 60], ["能力", 40]],
                }
                for n in (1, 2)
            ],
        )
        drawn = services.panels_draw(
            actor=office, panels=panels, size=3, on=date(2025, 6, 1), seed=7
        )
        first = set(drawn.seats[panels[0].pk])
        assert len(first) == 3 and not {insider.pk, tied.pk} & first
        with pytest.raises(Conflict, match="must stand aside"):
            services.seat_assign(actor=office, panel=panels[0], expert=insider, on=date(2025, 6, 1))
        for panel, marks in ((panels[0], ("50", "30")), (panels[1], ("55", "35.5"))):
            for seat in Seat.objects.filter(panel=panel):
                services.score_record(
                    actor=office,
                    seat=seat,
                    marks={"方案": marks[0], "能力": marks[1]},
                    on=date(2025, 6, 3),
                )
        with pytest.raises(InvalidInput, match="from 0 to 40"):
            services.score_record(
                actor=office,
                seat=Seat.objects.filter(panel=panels[0]).first(),
                marks={"方案": "50", "能力": "41"},
                on=date(2025, 6, 3),
            )
        results = selectors.panel_results(panels)
        assert [(r.panel.pk, r.rank, r.mean) for r in results] == [
            (panels[1].pk, 1, Decimal("90.50")),
            (panels[0].pk, 2, Decimal("80.00")),
        ]
