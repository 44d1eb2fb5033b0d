"""What counting one request costs: prometheus_client in its multiprocess mode (a counter and a
histogram with labels, as /metrics has them) against the plain dicts web/request_stats.py
keeps. Prints microseconds a request for each.

    .venv/bin/python -m tests.benchmarks.metrics_cost
"""

from __future__ import annotations

import os
import tempfile
import timeit

ROUTE = "/{edition}/feed.{fmt}"
REQUESTS = 200_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # before prometheus_client is imported
        from prometheus_client import CollectorRegistry, Counter, Histogram

        registry = CollectorRegistry()
        total = Counter("requests_total", "", ["route", "method", "status"], registry=registry)
        seconds = Histogram("request_seconds", "", ["route"], registry=registry)

        def theirs() -> None:
            total.labels(ROUTE, "GET", "200").inc()
            seconds.labels(ROUTE).observe(0.0004)

        from syndication.web.request_stats import RequestStats

        stats = RequestStats()

        def ours() -> None:
            stats.record(ROUTE, "GET", 200, 0.0004)

        for name, count in (("prometheus_client, multiprocess", theirs), ("our dicts", ours)):
            cost = timeit.timeit(count, number=REQUESTS) / REQUESTS
            print(f"{name:<34} {cost * 1e6:6.2f} us a request")


if __name__ == "__main__":
    main()
