"""The figures behind GET /metrics (web/operations.py), in the Prometheus text format.

Requests are counted in plain dicts by the error middleware (a dict increment and two clock
reads: a feed poll that costs 40 us must not pay for a metrics library on every request);
everything is turned into metric families only when Prometheus scrapes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from syndication.archive import newsletters
from syndication.archive.fanout import Committed
from syndication.archive.schema import Access, connect
from syndication.edge.purger import EdgePurger
from syndication.histogram import BUCKETS
from syndication.ingest.service import IngestService
from syndication.runtime import runtime_dir, runtime_file
from syndication.web.connection_limits import ConnectionLimits
from syndication.web.fast_lane import FastLane
from syndication.web.hub import Hub
from syndication.web.hub_pinger import HubPinger
from syndication.web.request_stats import RequestStats
from syndication.web.response_cache import ChangeSequence, ResponseCache

Snapshot = dict[str, Any]


class IngestStats:
    """Totals of what the writer did: a subscriber of the change fan-out."""

    def __init__(self) -> None:
        self.totals: defaultdict[str, int] = defaultdict(int)

    def count(self, change: Committed) -> None:
        for outcome, n in change.outcomes.items():
            self.totals[outcome] += n


class Measured(Protocol):
    """What the figures are read from (the process's services)."""

    cache: ResponseCache
    lane: FastLane
    connections: ConnectionLimits
    sequence: ChangeSequence
    hub: Hub
    pinger: HubPinger
    requests: RequestStats
    ingested: IngestStats
    ingest: IngestService | None
    purger: EdgePurger | None


def snapshot(source: Measured) -> Snapshot:
    """What this process has counted, as plain data another process can add to its own."""
    cache, lane, requests = source.cache, source.lane, source.requests
    snap: Snapshot = {
        "requests": [[r, m, s, n] for (r, m, s), n in requests.counts.items()],
        "latency": {route: list(b) for route, b in requests.latency.items()},
        "seconds": dict(requests.seconds),
        "counters": {
            "cache_hits": cache.hits,
            "cache_builds": cache.builds,
            "lane_answers": lane.answered,
            "cache_bytes": cache.bytes + lane.bytes,
            "hub_delivered": source.hub.delivered,
            "hub_failed": source.hub.failed,
            "ping_sent": source.pinger.sent,
            "ping_failed": source.pinger.failed,
            "connections_open": source.connections.open,
            "heads_timed_out": source.connections.timed_out,
            "connections_turned_away": source.connections.turned_away,
            "idle_connections_closed": source.connections.idle_closed,
            "bodies_timed_out": source.connections.bodies_timed_out,
            "sends_stalled": source.connections.sends_stalled,
        },
        "ingest": dict(source.ingested.totals),
        "sequence": source.sequence.seq,
        "audience": [[f, s, n] for (f, s), n in requests.audience.totals().items()],
    }
    if (service := source.ingest) is not None:
        snap["writer"] = {
            "caught_up": float(service.caught_up),
            "failing": float(not service.health.ok),
            "waiting": float(service.health.waiting),
        }
    if (purger := source.purger) is not None and purger.nodes:
        snap["edge"] = {
            "pending": max(purger.pending.values(), default=0),
            "sent": purger.sent,
            "failed": purger.failed,
            "latency": list(purger.latency),
            "seconds": purger.seconds,
        }
    return snap


def merge(snapshots: list[Snapshot]) -> Snapshot:
    """The service's figures: counts added up, the sequence the newest any process has."""
    merged: Snapshot = {
        "requests": [],
        "latency": {},
        "seconds": {},
        "counters": {},
        "ingest": {},
        "sequence": 0,
        "audience": [],
    }
    audience: dict[tuple[str, str], int] = {}
    requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
    for snap in snapshots:
        for route, method, status, n in snap["requests"]:
            requests[route, method, int(status)] += int(n)
        for route, buckets in snap["latency"].items():
            have = merged["latency"].setdefault(route, [0] * len(buckets))
            merged["latency"][route] = [a + b for a, b in zip(have, buckets, strict=True)]
        for route, seconds in snap["seconds"].items():
            merged["seconds"][route] = merged["seconds"].get(route, 0.0) + seconds
        for table in ("counters", "ingest"):
            for name, n in snap[table].items():
                merged[table][name] = merged[table].get(name, 0) + n
        merged["sequence"] = max(merged["sequence"], snap["sequence"])
        # each process heard some of a service's fetches: its latest figure is the largest
        for feed, service, n in snap["audience"]:
            audience[feed, service] = max(audience.get((feed, service), 0), n)
        for one in ("writer", "edge"):  # only the writing process has these
            if one in snap:
                merged[one] = snap[one]
    merged["requests"] = [[r, m, s, n] for (r, m, s), n in requests.items()]
    merged["audience"] = [[f, s, n] for (f, s), n in audience.items()]
    return merged


class ServiceCollector(Collector):
    """This process's figures, added to those of the other processes serving the archive
    (`serve --workers N`): a scrape that lands on any reader describes the whole service."""

    def __init__(self, source: Measured, db_path: Path) -> None:
        self.source, self.db_path = source, db_path

    def collect(self) -> Iterator[Metric]:
        own = snapshot(self.source)
        yield from families(merge([own, *siblings(self.db_path)]))


class NewsletterCollector(Collector):
    """Each list's mails (sent, deferred, failed, bounced, complained, unsubscribed) and
    subscribers, read from the archive at each scrape: every process sees the same."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    def collect(self) -> Iterator[Metric]:
        mails = CounterMetricFamily(
            "syndication_newsletter_mails",
            "Newsletter mails by list and what became of them.",
            labels=["list", "event"],
        )
        members = GaugeMetricFamily(
            "syndication_newsletter_subscribers",
            "Confirmed subscribers a list mails (suppressed addresses not counted).",
            labels=["list"],
        )
        try:
            conn = connect(self.db_path, Access.READER)
        except (sqlite3.Error, OSError):
            return  # no archive yet: nothing to say
        try:
            for (name, event), n in sorted(newsletters.counts(conn).items()):
                mails.add_metric([name, event], n)
            for name in newsletters.lists_with_members(conn):
                members.add_metric([name], newsletters.members(conn, name))
        except sqlite3.Error:
            return  # an archive from before newsletters, or busy: the next scrape says
        finally:
            conn.close()
        yield mails
        yield members


def registry_for(source: Measured, db_path: Path) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(source, db_path))
    registry.register(NewsletterCollector(db_path))
    return registry


def families(snap: Snapshot) -> Iterator[Metric]:
    """The service's figures as Prometheus metric families."""
    yield from _http_families(snap)
    yield from _cache_families(snap["counters"])
    yield from _connection_families(snap["counters"])
    yield GaugeMetricFamily(
        "syndication_change_sequence", "The archive's change sequence.", value=snap["sequence"]
    )
    yield from _writer_families(snap)
    subscribers = GaugeMetricFamily(
        "syndication_feed_subscribers",
        "Subscribers a feed-reader service last said a feed has, in its User-Agent.",
        labels=["feed", "service"],
    )
    for feed, service, n in sorted(snap["audience"]):
        subscribers.add_metric([feed, service], n)
    yield subscribers
    if "edge" in snap:
        yield from _edge_families(snap["edge"])


def _http_families(snap: Snapshot) -> Iterator[Metric]:
    total = CounterMetricFamily(
        "syndication_http_requests",
        "HTTP requests answered.",
        labels=["route", "method", "status"],
    )
    for route, method, status, n in sorted(snap["requests"]):
        total.add_metric([route, method, str(status)], n)
    yield total
    latency = HistogramMetricFamily(
        "syndication_http_request_seconds", "Time to answer, by route.", labels=["route"]
    )
    for route, buckets in sorted(snap["latency"].items()):
        running, cumulative = 0, []
        for bound, n in zip((*BUCKETS, float("inf")), buckets, strict=True):
            running += n
            cumulative.append((_bound(bound), running))
        latency.add_metric([route], cumulative, sum_value=snap["seconds"][route])
    yield latency


_CONNECTION_COUNTERS = (  # (metric, help, snapshot key)
    (
        "syndication_request_heads_timed_out",
        "Connections answered 408 and closed: no whole request head in request_head_seconds.",
        "heads_timed_out",
    ),
    (
        "syndication_idle_connections_closed",
        "Keep-alive connections closed between requests to make room at max_connections.",
        "idle_connections_closed",
    ),
    (
        "syndication_request_bodies_timed_out",
        "Requests answered 408 and closed: no whole body in request_body_seconds.",
        "bodies_timed_out",
    ),
    (
        "syndication_stalled_sends_closed",
        "Connections closed because the client took none of an answer for send_stall_seconds.",
        "sends_stalled",
    ),
    (
        "syndication_connections_turned_away",
        "Connections answered 503 and closed at once: max_connections were open.",
        "connections_turned_away",
    ),
)


def _connection_families(c: dict[str, float]) -> Iterator[Metric]:
    """What the connection limits did (web/connection_limits.py). A sibling's snapshot from
    before they existed lacks them: counted as none."""
    yield GaugeMetricFamily(
        "syndication_connections_open",
        "Client connections open (each process holds at most max_connections).",
        value=c.get("connections_open", 0),
    )
    for name, text, key in _CONNECTION_COUNTERS:
        yield CounterMetricFamily(name, text, value=c.get(key, 0))


def _cache_families(c: dict[str, float]) -> Iterator[Metric]:
    yield CounterMetricFamily(
        "syndication_cache_hits",
        "Answers served from the response cache.",
        value=c["cache_hits"],
    )
    yield CounterMetricFamily(
        "syndication_cache_builds",
        "Pages and feeds built for the cache.",
        value=c["cache_builds"],
    )
    served = c["cache_hits"] + c["cache_builds"]
    yield GaugeMetricFamily(
        "syndication_cache_hit_ratio",
        "Share of cacheable answers served from the cache.",
        value=c["cache_hits"] / served if served else 0.0,
    )
    yield CounterMetricFamily(
        "syndication_fast_lane_answers",
        "Cache hits answered by the fast lane, before aiohttp (included in cache hits).",
        value=c["lane_answers"],
    )
    yield GaugeMetricFamily(
        "syndication_cache_bytes",
        "Memory the response caches and the fast lanes' remembered targets hold (each "
        "process's budget is response_cache_mb).",
        value=c["cache_bytes"],
    )


def _writer_families(snap: Snapshot) -> Iterator[Metric]:
    """What the writer did and how it stands; WebSub deliveries and pings."""
    c = snap["counters"]
    ingested = CounterMetricFamily(
        "syndication_ingest_files", "Files ingested, by outcome.", labels=["outcome"]
    )
    for kind, n in sorted(snap["ingest"].items()):
        ingested.add_metric([kind], n)
    yield ingested
    websub = CounterMetricFamily(
        "syndication_websub_deliveries",
        "WebSub deliveries and pings.",
        labels=["kind", "outcome"],
    )
    websub.add_metric(["hub", "delivered"], c["hub_delivered"])
    websub.add_metric(["hub", "failed"], c["hub_failed"])
    websub.add_metric(["ping", "sent"], c["ping_sent"])
    websub.add_metric(["ping", "failed"], c["ping_failed"])
    yield websub
    if "writer" in snap:
        writer = snap["writer"]
        yield GaugeMetricFamily(
            "syndication_ingest_caught_up",
            "1 once the first scan of content/ is done.",
            value=writer["caught_up"],
        )
        yield GaugeMetricFamily(
            "syndication_writes_failing",
            "1 while the archive cannot be written (disk full, I/O error, locked).",
            value=writer["failing"],
        )
        yield GaugeMetricFamily(
            "syndication_writes_waiting",
            "Changed files (a whole scan counts as one) waiting to reach the archive.",
            value=writer["waiting"],
        )


def _edge_families(edge: dict[str, Any]) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "syndication_edge_purges_pending",
        "Changes not yet purged from the slowest edge node.",
        value=edge["pending"],
    )
    purges = CounterMetricFamily(
        "syndication_edge_purges", "Edge purges, by outcome.", labels=["outcome"]
    )
    purges.add_metric(["acknowledged"], edge["sent"])
    purges.add_metric(["failed"], edge["failed"])
    yield purges
    latency = HistogramMetricFamily(
        "syndication_edge_purge_seconds",
        "From a committed change to an edge node acknowledging its purge.",
    )
    running, cumulative = 0, []
    for bound, n in zip((*BUCKETS, float("inf")), edge["latency"], strict=True):
        running += n
        cumulative.append((_bound(bound), running))
    latency.add_metric([], cumulative, sum_value=edge["seconds"])
    yield latency


# -- sharing between the processes of `serve --workers N` ------------------------------------

SHARE_SECONDS = 1.0  # how often each process leaves its figures for the others


async def share(source: Measured, db_path: Path) -> None:
    """Leave this process's figures where its siblings read them, every second, until
    cancelled. The file of a process that has ended keeps its last figures, so counters do
    not drop when a reader is replaced; `serve --workers N` clears them when it starts."""
    path = runtime_file(db_path, f"metrics-{os.getpid()}.json")
    partial = path.with_name(path.name + ".tmp")
    while True:
        with contextlib.suppress(OSError):
            partial.write_text(json.dumps(snapshot(source)), encoding="utf-8")
            partial.replace(path)
        await asyncio.sleep(SHARE_SECONDS)


def siblings(db_path: Path) -> list[Snapshot]:
    """The last figures every other process of this archive left; a file that does not
    hold figures (cut short, from another version) is passed over."""
    prefix = runtime_file(db_path, "metrics-").name
    own = f"{prefix}{os.getpid()}.json"
    found: list[Snapshot] = []
    for path in runtime_dir().glob(prefix + "*.json"):
        if path.name == own:
            continue
        with contextlib.suppress(
            OSError, ValueError, TypeError, KeyError, AttributeError, OverflowError
        ):
            found.append(_normalised(json.loads(path.read_text(encoding="utf-8"))))
    return found


def _normalised(raw: Any) -> Snapshot:
    """A sibling's figures in the shape snapshot() writes, or an exception when they are not."""
    latency = {str(route): [int(n) for n in buckets] for route, buckets in raw["latency"].items()}
    seconds = {str(route): float(v) for route, v in raw["seconds"].items()}
    if any(len(b) != len(BUCKETS) + 1 for b in latency.values()) or set(latency) - set(seconds):
        raise ValueError("latency of another shape")
    snap: Snapshot = {
        "requests": [[str(r), str(m), int(s), int(n)] for r, m, s, n in raw["requests"]],
        "latency": latency,
        "seconds": seconds,
        "counters": {str(name): float(v) for name, v in raw["counters"].items()},
        "ingest": {str(name): int(v) for name, v in raw["ingest"].items()},
        "sequence": int(raw["sequence"]),
        "audience": [[str(f), str(s), int(n)] for f, s, n in raw.get("audience", [])],
    }
    if "writer" in raw:
        snap["writer"] = {k: float(raw["writer"][k]) for k in ("caught_up", "failing", "waiting")}
    if "edge" in raw:
        edge = raw["edge"]
        snap["edge"] = {
            "pending": int(edge["pending"]),
            "sent": int(edge["sent"]),
            "failed": int(edge["failed"]),
            "latency": [int(n) for n in edge["latency"]],
            "seconds": float(edge["seconds"]),
        }
        if len(snap["edge"]["latency"]) != len(BUCKETS) + 1:
            raise ValueError("purge latency of another shape")
    return snap


def forget_shared(db_path: Path) -> None:
    """Start the service's counts afresh (the supervisor, as it starts)."""
    prefix = runtime_file(db_path, "metrics-").name
    for path in runtime_dir().glob(prefix + "*"):
        path.unlink(missing_ok=True)


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)
