"""CORS (the Fetch standard): browser code on any site may read our public documents (a web
feed reader, a partner's page) and call the partner API with its key, never with a cookie.

Every shared answer says `Access-Control-Allow-Origin: *` (which browsers refuse to pair
with credentials, so no cookie ever rides along) and exposes the headers a client needs to
revalidate and to page (ETag, Link) or to wait (Retry-After, RateLimit-*); a preflight
(OPTIONS) is answered here for any shared address. The editors' desk, previews, the hub
and the operations routes are not shared: a browser gets no CORS header from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.publish.routes import NOT_SHARED

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

EXPOSED = "ETag, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
# What every shared answer carries; the response cache writes the same (web/response_cache.py).
SHARED = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED}
METHODS = "GET, HEAD"
READ_HEADERS = "If-None-Match, If-Modified-Since, Cache-Control"
API_HEADERS = "Authorization, " + READ_HEADERS  # a partner's key, never a cookie
PREFLIGHT_SECONDS = 86400


def shared(path: str) -> bool:
    return not path.startswith(NOT_SHARED)


def preflight(request: web.Request) -> web.Response:
    """An OPTIONS request: what a browser may send here (only reading, ever)."""
    allowed = API_HEADERS if request.path.startswith("/api/") else READ_HEADERS
    return web.Response(
        status=204,
        headers={
            **SHARED,
            "Access-Control-Allow-Methods": METHODS,
            "Access-Control-Allow-Headers": allowed,
            "Access-Control-Max-Age": str(PREFLIGHT_SECONDS),
            "Allow": f"{METHODS}, OPTIONS",
            "Cache-Control": f"public, max-age={PREFLIGHT_SECONDS}",
        },
    )


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not shared(request.path):
        return await handler(request)
    if request.method == "OPTIONS":
        return preflight(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect (failures are answers by now)
        for name, value in SHARED.items():
            exc.headers.setdefault(name, value)
        raise
    if not response.prepared:
        for name, value in SHARED.items():
            response.headers.setdefault(name, value)
    return response
