"""Month arithmetic, the one place every archive, sitemap and date page counts months."""

from __future__ import annotations

import calendar
from datetime import UTC
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.months import month_bounds, next_month, year_bounds
from tests.conftest import examples


@settings(max_examples=examples(100), deadline=None)
@given(st.integers(1800, 2998), st.integers(1, 12))
def test_a_month_runs_from_its_first_day_to_the_next_months(year: int, month: int) -> None:
    start, end = month_bounds(year, month, UTC)
    assert (end - start).days == calendar.monthrange(year, month)[1]
    assert next_month(f"{year:04d}-{month:02d}") == f"{end.year:04d}-{end.month:02d}"


def test_a_year_has_thirteen_bounds_in_its_own_zone() -> None:
    bounds = year_bounds(2024, ZoneInfo("Europe/Paris"))
    assert len(bounds) == 13 and bounds[0].month == 1 and bounds[-1].year == 2025
    assert all(b.day == 1 and b.hour == 0 for b in bounds)
    assert next_month("2024-12") == "2025-01"
