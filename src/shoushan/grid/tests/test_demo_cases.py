"""The demo's case history: walked along the state machine, cut at "now", and true to the rules
the ranking, the queues and the spikes apply."""

from collections import Counter

import pytest

from shoushan.audit.models import AuditRecord
from shoushan.grid.cases.assessment import previous_month, street_ranking
from shoushan.grid.demo_cases import demo_cases_create
from shoushan.grid.models import Case, CaseEvent, CaseReporter, Channel, ReturnVisit
from shoushan.grid.workflow import CLOCK_STAGES, Stage, next_stage
from shoushan.regions.models import Level, Region

DONGCHENG = "110101000000"


@pytest.fixture
def history(demo_city, clock):
    now = clock.pin("2026-12-05 15:30")
    counts = demo_cases_create(district_codes=[DONGCHENG])
    return now, counts


def test_every_street_has_months_of_cases_through_every_channel_and_stage(history):
    now, counts = history
    cases = Case.objects.filter(is_generated=True)
    assert counts["cases"] == cases.count() > 700
    streets = Region.objects.filter(level=Level.STREET, parent_id=DONGCHENG).count()
    assert cases.values("street_id").distinct().count() == streets
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    stages = Counter(cases.values_list("stage", flat=True))
    for stage in (Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.DISPATCHED, Stage.ACCEPTED):
        assert stages[stage] > 0, stage
    assert cases.filter(reworked=True).exists() and cases.filter(extended=True).exists()
    assert cases.filter(escalated=True, stage__in=CLOCK_STAGES, deadline__lt=now).exists()
    # nothing happens after now; every case's events are a legal walk that ends at its stage
    assert not CaseEvent.objects.filter(case__is_generated=True, at__gt=now).exists()
    assert not cases.filter(reported_at__gt=now).exists()
    for case in cases.order_by("?")[:200]:
        stage = None
        for event in case.events.order_by("at", "id"):
            if event.action == "report":
                stage = Stage.REPORTED
            elif event.action != "escalate":
                assert event.from_stage == stage
                stage = next_stage(stage, event.action)
        assert stage == case.stage


def test_duplicates_are_merged_into_an_open_case_with_their_reporter(history):
    merged = Case.objects.filter(is_generated=True, stage=Stage.MERGED)
    assert merged.exists()
    for case in merged:
        assert case.merged_into.street_id == case.street_id
        assert CaseReporter.objects.filter(case=case.merged_into, merged_case=case).exists()


def test_the_ranking_ranks_every_street_with_last_month_and_visits_follow_closure(history):
    now, _counts = history
    month = previous_month(now.date())
    rows = street_ranking(month)
    ranked = [r for r in rows if r.rank is not None and r.code.startswith("110101")]
    assert len(ranked) == Region.objects.filter(level=Level.STREET, parent_id=DONGCHENG).count()
    assert len({round(r.composite, 6) for r in ranked}) > 5  # streets differ
    assert all(r.previous_rank is not None for r in ranked)
    for visit in ReturnVisit.objects.filter(case__is_generated=True).select_related("case")[:300]:
        closed = visit.case.events.filter(action="close", at__lte=visit.visited_at)
        assert closed.exists()


def test_made_once_and_audited_as_one_batch(history):
    _now, counts = history
    record = AuditRecord.objects.get(action="grid.demo_cases")
    assert record.changes["cases"] == counts["cases"]
    assert demo_cases_create(district_codes=[DONGCHENG]) == {}
