"""What a replica does not answer itself: the partner API, the WebSub hub and newsletters'
sign-ups and links write to the archive (the delivery log, subscriptions), so they are the
primary's. A replica sends them there (307 keeps the method and body), or says it cannot
when no primary is named."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.web.services import services

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PRIMARY_ONLY = ("/api/", "/websub", "/newsletters/")


@web.middleware
async def primary_only_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    found = services(request)
    # a sign-up (POST /{edition}/newsletters/) writes too
    signup = request.method == "POST" and request.path.endswith("/newsletters/")
    if found.role != "replica" or not (request.path.startswith(PRIMARY_ONLY) or signup):
        return await handler(request)
    primary = found.settings.primary_url.rstrip("/")
    if not primary:
        raise web.HTTPServiceUnavailable(
            text="This is a read-only replica; the partner API and the hub are the primary's."
        )
    raise web.HTTPTemporaryRedirect(
        primary + request.rel_url.path_qs, headers={"Cache-Control": "no-store"}
    )
