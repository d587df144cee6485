import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoushan.grid.working_calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA = json.loads((Path(__file__).parents[1] / "data" / "working_calendar.json").read_text())


@pytest.fixture
def calendar():
    holidays = [date.fromisoformat(d) for days in DATA["holidays"].values() for d in days]
    working = [
        date.fromisoformat(d) for days in DATA["adjusted_working_days"].values() for d in days
    ]
    return WorkingCalendar.of(holidays, working)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_weekends_holidays_and_adjusted_days(calendar):
    assert calendar.is_working_day(date(2025, 1, 27))  # Monday
    assert not calendar.is_working_day(date(2025, 1, 25))  # Saturday
    assert calendar.is_working_day(date(2025, 1, 26))  # a Sunday made a working day (调休)
    assert not calendar.is_working_day(date(2025, 1, 29))  # Spring Festival
    assert not calendar.is_working_day(date(2025, 10, 8))  # National Day week


def test_working_days_skip_the_spring_festival(calendar):
    # Dispatched on Monday 27 Jan 2025 at 10:00; the festival runs 28 Jan – 4 Feb.
    assert calendar.deadline(at(2025, 1, 27, 10), 1, "working_days") == at(2025, 2, 5, 10)
    # 5, 6, 7, 8 (a working Saturday), 10, 11, 12 February
    assert calendar.deadline(at(2025, 1, 27, 10), 7, "working_days") == at(2025, 2, 12, 10)
    # 8 Feb 2025 is a Saturday made a working day: it counts.
    assert calendar.deadline(at(2025, 2, 7, 10), 1, "working_days") == at(2025, 2, 8, 10)


def test_a_start_outside_working_time_counts_from_the_next_morning(calendar):
    assert calendar.deadline(at(2025, 3, 7, 20), 1, "working_days") == at(2025, 3, 11, 9)
    assert calendar.deadline(at(2025, 3, 8, 11), 2, "working_hours") == at(2025, 3, 10, 11)


def test_a_period_of_working_days_counts_its_first_day(calendar):
    # from Friday 24 Jan 2025: 24, 26 (a working Sunday), 27, then the festival, 5 and 6 Feb
    assert calendar.last_of_working_days(date(2025, 1, 24), 5) == date(2025, 2, 6)
    # from a holiday: 5, 6, 7, 8 (a working Saturday) and 10 Feb
    assert calendar.last_of_working_days(date(2025, 1, 29), 5) == date(2025, 2, 10)
    assert calendar.last_of_working_days(date(2025, 1, 27), 1) == date(2025, 1, 27)


def test_working_hours_carry_over_the_night(calendar):
    assert calendar.deadline(at(2025, 3, 10, 17), 2, "working_hours") == at(2025, 3, 11, 10)


def test_natural_hours_and_days_ignore_the_calendar(calendar):
    assert calendar.deadline(at(2025, 1, 28, 23), 2, "hours") == at(2025, 1, 29, 1)
    assert calendar.deadline(at(2025, 1, 28, 23), 15, "days") == at(2025, 2, 12, 23)


def test_counting_working_days_between_dates(calendar):
    assert (
        calendar.working_days_between(date(2025, 1, 24), date(2025, 2, 8)) == 6
    )  # 26, 27 Jan; 5, 6, 7, 8 Feb


def test_2026_follows_the_state_council_notice_of_4_november_2025(calendar):
    # 春节 15–23 February, with Saturday 14 and Saturday 28 February worked
    assert not calendar.is_working_day(date(2026, 2, 23))
    assert calendar.is_working_day(date(2026, 2, 14)) and calendar.is_working_day(date(2026, 2, 28))
    # 国庆 1–7 October, with Sunday 20 September and Saturday 10 October worked
    assert not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 9, 20)) and calendar.is_working_day(
        date(2026, 10, 10)
    )
    assert calendar.is_working_day(date(2026, 1, 4))  # a Sunday after 元旦


# ---- properties over any moment of 2024–2026 and any time limit ---------------------------------

CALENDAR = WorkingCalendar.of(
    [date.fromisoformat(d) for days in DATA["holidays"].values() for d in days],
    [date.fromisoformat(d) for days in DATA["adjusted_working_days"].values() for d in days],
)
moments = st.datetimes(  # hypothesis takes naive bounds and adds the zone itself
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 20),  # noqa: DTZ001
    timezones=st.just(SHANGHAI),
)


@settings(max_examples=300, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=30))
def test_a_deadline_in_working_days_lands_on_a_working_day_that_many_days_on(start, days):
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.is_working_day(due.date())
    assert due > start
    begins = CALENDAR.working_time_from(start)  # counting starts in working time
    assert CALENDAR.working_days_between(begins.date(), due.date()) == days


@settings(max_examples=300, deadline=None)
@given(start=moments, hours=st.integers(min_value=1, max_value=200))
def test_working_hours_are_spent_in_working_time_only(start, hours):
    due = CALENDAR.add_working_hours(start, hours)
    assert CALENDAR.is_working_day(due.date())
    assert CALENDAR.day_start <= due.timetz().replace(tzinfo=None) <= CALENDAR.day_end
    # one hour more never comes sooner
    assert CALENDAR.add_working_hours(start, hours + 1) > due
    # and a limit never ends before the natural time it stands for
    assert due - start >= timedelta(hours=hours)
