"""The case closed loop as an explicit state machine (pure; no Django import).

A case moves only along the transitions declared here; anything else is refused."""

from enum import StrEnum


class Stage(StrEnum):
    REPORTED = "reported"  # 上报
    REGISTERED = "registered"  # 立案
    REJECTED = "rejected"  # 不予立案
    DISPATCHED = "dispatched"  # 派遣: the clock runs from here
    RETURNED = "returned"  # 退单: back with the dispatcher
    ACCEPTED = "accepted"  # 接单
    HANDLED = "handled"  # 处置反馈
    VERIFIED = "verified"  # 核查通过
    CLOSED = "closed"  # 结案
    MERGED = "merged"  # 合并: a duplicate, answered through the case it was merged into


class Action(StrEnum):
    REGISTER = "register"
    REJECT = "reject"
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"  # 改派
    RETURN = "return"  # 退单
    ACCEPT = "accept"
    EXTEND = "extend"  # 延期, approved: the stage stays, the deadline moves
    HANDLE = "handle"
    VERIFY = "verify"
    REWORK = "rework"  # 返工: verification failed
    CLOSE = "close"
    REOPEN = "reopen"  # the resident is not satisfied
    MERGE = "merge"  # only through shoushan.grid.merge, which names the case merged into


MOVES: dict[tuple[Stage, Action], Stage] = {
    (Stage.REPORTED, Action.REGISTER): Stage.REGISTERED,
    (Stage.REPORTED, Action.REJECT): Stage.REJECTED,
    (Stage.REGISTERED, Action.DISPATCH): Stage.DISPATCHED,
    (Stage.DISPATCHED, Action.ACCEPT): Stage.ACCEPTED,
    (Stage.DISPATCHED, Action.RETURN): Stage.RETURNED,
    (Stage.DISPATCHED, Action.REDISPATCH): Stage.DISPATCHED,
    (Stage.DISPATCHED, Action.EXTEND): Stage.DISPATCHED,
    (Stage.ACCEPTED, Action.RETURN): Stage.RETURNED,
    (Stage.ACCEPTED, Action.EXTEND): Stage.ACCEPTED,
    (Stage.ACCEPTED, Action.HANDLE): Stage.HANDLED,
    (Stage.RETURNED, Action.REDISPATCH): Stage.DISPATCHED,
    (Stage.HANDLED, Action.VERIFY): Stage.VERIFIED,
    (Stage.HANDLED, Action.REWORK): Stage.ACCEPTED,
    (Stage.VERIFIED, Action.CLOSE): Stage.CLOSED,
    (Stage.CLOSED, Action.REOPEN): Stage.REGISTERED,
    # a duplicate is merged while it is still being worked on, before anyone reports it handled
    **{
        (stage, Action.MERGE): Stage.MERGED
        for stage in (
            Stage.REPORTED,
            Stage.REGISTERED,
            Stage.DISPATCHED,
            Stage.RETURNED,
            Stage.ACCEPTED,
        )
    },
}

OPEN_STAGES = frozenset(set(Stage) - {Stage.REJECTED, Stage.CLOSED, Stage.MERGED})
CLOCK_STAGES = frozenset({Stage.DISPATCHED, Stage.ACCEPTED, Stage.RETURNED, Stage.HANDLED})


class IllegalMove(Exception):
    def __init__(self, stage: Stage, action: Action) -> None:
        super().__init__(f"a case that is {stage} cannot be sent to {action}")
        self.stage, self.action = stage, action


def next_stage(stage: Stage | str, action: Action | str) -> Stage:
    """The stage after `action`, or IllegalMove."""
    stage, action = Stage(stage), Action(action)
    try:
        return MOVES[(stage, action)]
    except KeyError:
        raise IllegalMove(stage, action) from None


def allowed_actions(stage: Stage | str) -> list[Action]:
    stage = Stage(stage)
    return [action for (source, action) in MOVES if source is stage]
