"""Typed keys for what the app holds."""

from __future__ import annotations

from aiohttp import web

from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.ingest.service import IngestService

SETTINGS = web.AppKey("settings", Settings)
ARCHIVE = web.AppKey("archive", Archive)
INGEST = web.AppKey("ingest", IngestService)
