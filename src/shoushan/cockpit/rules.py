"""The cockpit's rules, pure (no Django): how a tile's figure comes from its counts, how it is
coloured, when its data is stale, and how a key task's progress and overdue state follow from
its children. Every figure is a pair of sums (numerator, denominator), so that a parent's figure
is exactly the figure of its children's summed pairs: drill-down totals add up by construction."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    COUNT = "count"  # the numerator: workers, volunteers, yuan
    SHARE = "share"  # numerator / denominator, in per cent
    MEAN = "mean"  # numerator / denominator: a sum of ages over the workers


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # no figure yet, or no target


class Frequency(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"
    YEARLY = "yearly"


# How long data may go without a new record before the tile says it is stale.
STALE_AFTER = {
    Frequency.DAILY: timedelta(days=3),
    Frequency.MONTHLY: timedelta(days=45),
    Frequency.YEARLY: timedelta(days=400),
}


@dataclass(frozen=True)
class Pair:
    numerator: float = 0
    denominator: float = 0

    def __add__(self, other: "Pair") -> "Pair":
        return Pair(self.numerator + other.numerator, self.denominator + other.denominator)


def total(pairs: Iterable[Pair]) -> Pair:
    return sum(pairs, Pair())


def figure(kind: Kind, pair: Pair) -> float | None:
    """The tile's value from its pair; a share or mean over nothing has no value."""
    if kind == Kind.COUNT:
        return float(pair.numerator)
    if not pair.denominator:
        return None
    scale = 100 if kind == Kind.SHARE else 1
    return scale * pair.numerator / pair.denominator


def status(value: float | None, target: float | None, direction: Direction, amber: float) -> Status:
    """Green when the target is met; amber within `amber` of it (in the tile's unit); red
    beyond. Without a value or a target there is no colour."""
    if value is None or target is None:
        return Status.NONE
    gap = value - target if direction == Direction.UP else target - value
    if gap >= 0:
        return Status.GREEN
    return Status.AMBER if -gap <= amber else Status.RED


def stale(last_updated: datetime | None, frequency: Frequency, now: datetime) -> bool:
    """Whether the data behind a tile is older than its frequency allows (none at all is
    stale)."""
    return last_updated is None or now - last_updated > STALE_AFTER[frequency]


def month_ends(today: date, count: int = 12) -> list[date]:
    """The last `count` periods, oldest first: the ends of the months before this one, and
    today for this month."""
    ends = [today]
    first = today.replace(day=1)
    while len(ends) < count:
        first_of_previous = (first - timedelta(days=1)).replace(day=1)
        ends.append(first - timedelta(days=1))
        first = first_of_previous
    return ends[::-1]


def month_start(end: date) -> date:
    return end.replace(day=1)


# ---- key tasks ----------------------------------------------------------------------------------


class TaskState(StrEnum):
    DRAFT = "draft"  # 待交办
    ASSIGNED = "assigned"  # 已交办
    ACCEPTED = "accepted"  # 领办
    REPORTED = "reported"  # 上报
    RETURNED = "returned"  # 驳回重办
    VERIFIED = "verified"  # 已办结: 审核确认
    CLOSED = "closed"  # 办结销号


# Which state each action leads from and to: the one table the services and the pages read.
TRANSITIONS: dict[str, tuple[frozenset[TaskState], TaskState]] = {
    "assign": (frozenset({TaskState.DRAFT}), TaskState.ASSIGNED),
    "accept": (frozenset({TaskState.ASSIGNED}), TaskState.ACCEPTED),
    "report": (frozenset({TaskState.ACCEPTED, TaskState.RETURNED}), TaskState.REPORTED),
    "verify": (frozenset({TaskState.REPORTED}), TaskState.VERIFIED),
    "return": (frozenset({TaskState.REPORTED}), TaskState.RETURNED),
    "close": (frozenset({TaskState.VERIFIED}), TaskState.CLOSED),
}
# Actions of the unit that leads the task; the others belong to the unit that handed it down.
LEAD_ACTIONS = frozenset({"accept", "report"})
FINISHED = frozenset({TaskState.VERIFIED, TaskState.CLOSED})
OPEN = frozenset(TaskState) - FINISHED


def overdue(state: TaskState, deadline: date, today: date, finished_on: date | None) -> bool:
    """Open past its deadline, or finished after it (逾期办结)."""
    if state in FINISHED:
        return finished_on is not None and finished_on > deadline
    return today > deadline


@dataclass(frozen=True)
class Node:
    state: TaskState
    weight: float
    children: tuple["Node", ...] = ()


def progress(node: Node) -> float:
    """A task's share done, 0–1: a task without children is done when verified; one with
    children is the weighted mean of theirs (never typed in)."""
    if not node.children:
        return 1.0 if node.state in FINISHED else 0.0
    weights = sum(child.weight for child in node.children)
    if weights <= 0:
        return 0.0
    return sum(child.weight * progress(child) for child in node.children) / weights


# 催办 escalates: the first reminder goes to the lead unit, the second is copied to the unit above
# it, the third and later to the city.
REMINDER_LEVELS = 3


def reminder_level(previous_reminders: int) -> int:
    return min(previous_reminders + 1, REMINDER_LEVELS)


# A deadline falls inside a quarter when its month does.
def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)
