"""The partners' token buckets, in a file every serving process maps."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.web.ratelimit import SLOT, RateLimiter
from tests.conftest import examples


def test_a_budget_is_spent_then_refilled(tmp_path: Path) -> None:
    now = [1000.0]
    limiter = RateLimiter(tmp_path / "rates", clock=lambda: now[0])
    verdicts = [limiter.take(7, 10) for _ in range(11)]
    assert [v.allowed for v in verdicts] == [True] * 10 + [False]
    assert verdicts[-1].retry_after == 6  # one token in 6 s at 10 a minute
    now[0] += 6
    assert limiter.take(7, 10).allowed
    other = RateLimiter(tmp_path / "rates", clock=lambda: now[0])  # another process
    assert not other.take(7, 10).allowed
    limiter.close()
    other.close()


@settings(max_examples=examples(300), deadline=None)
@given(
    st.binary(min_size=SLOT.size, max_size=SLOT.size),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.integers(min_value=1, max_value=100_000),
)
def test_whatever_a_bucket_holds_a_verdict_is_given(
    tmp_path_factory: object, held: bytes, partner_id: int, per_minute: int
) -> None:
    """Bytes a crash, another version or a stray write left (NaN, infinities, negatives, a
    time from after a reboot) and any partner id: an answer with whole, finite figures."""
    path = Path(str(tmp_path_factory.mktemp("rates"))) / "rates"  # type: ignore[attr-defined]
    limiter = RateLimiter(path, clock=lambda: 5000.0)
    slot = min(max(partner_id, 0), 65_535)
    limiter._map[slot * SLOT.size : (slot + 1) * SLOT.size] = held
    verdict = limiter.take(partner_id, per_minute)
    limiter.close()
    assert verdict.limit == per_minute and 0 <= verdict.remaining <= per_minute
    assert all(math.isfinite(n) and n >= 0 for n in (verdict.reset, verdict.retry_after))
