"""The response cache stays within its memory budget, dropping the least recently used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.web.conditional import unchanged_for
from syndication.web.response_cache import ENTRY_OVERHEAD, Rendered, ResponseCache
from tests.conftest import examples, set_clock


def _page(size: int, seq: int = 1) -> Rendered:
    return Rendered.of(b"x" * size, "text/html", "public", (), seq, frozenset())


async def _valid(entry: Rendered) -> bool:
    return True


async def _fill(cache: ResponseCache, key: str, size: int, seq: int = 1) -> Rendered:
    async def build(seq: int) -> Rendered:
        return _page(size, seq)

    return await cache.get(key, seq, _valid, build)


async def test_the_cache_keeps_within_its_budget_dropping_the_least_recently_used() -> None:
    weight = _page(30_000).weight
    assert weight == 30_000 + 10_000 + ENTRY_OVERHEAD
    cache = ResponseCache(10 * weight, set_clock())
    for n in range(10):
        await _fill(cache, f"/page/{n}", 30_000)
    assert len(cache) == 10 and cache.bytes == 10 * weight
    assert cache.peek("/page/0") is not None  # used again: now the most recent
    for n in range(10, 15):
        await _fill(cache, f"/page/{n}", 30_000)
    assert len(cache) == 10 and cache.bytes <= cache.max_bytes
    assert cache.peek("/page/0") is not None
    assert all(cache.peek(f"/page/{n}") is None for n in range(1, 6))
    # A rebuilt entry replaces the old one's weight rather than adding to it.
    await _fill(cache, "/page/14", 60_000, seq=2)
    assert cache.bytes == sum(
        e.weight for e in (cache.peek(f"/page/{n}") for n in (0, *range(6, 15))) if e is not None
    )
    assert cache.bytes <= cache.max_bytes


async def test_an_entry_larger_than_the_budget_is_still_served_and_kept_alone() -> None:
    cache = ResponseCache(1000, set_clock())
    await _fill(cache, "/small", 10)
    big = await _fill(cache, "/feed.atom", 50_000)
    assert big.body == b"x" * 50_000 and len(cache) == 1 and cache.peek("/feed.atom") is big


STAMPS = st.datetimes(
    min_value=datetime(1999, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


@settings(max_examples=examples(300), deadline=None)
@given(
    ours=STAMPS,
    exact=st.booleans(),
    since=st.one_of(
        STAMPS.map(lambda m: format_datetime(m, usegmt=True)),
        STAMPS.map(lambda m: format_datetime(m.replace(tzinfo=None))),  # "-0000": no zone
        STAMPS.map(lambda m: m.isoformat()),
        st.text(max_size=40),
    ),
    offset=st.sampled_from([-1, 0, 1]),
)
def test_if_modified_since_never_vouches_for_a_date_it_cannot_tell(
    ours: datetime, exact: bool, since: str, offset: int
) -> None:
    """Any If-Modified-Since header (ours a second before, at or after the answer's date,
    other dates, other formats, junk): a 304 only for a date after ours, or for ours itself
    when no other version of the answer can share that second; never an exception."""
    page = _page(10).dated(ours, exact)
    held = format_datetime(ours + timedelta(seconds=offset), usegmt=True)
    for header in (since, held):
        answer = unchanged_for(None, header, page, gzipped=False)
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            assert not answer, header
            continue
        if when.tzinfo is None:
            assert not answer, header
        else:
            assert answer == (when > ours or (when == ours and exact)), header
