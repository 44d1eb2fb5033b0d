"""GET /metrics in the Prometheus text format, and the counting behind it.

Requests are counted in plain dicts by the error middleware (a dict increment and two clock
reads: a feed poll that costs 40 us must not pay for a metrics library on every request);
everything is turned into metric families only when Prometheus scrapes.
"""

from __future__ import annotations

import bisect
import hmac
import ipaddress
from collections import defaultdict
from collections.abc import Iterator

from aiohttp import web
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from syndication.archive.batch import ApplyResult
from syndication.ingest.service import IngestService
from syndication.web.keys import CACHE, CLOCK, HUB, INGEST, LANE, METRICS, PINGER, SETTINGS

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
routes = web.RouteTableDef()


class RequestStats:
    def __init__(self) -> None:
        self.counts: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        # route -> per-bucket counts (the last one is +Inf), and the sum of seconds
        self.latency: dict[str, list[int]] = {}
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        self.counts[route, method, status] += 1
        buckets = self.latency.get(route)
        if buckets is None:
            buckets = self.latency[route] = [0] * (len(BUCKETS) + 1)
        buckets[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.seconds[route] += seconds


class IngestStats:
    """Totals of what the writer did, fed by the ingest service's listeners."""

    def __init__(self) -> None:
        self.totals: defaultdict[str, int] = defaultdict(int)

    def attach(self, service: IngestService) -> None:
        def count(result: ApplyResult) -> None:
            for kind in ("published", "updated", "withdrawn", "embargo", "unchanged"):
                self.totals[kind] += getattr(result, kind)
            self.totals["errors"] += len(result.errors)

        count(service.first_scan)  # the scan ran before the app could listen
        service.listeners.append(count)


class AppCollector(Collector):
    def __init__(self, app: web.Application, requests: RequestStats, ingest: IngestStats):
        self.app, self.requests, self.ingest = app, requests, ingest

    def collect(self) -> Iterator[Metric]:
        app = self.app
        total = CounterMetricFamily(
            "syndication_http_requests",
            "HTTP requests answered.",
            labels=["route", "method", "status"],
        )
        for (route, method, status), n in sorted(self.requests.counts.items()):
            total.add_metric([route, method, str(status)], n)
        yield total
        latency = HistogramMetricFamily(
            "syndication_http_request_seconds", "Time to answer, by route.", labels=["route"]
        )
        for route, buckets in sorted(self.requests.latency.items()):
            running, cumulative = 0, []
            for bound, n in zip((*BUCKETS, float("inf")), buckets, strict=True):
                running += n
                cumulative.append((_bound(bound), running))
            latency.add_metric([route], cumulative, sum_value=self.requests.seconds[route])
        yield latency
        cache = app[CACHE]
        yield CounterMetricFamily(
            "syndication_cache_hits", "Answers served from the response cache.", value=cache.hits
        )
        yield CounterMetricFamily(
            "syndication_cache_builds", "Pages and feeds built for the cache.", value=cache.builds
        )
        served = cache.hits + cache.builds
        yield GaugeMetricFamily(
            "syndication_cache_hit_ratio",
            "Share of cacheable answers served from the cache.",
            value=cache.hits / served if served else 0.0,
        )
        yield CounterMetricFamily(
            "syndication_fast_lane_answers",
            "Cache hits answered by the fast lane, before aiohttp (included in cache hits).",
            value=app[LANE].answered,
        )
        yield GaugeMetricFamily(
            "syndication_cache_bytes",
            "Memory the response cache and the fast lane's remembered targets hold (their "
            "budget is response_cache_mb).",
            value=cache.bytes + app[LANE].bytes,
        )
        yield GaugeMetricFamily(
            "syndication_change_sequence", "The archive's change sequence.", value=app[CLOCK].seq
        )
        ingested = CounterMetricFamily(
            "syndication_ingest_files", "Files ingested, by outcome.", labels=["outcome"]
        )
        for kind, n in sorted(self.ingest.totals.items()):
            ingested.add_metric([kind], n)
        yield ingested
        websub = CounterMetricFamily(
            "syndication_websub_deliveries",
            "WebSub deliveries and pings.",
            labels=["kind", "outcome"],
        )
        if HUB in app:
            websub.add_metric(["hub", "delivered"], app[HUB].delivered)
            websub.add_metric(["hub", "failed"], app[HUB].failed)
        websub.add_metric(["ping", "sent"], app[PINGER].sent)
        websub.add_metric(["ping", "failed"], app[PINGER].failed)
        yield websub
        if INGEST in app:
            service = app[INGEST]
            yield GaugeMetricFamily(
                "syndication_ingest_caught_up",
                "1 once the first scan of content/ is done.",
                value=float(service.caught_up),
            )
            yield GaugeMetricFamily(
                "syndication_writes_failing",
                "1 while the archive cannot be written (disk full, I/O error, locked).",
                value=float(not service.health.ok),
            )
            yield GaugeMetricFamily(
                "syndication_writes_waiting",
                "Changed files (a whole scan counts as one) waiting to reach the archive.",
                value=float(service.health.waiting),
            )


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)


def _may_scrape(request: web.Request) -> bool:
    settings = request.app[SETTINGS]
    token = settings.metrics_token
    if token and hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
    ):
        return True
    try:
        address = ipaddress.ip_address((request.remote or "").split("%")[0])
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in settings.metrics_networks)


def registry_for(
    app: web.Application, requests: RequestStats, ingest: IngestStats
) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AppCollector(app, requests, ingest))
    return registry


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """For the operator's Prometheus only: from `metrics_networks`, or with `metrics_token`."""
    if not _may_scrape(request):
        raise web.HTTPForbidden(text="/metrics is not open to this address.")
    body = generate_latest(request.app[METRICS])
    return web.Response(
        body=body,
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )
