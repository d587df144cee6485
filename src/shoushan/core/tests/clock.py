"""The tests' clock: "now" pinned with time-machine (see the `clock` fixture in conftest.py).

Moments are written as the people who use Shoushan say them, in Asia/Shanghai: `moment("2026-12-31
23:59")`; an ISO offset, when given, is respected."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(when: str | datetime) -> datetime:
    """An ISO date-time as an aware moment: Asia/Shanghai unless it carries an offset."""
    value = datetime.fromisoformat(when) if isinstance(when, str) else when
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


class Clock:
    """Pins "now" for one test: `clock.pin("2026-10-08 09:00")` stops the clock at that moment;
    `clock.shift(timedelta(days=3))` moves it. Without a pin the test runs at the suite's "now"
    (the real one, or SHOUSHAN_TEST_NOW)."""

    def __init__(self) -> None:
        self._travel: time_machine.travel | None = None
        self._coordinates: time_machine.Coordinates | None = None

    def pin(self, when: str | datetime, *, tick: bool = False) -> datetime:
        self.stop()
        self._travel = time_machine.travel(moment(when), tick=tick)
        self._coordinates = self._travel.start()
        return moment(when)

    def shift(self, delta: timedelta) -> None:
        assert self._coordinates, "pin the clock before shifting it"
        self._coordinates.shift(delta)

    def stop(self) -> None:
        if self._travel:
            self._travel.stop()
            self._travel = self._coordinates = None
