"""For search engines: sitemaps, the Google News sitemap and robots.txt, all cached."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web

from syndication.model import FeedScope
from syndication.publish import sitemaps
from syndication.publish.routes import ROUTES
from syndication.rights_policy import Use
from syndication.validity_periods import Period, between
from syndication.web import cached_routes, rights_routes
from syndication.web.response_cache import Rendered
from syndication.web.services import services

routes = web.RouteTableDef()
XML = "application/xml; charset=utf-8"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


def _everything(request: web.Request) -> tuple[FeedScope, ...]:
    return tuple(FeedScope(e.code) for e in services(request).settings.editions)


Listed = TypeVar("Listed", bound=tuple[Any, ...])


async def _searchable(request: web.Request, seq: int, entries: list[Listed]) -> list[Listed]:
    """The entries (each a story's path first) whose rights policy lets search engines index
    them: a page that says noindex is never offered to them."""
    mapped = await rights_routes.current_map(request, seq)
    return [e for e in entries if mapped.policy_of(e[0]).allows(Use.SEARCH)]


def _rendered(request: web.Request, body: bytes, kind: str, seq: int) -> Rendered:
    max_age = services(request).settings.feed_max_age
    return Rendered.of(body, kind, f"public, max-age={max_age}", (), seq, frozenset())


@routes.get(ROUTES["robots"])
@cached_routes.answered_from_cache()
async def robots(request: web.Request, key: str) -> web.Response:
    async def build(seq: int) -> Rendered:
        mapped = await rights_routes.current_map(request, seq)
        body = sitemaps.robots_txt(services(request).settings, mapped)
        return _rendered(request, body, "text/plain; charset=utf-8", seq)

    return await cached_routes.serve(request, key, _everything(request), build)


@routes.get(ROUTES["sitemap_index"])
@cached_routes.answered_from_cache()
async def sitemap_index(request: web.Request, key: str) -> web.Response:
    async def build(seq: int) -> Rendered:
        months = await services(request).archive.listings.sitemap_months()
        newest = max((m[1] for m in months), default=None)
        # The news sitemap is listed only while it has a story: an empty one is invalid.
        news_until = newest + NEWS_WINDOW if newest else None
        now = services(request).clock.now()
        with_news = news_until is not None and news_until > now
        changed = [(month, last_change) for month, _, last_change in months]
        body = sitemaps.sitemap_index(services(request).settings, changed, with_news=with_news)
        rendered = _rendered(request, body, XML, seq)
        if newest is not None and news_until is not None:
            # right until the newest story leaves the window; changed when it left
            rendered.period = (
                between(newest, news_until)
                if with_news
                else Period(news_until.timestamp(), math.inf)
            )
        return rendered

    return await cached_routes.serve(request, key, _everything(request), build)


@routes.get(ROUTES["news_sitemap"])
@cached_routes.answered_from_cache()
async def news_sitemap(request: web.Request, key: str) -> web.Response:
    async def build(seq: int) -> Rendered:
        now = services(request).clock.now()
        items = await services(request).archive.listings.recent(now - NEWS_WINDOW, NEWS_LIMIT)
        items = await _searchable(request, seq, items)
        if not items:  # a urlset must hold a url: no story of the last 48 hours, no sitemap
            raise web.HTTPNotFound(text="No story was published in the last 48 hours.")
        settings = services(request).settings
        body = await services(request).broken_articles.render(
            "the news sitemap",
            lambda some: sitemaps.news_sitemap(settings, list(some)),
            items,
            lambda item: item[0],
        )
        rendered = _rendered(request, body, XML, seq)
        # Right since its newest story came or the last one before the window left (a
        # story coming is a change, purged; one leaving is not), until its oldest leaves.
        listings = services(request).archive.listings
        left = await listings.newest_before(now - NEWS_WINDOW)
        since = max(item[3] for item in items)
        if left is not None:
            since = max(since, left + NEWS_WINDOW)
        rendered.period = between(since, min(item[3] for item in items) + NEWS_WINDOW)
        return rendered

    return await cached_routes.serve(request, key, _everything(request), build)


@routes.get(ROUTES["month_sitemap"])
@cached_routes.answered_from_cache()
async def month_sitemap(request: web.Request, key: str) -> web.Response:
    month = request.match_info["month"]
    if not _MONTH.fullmatch(month):
        raise web.HTTPNotFound()

    async def build(seq: int) -> Rendered:
        entries = await services(request).archive.listings.sitemap_entries(month)
        entries = await _searchable(request, seq, entries)
        if not entries:
            raise web.HTTPNotFound()
        settings = services(request).settings
        # Up to a month of stories (30,000 once kept static files waiting 2.1 s): built,
        # hashed and compressed on a thread, never on the event loop.
        return await cached_routes.built_off_loop(
            lambda: _rendered(request, sitemaps.month_sitemap(settings, entries), XML, seq)
        )

    return await cached_routes.serve(request, key, _everything(request), build)
