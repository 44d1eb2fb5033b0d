"""Addresses people type or other sites cut: a missing or extra trailing slash (`/en`,
`/en/world`, an article's address ending in `/`) answers 301 to the address that exists,
`/search` to the default edition's search, and a story's old address (an imported site's
permalink, `aliases:`) to the story. An old address is looked at only where nothing is:
when no route knows the path, or the route that does answers 404 (`/harbour-strike/` is
an edition's route, and no edition). WordPress's own short link, `/?p=123`, is an old
address wherever it points, as no page here reads `p`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.publish.routes import ROUTES
from syndication.web.services import services

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()
_POST_NUMBER = re.compile(r"\d{1,18}")


@web.middleware
async def slash_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in ("GET", "HEAD"):
        return await handler(request)
    post = request.query.get("p", "")
    if _POST_NUMBER.fullmatch(post):
        await _to_story(request, [f"{request.path}?p={post}"])
    missed = request.match_info.http_exception
    if isinstance(missed, web.HTTPNotFound) and request.path not in ("", "/"):
        other = _other(request.path)
        await _to_story(request, [request.path, other])  # one hop, not two
        if other and "//" not in other and await _routed(request, other):
            raise web.HTTPMovedPermanently(_with_query(request, other))
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if request.path not in ("", "/"):
            await _to_story(request, [request.path, _other(request.path)])
        raise


def _other(path: str) -> str:
    """The path with its trailing slash taken away, or given one."""
    return path.rstrip("/") if path.endswith("/") else path + "/"


async def _to_story(request: web.Request, olds: list[str]) -> None:
    """A 301 to the story one of these old addresses names, if one does."""
    articles = services(request).archive.articles
    for old in olds:
        if old and (moved := await articles.moved_from(old)) is not None:
            raise web.HTTPMovedPermanently(moved.path)


async def _routed(request: web.Request, path: str) -> bool:
    """Whether a route (not the not-found one) answers `path`."""
    match = await request.app.router.resolve(request.clone(rel_url=request.rel_url.with_path(path)))
    return match.http_exception is None


@routes.get(ROUTES["search_redirect"])
async def search(request: web.Request) -> web.Response:
    """The search form lives in each edition; this sends people to the default one's."""
    edition = services(request).settings.default_edition
    raise web.HTTPMovedPermanently(_with_query(request, f"/{edition}/search"))


def _with_query(request: web.Request, path: str) -> str:
    """`path` (already decoded) with the request's query string, as a Location."""
    target = request.rel_url.with_path(path).with_query(request.rel_url.query)
    return str(target)
