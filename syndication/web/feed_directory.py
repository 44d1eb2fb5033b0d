"""The Feeds page and the OPML file of each edition (publish/feed_directory.py)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from syndication.model import FeedScope
from syndication.publish import feed_directory, html
from syndication.publish.machine_rights import scope_policy
from syndication.publish.routes import ROUTES
from syndication.web import cached_routes, rights_routes
from syndication.web.response_cache import Rendered
from syndication.web.services import services

routes = web.RouteTableDef()


async def _groups(request: web.Request) -> list[feed_directory.Group]:
    settings = services(request).settings
    code = request.match_info["edition"]
    if not settings.has_edition(code):
        raise web.HTTPNotFound()
    listings = services(request).archive.listings
    most = feed_directory.MOST_LISTED
    return feed_directory.groups(
        settings,
        settings.edition(code),
        await listings.followed(code, "topic", most),
        await listings.followed(code, "author", most),
    )


def _kept(request: web.Request, body: bytes, content_type: str, seq: int) -> Rendered:
    settings = services(request).settings
    return Rendered.of(
        body, content_type, f"public, max-age={settings.page_max_age}", (), seq, frozenset()
    )


async def _serve(
    request: web.Request, key: str, content_type: str, make: Callable[..., bytes]
) -> web.Response:
    """The edition's feeds, listed by `make(settings, edition, groups)`, cached as its
    feeds are: rebuilt when a change in the edition could add or take away one."""
    code = request.match_info["edition"]

    async def build(seq: int) -> Rendered:
        found = await _groups(request)
        settings = services(request).settings
        body = make(settings, settings.edition(code), found)
        policy = scope_policy(settings, code)  # the edition's, as its other pages say
        if content_type.startswith("text/html"):
            body = rights_routes.in_page(request, body, policy)
        return rights_routes.stated(request, _kept(request, body, content_type, seq), policy)

    return await cached_routes.serve(request, key, (FeedScope(code),), build)


@routes.get(ROUTES["feeds_page"])
@cached_routes.answered_from_cache()
async def feeds_page(request: web.Request, key: str) -> web.Response:
    now = services(request).clock.now()
    return await _serve(
        request,
        key,
        "text/html; charset=utf-8",
        lambda settings, edition, found: html.feeds_page(settings, edition, found, now).encode(),
    )


@routes.get(ROUTES["opml"])
@cached_routes.answered_from_cache()
async def opml(request: web.Request, key: str) -> web.Response:
    return await _serve(request, key, feed_directory.OPML_TYPE, feed_directory.opml)
