"""Addresses people type or other sites cut: a missing or extra trailing slash (`/en`,
`/en/world`, an article's address ending in `/`) answers 301 to the address that exists,
`/search` to the default edition's search, and a story's old address (an imported site's
permalink, `aliases:`) to the story. Only a path no route knows is looked at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.web.services import services

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()


@web.middleware
async def slash_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    missed = request.match_info.http_exception
    if (
        isinstance(missed, web.HTTPNotFound)
        and request.method in ("GET", "HEAD")
        and request.path not in ("", "/")
    ):
        path = request.path
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if other and "//" not in other and await _routed(request, other):
            raise web.HTTPMovedPermanently(_with_query(request, other))
        articles = services(request).archive.articles
        for old in (path, other):
            if old and (moved := await articles.moved_from(old)) is not None:
                raise web.HTTPMovedPermanently(moved.path)
    return await handler(request)


async def _routed(request: web.Request, path: str) -> bool:
    """Whether a route (not the not-found one) answers `path`."""
    match = await request.app.router.resolve(request.clone(rel_url=request.rel_url.with_path(path)))
    return match.http_exception is None


@routes.get("/search")
async def search(request: web.Request) -> web.Response:
    """The search form lives in each edition; this sends people to the default one's."""
    edition = services(request).settings.default_edition
    raise web.HTTPMovedPermanently(_with_query(request, f"/{edition}/search"))


def _with_query(request: web.Request, path: str) -> str:
    """`path` (already decoded) with the request's query string, as a Location."""
    target = request.rel_url.with_path(path).with_query(request.rel_url.query)
    return str(target)
