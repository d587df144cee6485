from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoushan.grid.workflow import (
    MOVES,
    Action,
    IllegalMove,
    Stage,
    allowed_actions,
    next_stage,
)


def test_the_main_path_from_report_to_closure():
    stage = Stage.REPORTED
    for action in ["register", "dispatch", "accept", "handle", "verify", "close"]:
        stage = next_stage(stage, action)
    assert stage is Stage.CLOSED


def test_return_redispatch_rework_and_reopen():
    assert next_stage("dispatched", "return") is Stage.RETURNED
    assert next_stage("returned", "redispatch") is Stage.DISPATCHED
    assert next_stage("handled", "rework") is Stage.ACCEPTED
    assert next_stage("closed", "reopen") is Stage.REGISTERED
    assert next_stage("accepted", "extend") is Stage.ACCEPTED


@pytest.mark.parametrize("stage", list(Stage))
def test_every_undeclared_move_is_refused(stage):
    for action in Action:
        if (stage, action) in MOVES:
            continue
        with pytest.raises(IllegalMove):
            next_stage(stage, action)


def test_a_rejected_or_merged_case_goes_nowhere():
    assert allowed_actions("rejected") == [] and allowed_actions("merged") == []
    assert Action.MERGE not in allowed_actions("handled")  # a handled case is merged no more
    assert set(allowed_actions("reported")) == {Action.REGISTER, Action.REJECT, Action.MERGE}


# ---- properties: any sequence of moves, pure and through the service ---------------------------

actions = st.lists(st.sampled_from([a for a in Action if a is not Action.MERGE]), max_size=12)


@given(actions)
def test_any_sequence_only_follows_declared_moves_and_closes_after_verification(sequence):
    stage, path = Stage.REPORTED, [Stage.REPORTED]
    for action in sequence:
        try:
            stage = next_stage(stage, action)
        except IllegalMove:
            continue
        path.append(stage)
    for before, after in pairwise(path):
        assert any(MOVES.get((before, a)) is after for a in Action)
        if after is Stage.CLOSED:
            assert before is Stage.VERIFIED


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions)
def test_the_service_makes_exactly_the_declared_moves_and_records_each(demo_city, sequence):
    """The platform itself (which may make any move: roles are another test's business) tries any
    sequence on a new case: each declared move happens and is recorded; every other is refused
    (409) and changes nothing."""
    from django.utils import timezone

    from shoushan.core.errors import Conflict
    from shoushan.grid.cases.services import case_move
    from shoushan.grid.models import Case, CaseEvent
    from shoushan.grid.tests.helpers import report

    actor = None
    case, _created = report()
    expected = Stage.REPORTED
    for action in sequence:
        extra = {
            "note": "说明",
            "extend_to": (Case.objects.get(pk=case.pk).deadline or timezone.now())
            + timedelta(days=1),
        }
        try:
            expected_next = next_stage(expected, action)
        except IllegalMove:
            with pytest.raises(Conflict):
                case_move(actor=actor, case_id=case.pk, action=action, **extra)
        else:
            case_move(actor=actor, case_id=case.pk, action=action, **extra)
            expected = expected_next
        assert Case.objects.get(pk=case.pk).stage == expected
    moves = CaseEvent.objects.filter(case=case).exclude(action="report")
    assert [e.to_stage for e in moves][-1:] == ([expected] if moves else [])
