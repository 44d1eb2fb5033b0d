"""create_app(settings): the aiohttp application, its resources opened and closed in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Literal

from aiohttp import web

from syndication.archive.feed_queries import current_seq
from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.ingest.health import runtime_file
from syndication.ingest.service import IngestService
from syndication.web import api, feeds, metrics, openapi, partner_feeds, seo, site, websub_hub
from syndication.web.cache import ChangeClock, ResponseCache
from syndication.web.errors import error_middleware
from syndication.web.fast_lane import LANE, LEARNED_BYTES_SHARE, Lane
from syndication.web.hub_pings import HubPinger
from syndication.web.keys import (
    ARCHIVE,
    CACHE,
    CLOCK,
    INGEST,
    LEFT_OUT,
    METRICS,
    PINGER,
    RATES,
    REQUESTS,
    ROLE,
    SETTINGS,
    WRITES,
)
from syndication.web.metrics import IngestStats, registry_for
from syndication.web.ratelimit import RateLimiter
from syndication.web.request_stats import RequestStats
from syndication.web.websub_hub import HUB, Hub
from syndication.web.writes import SideWriter

Role = Literal["single", "writer", "reader"]


def create_app(settings: Settings, *, role: Role = "single") -> web.Application:
    """The whole site.

    `single`: one process does everything (ingest, schedule, WebSub delivery, HTTP).
    `serve --workers N` runs one `writer` (ingest, schedule, WebSub delivery; its HTTP side
    is not exposed) and N `reader`s that answer HTTP from the same archive, learning of
    changes by reading the change sequence every 0.25 s.
    """
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[ROLE] = role
    app[RATES] = RateLimiter(runtime_file(settings.db_path, "rates"))
    app.on_cleanup.append(_close_rates)
    app[REQUESTS] = RequestStats()
    app[LEFT_OUT] = set()
    if role != "reader":
        app.cleanup_ctx.append(_ingest)
    app.cleanup_ctx.append(_archive)
    app.add_routes(metrics.routes)
    app.add_routes(websub_hub.routes)
    app.add_routes(openapi.routes)
    app.add_routes(api.routes)
    app.add_routes(partner_feeds.routes)
    app.add_routes(seo.routes)
    app.add_routes(feeds.routes)
    app.add_routes(site.routes)
    return app


async def _close_rates(app: web.Application) -> None:
    app[RATES].close()


async def _ingest(app: web.Application) -> AsyncIterator[None]:
    service = IngestService(app[SETTINGS])
    await service.start()  # the archive exists and is current before the first request
    app[INGEST] = service
    app[WRITES] = service
    yield
    await service.stop()


async def _archive(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with Archive.open(settings.db_path) as archive:
        app[ARCHIVE] = archive
        # One budget for what a process keeps of its answers: the rendered bytes, and a
        # sixteenth for the request targets the fast lane remembers.
        budget = settings.response_cache_mb * 1024 * 1024
        lane_bytes = budget // LEARNED_BYTES_SHARE
        cache = app[CACHE] = ResponseCache(budget - lane_bytes)
        clock = app[CLOCK] = ChangeClock(archive)
        access = logging.getLogger("aiohttp.access") if settings.access_log else None
        app[LANE] = Lane(clock, cache, app[REQUESTS], access, lane_bytes)
        pinger = app[PINGER] = HubPinger(settings, archive)
        await pinger.start()
        hub = app[HUB] = Hub(app)  # every process verifies the subscriptions it is asked for
        await hub.start()
        ingested = IngestStats()
        app[METRICS] = registry_for(app, app[REQUESTS], ingested)
        side: SideWriter | None = None
        poller: asyncio.Task[None] | None = None
        if INGEST in app:  # this process writes: the writer tells the clock, no polling
            service = app[INGEST]
            clock.push(service.last_seq)
            service.listeners.append(lambda result: clock.push(result.seq))
            service.listeners.append(lambda result: pinger.changed(result.changed))
            ingested.attach(service)
            if settings.websub_hub:  # updates go out from the writing process only
                service.listeners.append(lambda result: hub.changed(result.changed))
        else:
            side = SideWriter(settings.db_path)
            app[WRITES] = side
            poller = asyncio.create_task(_follow_changes(clock, archive), name="follow-changes")
        sharing = None
        if app[ROLE] != "single":  # each process of `serve --workers N` shows the whole
            sharing = asyncio.create_task(metrics.share(app, app[REQUESTS], ingested))
        yield
        for task in (poller, sharing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if side is not None:
            side.close()
        await hub.close()
        await pinger.close()


async def _follow_changes(clock: ChangeClock, archive: Archive) -> None:
    """A reader process learns of the writer's changes by reading the sequence."""
    while True:
        with contextlib.suppress(Exception):  # a busy moment; the next read will do
            clock.push(await current_seq(archive))
        await asyncio.sleep(clock.interval)
