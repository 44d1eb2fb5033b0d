"""A token bucket per partner: `rate` requests a minute on average, bursts up to `rate`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        """RateLimit fields as the IETF httpapi draft and most APIs spell them."""
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # partner id -> (tokens, when)

    def take(self, partner_id: int, per_minute: int) -> Verdict:
        now = self.clock()
        rate = per_minute / 60.0
        tokens, then = self._buckets.get(partner_id, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - then) * rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[partner_id] = (tokens, now)
        return Verdict(
            allowed=allowed,
            limit=per_minute,
            remaining=int(tokens),
            reset=math.ceil((per_minute - tokens) / rate),
            retry_after=0 if allowed else math.ceil((1.0 - tokens) / rate),
        )
