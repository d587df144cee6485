import pytest

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
