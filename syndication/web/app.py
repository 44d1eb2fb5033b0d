"""create_app(settings): the aiohttp application, its resources opened and closed in order."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.ingest.service import IngestService
from syndication.web import api, feeds, metrics, openapi, partner_feeds, seo, site, websub_hub
from syndication.web.cache import ChangeClock, ResponseCache
from syndication.web.errors import error_middleware
from syndication.web.hub_pings import HubPinger
from syndication.web.keys import (
    ARCHIVE,
    CACHE,
    CLOCK,
    HUB,
    INGEST,
    METRICS,
    PINGER,
    RATES,
    REQUESTS,
    SETTINGS,
)
from syndication.web.metrics import IngestStats, RequestStats, registry_for
from syndication.web.ratelimit import RateLimiter
from syndication.web.websub_hub import Hub


def create_app(settings: Settings, *, ingest: bool = True) -> web.Application:
    """The whole site. With `ingest`, this process is also the archive's writer."""
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[RATES] = RateLimiter()
    app[REQUESTS] = RequestStats()
    if ingest:
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


async def _ingest(app: web.Application) -> AsyncIterator[None]:
    service = IngestService(app[SETTINGS])
    await service.start()  # the archive exists and is current before the first request
    app[INGEST] = service
    yield
    await service.stop()


async def _archive(app: web.Application) -> AsyncIterator[None]:
    async with Archive.open(app[SETTINGS].db_path) as archive:
        app[ARCHIVE] = archive
        app[CACHE] = ResponseCache()
        clock = app[CLOCK] = ChangeClock(archive)
        pinger = app[PINGER] = HubPinger(app[SETTINGS], archive)
        await pinger.start()
        hub: Hub | None = None
        ingested = IngestStats()
        app[METRICS] = registry_for(app, app[REQUESTS], ingested)
        if INGEST in app:  # this process writes: the writer tells the clock, no polling
            service = app[INGEST]
            clock.push(service.last_seq)
            service.listeners.append(lambda result: clock.push(result.seq))
            service.listeners.append(lambda result: pinger.changed(result.changed))
            ingested.attach(service)
            if app[SETTINGS].websub_hub:  # the hub delivers from the writing process
                hub = app[HUB] = Hub(app)
                await hub.start()
                service.listeners.append(lambda result: hub.changed(result.changed))
        yield
        if hub is not None:
            await hub.close()
        await pinger.close()
