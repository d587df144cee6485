"""Deadlines on a working calendar (pure; no Django import).

A working day is a Monday–Friday that is not a public holiday, or a weekend day that the State
Council made a working day (调休). Working time runs from `day_start` to `day_end` on working
days. Time limits come in four units: natural hours and days, working hours and working days.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class LimitUnit(StrEnum):
    HOURS = "hours"  # natural hours (12345's 2-hour and 24-hour tiers)
    DAYS = "days"  # natural days
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"  # 12345's 7-day and 15-day tiers count working days


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    adjusted_working_days: frozenset[date] = field(default_factory=frozenset)
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)

    @classmethod
    def of(
        cls, holidays: Iterable[date], working_days: Iterable[date], **kwargs
    ) -> "WorkingCalendar":
        return cls(frozenset(holidays), frozenset(working_days), **kwargs)

    def is_working_day(self, day: date) -> bool:
        if day in self.adjusted_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def last_of_working_days(self, start: date, days: int) -> date:
        """The day a period of `days` working days that starts on `start` ends on (a public
        notice of five working days from a Tuesday before a holiday, say)."""
        day = start if self.is_working_day(start) else self.next_working_day(start)
        for _ in range(days - 1):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when end is not after start."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def working_time_from(self, moment: datetime) -> datetime:
        """The moment itself if it is in working time, else the next start of working time."""
        day = moment.date()
        start = moment.replace(
            hour=self.day_start.hour, minute=self.day_start.minute, second=0, microsecond=0
        )
        end = moment.replace(
            hour=self.day_end.hour, minute=self.day_end.minute, second=0, microsecond=0
        )
        if self.is_working_day(day) and start <= moment < end:
            return moment
        if self.is_working_day(day) and moment < start:
            return start
        next_day = self.next_working_day(day)
        return datetime.combine(next_day, self.day_start, tzinfo=moment.tzinfo)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        remaining = timedelta(hours=hours)
        moment = self.working_time_from(start)
        while True:
            end_of_day = datetime.combine(moment.date(), self.day_end, tzinfo=moment.tzinfo)
            if moment + remaining <= end_of_day:
                return moment + remaining
            remaining -= end_of_day - moment
            moment = datetime.combine(
                self.next_working_day(moment.date()), self.day_start, tzinfo=moment.tzinfo
            )

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same time of day, `days` working days later. A start outside working time counts
        from the next start of working time."""
        moment = self.working_time_from(start)
        day = moment.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return datetime.combine(day, moment.timetz())

    def deadline(self, start: datetime, amount: float, unit: LimitUnit | str) -> datetime:
        unit = LimitUnit(unit)
        if unit is LimitUnit.HOURS:
            return start + timedelta(hours=amount)
        if unit is LimitUnit.DAYS:
            return start + timedelta(days=amount)
        if unit is LimitUnit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        return self.add_working_days(start, int(amount))
