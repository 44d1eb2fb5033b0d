"""Counting requests: a dict increment and two clock reads each (a feed poll that costs 40 us
must not pay for a metrics library); web/metrics.py turns them into metric families only
when Prometheus scrapes."""

from __future__ import annotations

import bisect
from collections import defaultdict

from syndication.web.feed_audience import FeedAudience

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class RequestStats:
    def __init__(self) -> None:
        self.counts: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        # route -> per-bucket counts (the last one is +Inf), and the sum of seconds
        self.latency: dict[str, list[int]] = {}
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.audience = FeedAudience()  # feed readers' subscriber counts

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        self.counts[route, method, status] += 1
        buckets = self.latency.get(route)
        if buckets is None:
            buckets = self.latency[route] = [0] * (len(BUCKETS) + 1)
        buckets[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.seconds[route] += seconds
