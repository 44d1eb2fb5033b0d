"""Counting requests: a dict increment and two clock reads each (a feed poll that costs 40 us
must not pay for a metrics library); web/metrics.py turns them into metric families only
when Prometheus scrapes."""

from __future__ import annotations

from collections import defaultdict

from syndication import histogram
from syndication.web.feed_audience import FeedAudience


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
            buckets = self.latency[route] = histogram.empty()
        buckets[histogram.bucket(seconds)] += 1
        self.seconds[route] += seconds
