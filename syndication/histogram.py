"""Latency histograms as /metrics shows them: a count per bucket (Prometheus's `le` bounds,
the last one +Inf) kept as a plain list, so that processes can add theirs together."""

from __future__ import annotations

import bisect

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def empty() -> list[int]:
    return [0] * (len(BUCKETS) + 1)


def bucket(seconds: float) -> int:
    """The index of the first bucket whose bound holds `seconds` (at most that long)."""
    return bisect.bisect_left(BUCKETS, seconds)
