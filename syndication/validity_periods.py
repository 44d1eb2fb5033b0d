"""Rendered bytes that depend on the clock as well as on the archive: the period they are
right for. A page's footer links this year's date archive, an article page counts the days
since publication, a feed keeps tombstones for whole days: each is right from the start of
its period (its Last-Modified may not be earlier) until its end (when it is rebuilt)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    start: float  # Unix times
    end: float

    def __and__(self, other: Period) -> Period:
        """Right in both: from the later start to the earlier end."""
        return Period(max(self.start, other.start), min(self.end, other.end))


ALWAYS = Period(0.0, math.inf)


def between(start: datetime, end: datetime) -> Period:
    return Period(start.timestamp(), end.timestamp())


def day_of(now: datetime) -> Period:
    """The UTC day `now` falls in."""
    start = midnight(now)
    return between(start, start + timedelta(days=1))


def year_of(now: datetime) -> Period:
    """The UTC year `now` falls in."""
    year = now.astimezone(UTC).year
    return between(datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))


def midnight(now: datetime) -> datetime:
    """The start of the UTC day `now` falls in."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
