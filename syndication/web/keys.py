"""Typed keys for what the app holds."""

from __future__ import annotations

from aiohttp import web
from prometheus_client.registry import CollectorRegistry

from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.ingest.service import IngestService
from syndication.web.cache import ChangeClock, ResponseCache
from syndication.web.hub_pings import HubPinger
from syndication.web.ratelimit import RateLimiter
from syndication.web.request_stats import RequestStats
from syndication.web.writes import Writes

SETTINGS = web.AppKey("settings", Settings)
ROLE = web.AppKey("role", str)  # single | writer | reader (see web/app.py)
ARCHIVE = web.AppKey("archive", Archive)
INGEST = web.AppKey("ingest", IngestService)
CACHE = web.AppKey("cache", ResponseCache)
CLOCK = web.AppKey("clock", ChangeClock)
PINGER = web.AppKey("pinger", HubPinger)
RATES = web.AppKey("rates", RateLimiter)
REQUESTS = web.AppKey("requests", RequestStats)
METRICS = web.AppKey("metrics", CollectorRegistry)
WRITES: web.AppKey[Writes] = web.AppKey("writes")
# The fast lane's key is fast_lane.LANE and the hub's websub_hub.HUB, beside their types:
# declared here they would make this module, which every route imports, import them.
# (article, message) already reported as left out of a document, so each is written once
LEFT_OUT = web.AppKey("left_out", set[tuple[str, str]])
