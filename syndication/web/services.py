"""The services one process runs, made in one place and handed to what needs them.

`opened(settings, role)` opens every resource in order and closes them in reverse; the HTTP
app (web/app.py) keeps the result under one key, and handlers take what they use through
`services(request)`. The writer process of `serve --workers N` opens the same services
without any HTTP app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from prometheus_client.registry import CollectorRegistry

from syndication.archive.fanout import ChangeFanOut, Committed
from syndication.archive.queries import Archive
from syndication.archive.side_writes import NoWrites, SideWriter, Writes
from syndication.clock import Clock
from syndication.config import Settings
from syndication.edge.purger import EdgePurger
from syndication.ingest.service import IngestService
from syndication.mail import schedule
from syndication.publish import machine_rights
from syndication.publish.feed_service import Feeds
from syndication.publish.rights_documents import RightsMap
from syndication.replica.litestream import following, read_txid, replicate
from syndication.runtime import runtime_file
from syndication.web import metrics
from syndication.web.broken_article_log import BrokenArticleLog
from syndication.web.connection_limits import ConnectionLimits
from syndication.web.fast_lane import LEARNED_BYTES_SHARE, FastLane
from syndication.web.hub import Hub
from syndication.web.hub_pinger import HubPinger
from syndication.web.metrics import IngestStats
from syndication.web.outbound import Outbound
from syndication.web.ratelimit import RateLimiter
from syndication.web.request_stats import RequestStats
from syndication.web.response_cache import ChangeSequence, ResponseCache

# single: one process does everything. `serve --workers N` runs one writer (ingest,
# schedule, WebSub delivery; no HTTP) and N readers answering HTTP from the same archive.
# replica: a reader of a local copy Litestream keeps following the primary's replica
# (`serve --replica SOURCE`); it writes nothing, and sends partners and the hub to the primary.
Role = Literal["single", "writer", "reader", "replica"]


@dataclass(slots=True)
class Services:
    settings: Settings
    role: Role
    archive: Archive  # read-only connections
    writes: Writes  # the small writes made while serving (delivery log, subscriptions)
    changes: ChangeFanOut  # each committed change, told once to every subscriber
    clock: Clock  # the wall clock: every date and time of day this process reads
    sequence: ChangeSequence  # the change sequence the response cache follows
    cache: ResponseCache
    lane: FastLane
    connections: ConnectionLimits  # held by the lane's connections (web/fast_lane.py)
    feeds: Feeds
    hub: Hub
    pinger: HubPinger
    broken_articles: BrokenArticleLog
    rates: RateLimiter
    logins: RateLimiter  # the desk's login tries, per address and per name
    signups: RateLimiter  # newsletter sign-ups, per client address
    requests: RequestStats
    ingested: IngestStats
    metrics: CollectorRegistry
    ingest: IngestService | None  # the archive's writer, in the process that writes
    purger: EdgePurger | None  # purges edge caches of each change, in the process that writes
    # Pictures resized at once (web/media.py); the rest wait their turn.
    resizing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    rights: KeptRightsMap = field(default_factory=lambda: KeptRightsMap())


@dataclass
class KeptRightsMap:
    """The policy of every address (publish/rights_documents.py), made again after a change
    when a document that states it is asked for (web/rights_routes.py)."""

    seq: int = -1
    mapped: RightsMap | None = None
    making: asyncio.Lock = field(default_factory=asyncio.Lock)


SERVICES = web.AppKey("services", Services)


def services(request: web.Request) -> Services:
    """The one lookup: the services of the app answering this request."""
    return request.app[SERVICES]


@contextlib.asynccontextmanager
async def opened(settings: Settings, role: Role, clock: Clock) -> AsyncIterator[Services]:
    async with contextlib.AsyncExitStack() as stack:
        rates = RateLimiter(runtime_file(settings.db_path, "rates"))
        stack.callback(rates.close)
        logins = RateLimiter(runtime_file(settings.db_path, "logins"))
        stack.callback(logins.close)
        signups = RateLimiter(runtime_file(settings.db_path, "signups"))
        stack.callback(signups.close)
        ingest: IngestService | None = None
        if role in ("single", "writer"):
            ingest = IngestService(settings, clock)
            stack.push_async_callback(ingest.stop)
            await ingest.start()  # the archive exists and is current before the first request
        if role == "replica":
            await stack.enter_async_context(following(settings, settings.replica_of, clock))
        copy = role == "replica"
        archive = await stack.enter_async_context(
            Archive.open(
                settings.db_path, copy=copy, search_seconds=settings.search_budget_ms / 1000
            )
        )
        writes: Writes
        if ingest is not None:
            writes = ingest
            if settings.replicate_to:
                _run(stack, replicate(settings), "litestream-replicate")
        elif role == "replica":
            writes = NoWrites()
        else:
            side = SideWriter(settings.db_path)
            stack.callback(side.close)
            writes = side
        broken_articles = BrokenArticleLog(writes, clock)
        archive.articles.left_out = broken_articles.report  # a damaged body, left out of a list
        feeds = Feeds(settings, archive, broken_articles.report, clock)
        pings = await stack.enter_async_context(Outbound(10, "syndication", public_only=False))
        pinger = HubPinger(settings, feeds, pings)
        calls = await stack.enter_async_context(Hub.outbound(settings))
        hub = Hub(settings, archive, writes, feeds, calls, clock)  # every process verifies requests
        # One budget for what a process keeps of its answers: the rendered bytes, and a
        # sixteenth for the request targets the fast lane remembers.
        budget = settings.response_cache_mb * 1024 * 1024
        lane_bytes = budget // LEARNED_BYTES_SHARE
        cache = ResponseCache(budget - lane_bytes, clock)
        sequence = ChangeSequence(archive)
        requests = RequestStats()
        access = logging.getLogger("aiohttp.access") if settings.access_log else None
        found = Services(
            settings=settings,
            role=role,
            archive=archive,
            writes=writes,
            changes=ingest.changes if ingest is not None else ChangeFanOut(),
            clock=clock,
            sequence=sequence,
            cache=cache,
            lane=FastLane(sequence, cache, requests, access, lane_bytes, on=settings.fast_lane),
            connections=ConnectionLimits(
                settings.request_head_seconds,
                settings.max_connections,
                settings.send_stall_seconds,
            ),
            feeds=feeds,
            hub=hub,
            pinger=pinger,
            broken_articles=broken_articles,
            rates=rates,
            logins=logins,
            signups=signups,
            requests=requests,
            ingested=IngestStats(),
            metrics=CollectorRegistry(auto_describe=False),
            ingest=ingest,
            purger=(
                EdgePurger(settings, archive, writes, clock, machine_rights.fingerprint(settings))
                if ingest is not None
                else None
            ),
        )
        found.metrics = metrics.registry_for(found, settings.db_path)
        _subscribe(found)
        if found.purger is not None and found.purger.nodes:
            _run(stack, found.purger.run(), "edge-purger")
        if ingest is not None and settings.newsletters and settings.send_while_serving:
            _run(stack, schedule.run(settings, clock, found.changes), "newsletters")
        if ingest is None:  # a reader learns of the writer's changes by reading the sequence
            _run(
                stack, _follow_changes(found.changes, archive, sequence.interval), "follow-changes"
            )
        if role == "replica":
            _run(stack, _follow_copy(found.changes, archive, sequence.interval / 2), "follow-copy")
        if role != "single":  # each process of `serve --workers N` shows the whole
            _run(stack, metrics.share(found, settings.db_path), "share-metrics")
        yield found


def _subscribe(s: Services) -> None:
    """Who hears of each change. The first scan happened before anyone listened: the sequence
    starts from it and the metrics count it; the hub and pinger tell only later changes."""
    s.changes.subscribe(lambda change: s.sequence.push(change.seq))
    if s.ingest is None:
        return
    s.sequence.push(s.ingest.last_seq)  # this process writes: it is pushed, never polled
    s.sequence.beside_writer = True
    s.ingested.count(s.ingest.first_scan)
    s.changes.subscribe(s.ingested.count)
    s.changes.subscribe(s.pinger.changed)
    if s.purger is not None:
        s.changes.subscribe(s.purger.changed)
    if s.settings.websub_hub:  # updates go out from the writing process only
        s.changes.subscribe(s.hub.changed)


def _run(stack: contextlib.AsyncExitStack, work: Coroutine[Any, Any, None], name: str) -> None:
    task = asyncio.create_task(work, name=name)

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)


async def _follow_copy(changes: ChangeFanOut, archive: Archive, interval: float) -> None:
    """A replica's connection to its copy, opened anew each time Litestream applies more of
    the primary's transactions, and the fan-out told at once."""
    seen = read_txid(archive.path)
    while True:
        await asyncio.sleep(interval)
        if (txid := read_txid(archive.path)) == seen:
            continue
        with contextlib.suppress(Exception):  # the next turn tries again
            await archive.reopen()
            seen = txid
            changes.publish(Committed(await archive.current_seq()))


async def _follow_changes(changes: ChangeFanOut, archive: Archive, interval: float) -> None:
    """The fan-out of a process without a writer, fed by reading the change sequence."""
    seen = -1
    while True:
        with contextlib.suppress(Exception):  # a busy moment; the next read will do
            if (seq := await archive.current_seq()) != seen:
                seen = seq
                changes.publish(Committed(seq))
        await asyncio.sleep(interval)
