"""Feed routes: subscription feeds per edition, section, topic and author in three formats,
and their RFC 5005 monthly archive documents (Atom)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.errors import NotFound
from syndication.model import FeedKind, FeedScope
from syndication.publish.feed_service import BuiltFeed
from syndication.publish.routes import ROUTES
from syndication.web import cached_routes, rights_routes
from syndication.web.response_cache import Rendered
from syndication.web.services import services

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _handler(kind: FeedKind, *, archive: bool) -> Handler:
    @cached_routes.answered_from_cache()
    async def handle(request: web.Request, key: str) -> web.Response:
        return await _serve(request, key, kind, archive=archive)

    return handle


# Topic and author routes before the section one, whose {key} would match them too.
for _kind, _route in (
    (FeedKind.ALL, "edition"),
    (FeedKind.TOPIC, "topic"),
    (FeedKind.AUTHOR, "author"),
    (FeedKind.SECTION, "section"),
):
    routes.get(ROUTES[f"{_route}_feed"])(_handler(_kind, archive=False))
    routes.get(ROUTES[f"{_route}_archive"])(_handler(_kind, archive=True))


async def _serve(
    request: web.Request, key: str, kind: FeedKind, *, archive: bool = False
) -> web.Response:
    # The hot path, polled millions of times: answered_from_cache (see _handler) answers a
    # current cached entry before anything here is built or looked at.
    match = request.match_info
    scope = FeedScope(match["edition"], kind, match.get("key", ""))
    settings = services(request).settings
    if not settings.has_edition(scope.edition):
        raise NotFound("There is no such edition.")
    if scope.kind is FeedKind.SECTION and settings.section(scope.key) is None:
        raise NotFound("There is no such section.")
    fmt = "atom" if archive else request.match_info["fmt"]
    month = request.match_info.get("month", "")
    if archive and not ("01" <= month[5:] <= "12"):
        raise NotFound("There is no such month.")

    async def build(at_seq: int) -> Rendered:
        feed = await services(request).feeds.build(scope, fmt, month)
        return rights_routes.stated(request, rendered(feed, at_seq), feed.policy)

    return await cached_routes.serve(request, key, (scope,), build)


def rendered(feed: BuiltFeed, seq: int) -> Rendered:
    """A feed as the response cache keeps it, reflecting change `seq`."""
    entry = Rendered.of(
        feed.body,
        feed.content_type,
        feed.cache_control,
        feed.links,
        seq,
        feed.article_ids,
    )
    entry.period = feed.period
    return entry
