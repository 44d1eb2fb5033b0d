"""Typed keys for what the app holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.ingest.service import IngestService
from syndication.web.cache import ChangeClock, ResponseCache
from syndication.web.hub_pings import HubPinger
from syndication.web.ratelimit import RateLimiter

if TYPE_CHECKING:
    from prometheus_client.registry import CollectorRegistry

    from syndication.web.fast_lane import Lane
    from syndication.web.metrics import RequestStats
    from syndication.web.websub_hub import Hub
    from syndication.web.writes import Writes

SETTINGS = web.AppKey("settings", Settings)
ROLE = web.AppKey("role", str)  # single | writer | reader (see web/app.py)
ARCHIVE = web.AppKey("archive", Archive)
INGEST = web.AppKey("ingest", IngestService)
CACHE = web.AppKey("cache", ResponseCache)
CLOCK = web.AppKey("clock", ChangeClock)
PINGER = web.AppKey("pinger", HubPinger)
RATES = web.AppKey("rates", RateLimiter)
HUB: web.AppKey[Hub] = web.AppKey("hub")
REQUESTS: web.AppKey[RequestStats] = web.AppKey("requests")
METRICS: web.AppKey[CollectorRegistry] = web.AppKey("metrics")
WRITES: web.AppKey[Writes] = web.AppKey("writes")
LANE: web.AppKey[Lane] = web.AppKey("lane")
# (article, message) already reported as left out of a document, so each is written once
LEFT_OUT = web.AppKey("left_out", set[tuple[str, str]])
