"""create_app(settings, clock): the aiohttp application over the process's services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.utils import formatdate

from aiohttp import web

from syndication.clock import Clock
from syndication.config import Settings
from syndication.publish.routes import refuse_shadowed
from syndication.web import (
    api,
    desk,
    feed_directory,
    feed_routes,
    hub_routes,
    media,
    newsletter_routes,
    openapi,
    operations,
    partner_feeds,
    previews,
    redirects,
    rights_routes,
    seo,
    site,
)
from syndication.web.cors import cors_middleware
from syndication.web.errors import error_middleware
from syndication.web.primary_forwarding import primary_only_middleware
from syndication.web.request_body import body_deadline_middleware
from syndication.web.services import SERVICES, Role, opened

# In this order: the fixed paths before site.py's /{edition}/... patterns.
ROUTE_MODULES = (
    operations,
    hub_routes,
    openapi,
    api,
    partner_feeds,
    previews,
    desk,
    seo,
    rights_routes,
    feed_routes,
    redirects,
    media,
    feed_directory,
    newsletter_routes,
    site,
)


def create_app(settings: Settings, clock: Clock, *, role: Role = "single") -> web.Application:
    """The whole site. Its services (web/services.py) are opened as the app starts and
    closed as it stops; `role` says whether this process writes (see services.Role), and
    `clock` is the one every date and time of day of the site is read from."""
    refuse_shadowed(settings)
    app = web.Application(
        middlewares=[
            cors_middleware,
            error_middleware,
            body_deadline_middleware,
            primary_only_middleware,
            redirects.slash_middleware,
        ]
    )

    async def services(app: web.Application) -> AsyncIterator[None]:
        async with opened(settings, role, clock) as found:
            app[SERVICES] = found
            yield

    app.cleanup_ctx.append(services)
    app.on_response_prepare.append(_DateFromClock(clock))
    for module in ROUTE_MODULES:
        app.add_routes(module.routes)
    return app


class _DateFromClock:
    """Every answer's Date from the clock its Last-Modified comes from (aiohttp would read
    the system's): a Last-Modified is never later than the Date beside it (RFC 9110 8.8.2),
    whatever clock the app was given. Made once a second, as aiohttp makes its own."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.second = -1
        self.value = ""

    async def __call__(self, request: web.Request, response: web.StreamResponse) -> None:
        second = int(self.clock.time())
        if second != self.second:
            self.second, self.value = second, formatdate(second, usegmt=True)
        response.headers["Date"] = self.value
