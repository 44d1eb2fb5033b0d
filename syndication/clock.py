"""The wall clock: the one place the program reads the date and the time of day.

Whatever needs either is handed a `Clock`: the command line makes the system's and passes it
through the services, the writer and the commands; tests and the golden record hand in a
`SetClock` instead, so what a page, feed or stamp says depends on the instant they chose, not
on the day they run. Durations (timeouts, backoffs, rates) are not the calendar's business
and keep `time.monotonic()`. tests/test_clock.py fails on any other read of the wall clock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """The system's clock."""

    def now(self) -> datetime:
        """This instant, in UTC."""
        return datetime.now(UTC)

    def time(self) -> float:
        """This instant as Unix seconds (cheaper than `now()` where a number will do)."""
        return time.time()


class SetClock(Clock):
    """A clock that says the instant it was set to, and moves only when told: tests and the
    golden record run on one, so their answers are the same on any day of any year."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock is set to an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def time(self) -> float:
        return self._at.timestamp()

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock is set to an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, by: timedelta | float) -> None:
        """Move the clock on by a timedelta or a number of seconds."""
        self._at += by if isinstance(by, timedelta) else timedelta(seconds=by)


SYSTEM_CLOCK = Clock()
