"""Month arithmetic, in one place: archives, sitemaps and date pages all count in months."""

from __future__ import annotations

from datetime import datetime, tzinfo


def month_after(year: int, month: int) -> tuple[int, int]:
    """(year, month) of the month after; December is followed by January of the next year."""
    return year + month // 12, month % 12 + 1


def next_month(month: str) -> str:
    """The month after `month`, both written YYYY-MM."""
    year, mon = month_after(int(month[:4]), int(month[5:7]))
    return f"{year:04d}-{mon:02d}"


def month_start(month: str) -> str:
    """The first moment of `month` (YYYY-MM) in UTC, as the archive writes times."""
    return f"{month}-01T00:00:00Z"


def next_month_start(month: str) -> str:
    """The first moment of the month after `month`, in UTC, as the archive writes times."""
    return month_start(next_month(month))


def month_bounds(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first moment of the month and of the month after, in `tz`."""
    after = month_after(year, month)
    return datetime(year, month, 1, tzinfo=tz), datetime(*after, 1, tzinfo=tz)


def year_bounds(year: int, tz: tzinfo) -> list[datetime]:
    """The first moments of the year's twelve months and of the next year: 13 bounds."""
    return [month_bounds(year, month, tz)[0] for month in range(1, 13)] + [
        datetime(year + 1, 1, 1, tzinfo=tz)
    ]
