"""The response cache stays within its memory budget, dropping the least recently used."""

from __future__ import annotations

from syndication.web.cache import ENTRY_OVERHEAD, Rendered, ResponseCache


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
    cache = ResponseCache(max_bytes=10 * weight)
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
    cache = ResponseCache(max_bytes=1000)
    await _fill(cache, "/small", 10)
    big = await _fill(cache, "/feed.atom", 50_000)
    assert big.body == b"x" * 50_000 and len(cache) == 1 and cache.peek("/feed.atom") is big
