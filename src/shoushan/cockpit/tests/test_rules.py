"""The cockpit's pure rules: figures from pairs, colours, staleness, progress from children."""

from datetime import UTC, date, datetime

from shoushan.cockpit import rules
from shoushan.cockpit.rules import Direction, Frequency, Kind, Node, Pair, Status, TaskState


def test_a_figure_comes_from_its_pair_and_sums_add_up():
    assert rules.figure(Kind.COUNT, Pair(12, 0)) == 12
    assert rules.figure(Kind.SHARE, Pair(1, 4)) == 25
    assert rules.figure(Kind.MEAN, Pair(78, 2)) == 39
    assert rules.figure(Kind.SHARE, Pair(0, 0)) is None
    assert rules.total([Pair(1, 2), Pair(3, 4)]) == Pair(4, 6)


def test_colours_follow_the_stated_rule_in_either_direction():
    assert rules.status(95, 95, Direction.UP, 5) == Status.GREEN
    assert rules.status(90, 95, Direction.UP, 5) == Status.AMBER
    assert rules.status(89.9, 95, Direction.UP, 5) == Status.RED
    assert rules.status(41, 40, Direction.DOWN, 3) == Status.AMBER
    assert rules.status(44, 40, Direction.DOWN, 3) == Status.RED
    assert rules.status(None, 40, Direction.DOWN, 3) == Status.NONE
    assert rules.status(10, None, Direction.UP, 3) == Status.NONE


def test_data_is_stale_past_its_frequency():
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert rules.stale(None, Frequency.DAILY, now)
    assert rules.stale(datetime(2026, 12, 1, tzinfo=UTC), Frequency.DAILY, now)
    assert not rules.stale(datetime(2026, 11, 1, tzinfo=UTC), Frequency.MONTHLY, now)


def test_the_last_twelve_periods_end_today():
    ends = rules.month_ends(date(2026, 3, 15))
    assert len(ends) == 12
    assert ends[-1] == date(2026, 3, 15)
    assert ends[-2] == date(2026, 2, 28)
    assert ends[0] == date(2025, 4, 30)


def test_progress_is_computed_from_the_children_by_weight():
    done, open_ = Node(TaskState.VERIFIED, 3), Node(TaskState.ACCEPTED, 1)
    assert rules.progress(Node(TaskState.ACCEPTED, 1, (done, open_))) == 0.75
    assert rules.progress(Node(TaskState.CLOSED, 1)) == 1
    deep = Node(TaskState.ACCEPTED, 1, (Node(TaskState.ACCEPTED, 1, (done, open_)),))
    assert rules.progress(deep) == 0.75


def test_overdue_open_past_the_deadline_or_finished_after_it():
    assert rules.overdue(TaskState.ACCEPTED, date(2026, 1, 1), date(2026, 1, 2), None)
    assert not rules.overdue(TaskState.ACCEPTED, date(2026, 1, 2), date(2026, 1, 2), None)
    assert rules.overdue(TaskState.CLOSED, date(2026, 1, 1), date(2026, 3, 1), date(2026, 1, 5))
    assert not rules.overdue(
        TaskState.CLOSED, date(2026, 1, 1), date(2026, 3, 1), date(2025, 12, 30)
    )


def test_reminders_escalate_and_quarters_are_bounded():
    assert [rules.reminder_level(n) for n in range(5)] == [1, 2, 3, 3, 3]
    assert rules.quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert rules.quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
