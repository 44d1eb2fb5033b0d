"""Feed routes: subscription feeds per edition, section, topic and author in three formats,
and their RFC 5005 monthly archive documents (Atom)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiohttp import web

from syndication.archive import feed_queries as fq
from syndication.config import Settings
from syndication.errors import NotFound
from syndication.model import ArchivedArticle, FeedKind, FeedScope, Tombstone
from syndication.months import next_month
from syndication.publish.feed_document import (
    FORMATS,
    ArchiveLinks,
    FeedDocument,
    archive_url,
    document_updated,
    feed_title,
    feed_url,
    scope_id,
)
from syndication.publish.json_feed import json_feed_bytes
from syndication.publish.xml_feeds import atom_bytes, rss_bytes
from syndication.web import cached
from syndication.web.cache import Rendered
from syndication.web.keys import ARCHIVE, SETTINGS
from syndication.web.left_out import render_leaving_out

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]
FMT = "{fmt:atom|rss|json}"
MONTH = r"{month:\d{4}-\d{2}}"
WRITERS = {"atom": atom_bytes, "rss": rss_bytes, "json": json_feed_bytes}


_FEED_PATH = re.compile(
    r"/(?P<edition>[a-z0-9-]+)(?:/(?:(?P<kind>topic|author)/)?(?P<key>[a-z0-9-]+))?"
    r"/feed\.(?P<fmt>atom|rss|json)"
)


def scope_of_url(settings: Settings, url: str) -> tuple[FeedScope, str] | None:
    """The scope and format of one of our subscription feed URLs (a WebSub topic)."""
    match = _FEED_PATH.fullmatch(settings.path_of(url) or "")
    if match is None or not settings.has_edition(match["edition"]):
        return None
    if match["key"] is None:
        return FeedScope(match["edition"]), match["fmt"]
    kind = FeedKind(match["kind"]) if match["kind"] else FeedKind.SECTION
    if kind is FeedKind.SECTION and settings.section(match["key"]) is None:
        return None
    return FeedScope(match["edition"], kind, match["key"]), match["fmt"]


def _handler(kind: FeedKind, *, archive: bool) -> Handler:
    @cached.answered_from_cache()
    async def handle(request: web.Request, key: str) -> web.Response:
        return await _serve(request, key, kind, archive=archive)

    return handle


# Topic and author routes before the section one, whose {key} would match them too.
for _kind, _folder in (
    (FeedKind.ALL, "/{edition}"),
    (FeedKind.TOPIC, "/{edition}/topic/{key}"),
    (FeedKind.AUTHOR, "/{edition}/author/{key}"),
    (FeedKind.SECTION, "/{edition}/{key}"),
):
    routes.get(f"{_folder}/feed.{FMT}")(_handler(_kind, archive=False))
    routes.get(f"{_folder}/archive/{MONTH}.atom")(_handler(_kind, archive=True))


async def _serve(
    request: web.Request, key: str, kind: FeedKind, *, archive: bool = False
) -> web.Response:
    # The hot path, polled millions of times: answered_from_cache (see _handler) answers a
    # current cached entry before anything here is built or looked at.
    match = request.match_info
    scope = FeedScope(match["edition"], kind, match.get("key", ""))
    settings = request.app[SETTINGS]
    if not settings.has_edition(scope.edition):
        raise NotFound("There is no such edition.")
    if scope.kind is FeedKind.SECTION and settings.section(scope.key) is None:
        raise NotFound("There is no such section.")
    fmt = "atom" if archive else request.match_info["fmt"]
    month = request.match_info.get("month", "")
    if archive and not ("01" <= month[5:] <= "12"):
        raise NotFound("There is no such month.")

    async def build(at_seq: int) -> Rendered:
        return await build_feed(request.app, scope, fmt, month, at_seq)

    return await cached.serve(request, key, (scope,), build)


async def build_feed(
    app: web.Application, scope: FeedScope, fmt: str, month: str, seq: int
) -> Rendered:
    settings, archive = app[SETTINGS], app[ARCHIVE]
    name = await _name(app, scope)
    articles: list[ArchivedArticle]
    tombs: list[Tombstone] = []
    if month:
        articles = await fq.month_articles(archive, scope, month)
        if not articles:
            raise NotFound("There is no archive for this month.")
        before, after = await fq.neighbour_months(archive, scope, month)
        links = ArchiveLinks(
            current=feed_url(settings, scope, "atom"),
            prev_archive=archive_url(settings, scope, before) if before else None,
            next_archive=archive_url(settings, scope, after) if after else None,
            is_archive=True,
        )
        self_url = archive_url(settings, scope, month)
        alternates = {}
    else:
        articles = await fq.feed_articles(archive, scope, settings.feed_limit)
        since = datetime.now(UTC) - timedelta(days=settings.tombstone_days)
        tombs = await fq.tombstones(archive, scope, since)
        newest_month = f"{articles[0].article.published:%Y-%m}" if articles else None
        links = ArchiveLinks(
            prev_archive=archive_url(settings, scope, newest_month) if newest_month else None
        )
        self_url = feed_url(settings, scope, fmt)
        alternates = {f: feed_url(settings, scope, f) for f in FORMATS}
    edition = settings.edition(scope.edition)
    title = feed_title(settings, scope, name)
    doc = FeedDocument(
        scope=scope,
        title=title,
        subtitle=f"Archive for {month}: {title}" if month else title,
        language=edition.language,
        feed_id=scope_id(settings, scope),
        html_url=settings.absolute(f"{scope.path}/"),
        self_url=self_url,
        alternates=alternates,
        updated=document_updated(tuple(articles), tuple(tombs)),
        articles=tuple(articles),
        tombstones=tuple(tombs),
        hubs=settings.advertised_hubs,
        archive=links,
    )
    body = await render_leaving_out(
        app,
        f"the feed {self_url}",
        lambda some: WRITERS[fmt](replace(doc, articles=some), settings),
        doc.articles,
        lambda a: a.article.id,
    )
    last_modified = max(
        [doc.updated, *(a.last_changed for a in articles), *(t.withdrawn for t in tombs)]
    )
    header_links = [f'<{self_url}>; rel="self"'] + [f'<{hub}>; rel="hub"' for hub in doc.hubs]
    rendered = Rendered.of(
        body,
        FORMATS[fmt],
        last_modified,
        _cache_control(settings, month),
        tuple(header_links),
        seq,
        frozenset(a.article.id for a in articles) | frozenset(t.id for t in tombs),
    )
    # Right until the oldest tombstone leaves the window, or this month's archive becomes
    # a past month's (cached longer), even if nothing changes.
    if tombs:
        oldest = min(t.withdrawn for t in tombs) + timedelta(days=settings.tombstone_days)
        rendered.fresh_until = oldest.timestamp()
    if month and month >= f"{datetime.now(UTC):%Y-%m}":
        ends = datetime.fromisoformat(f"{next_month(month)}-01T00:00:00+00:00")
        rendered.fresh_until = ends.timestamp()
    return rendered


def _cache_control(settings: Settings, month: str) -> str:
    stale = settings.feed_stale_seconds
    max_age = settings.feed_max_age
    if month and month < f"{datetime.now(UTC):%Y-%m}":
        max_age = 86400  # a past month's archive changes only when an old story is withdrawn
    return f"public, max-age={max_age}, stale-while-revalidate={stale}, stale-if-error={stale}"


async def _name(app: web.Application, scope: FeedScope) -> str:
    settings = app[SETTINGS]
    if scope.kind is FeedKind.ALL:
        return settings.edition(scope.edition).name
    if scope.kind is FeedKind.SECTION:
        section = settings.section(scope.key)
        return section.name(scope.edition) if section else scope.key
    name = await fq.scope_name(app[ARCHIVE], scope)
    if name is None:
        raise NotFound(f"There is no such {scope.kind.value} in this edition.")
    return name
