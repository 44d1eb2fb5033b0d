"""Full-text partner feeds: /api/v1/feeds/{edition}/{section}.atom and .rss, behind the
partner's key (Basic works for importers that know nothing else).

The same documents as the public feeds, with what partners need and the public may not get:
the whole text, the rights on every entry, and only pictures that may travel.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aiohttp import web

from syndication.archive import partner_queries as pq
from syndication.model import ArchivedArticle, FeedKind, FeedScope
from syndication.publish.feed_document import FeedDocument, document_updated
from syndication.publish.xml_feeds import atom_bytes, rss_bytes
from syndication.web.api import NO_STORE, RATE_HEADERS, log_deliveries, partner_of
from syndication.web.keys import ARCHIVE, SETTINGS
from syndication.web.left_out import render_leaving_out

routes = web.RouteTableDef()
TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@routes.get("/api/v1/feeds/{edition}/{section}.{fmt:atom|rss}")
async def partner_feed(request: web.Request) -> web.Response:
    partner = await partner_of(request)
    settings = request.app[SETTINGS]
    edition, section, fmt = (request.match_info[k] for k in ("edition", "section", "fmt"))
    if not settings.has_edition(edition) or settings.section(section) is None:
        raise web.HTTPNotFound(text="There is no such edition or section.")
    if not partner.entitled(edition, section):
        raise web.HTTPForbidden(
            text=f"This key is not entitled to the section {section!r} in {edition!r}."
        )
    found = await pq.feed_items(
        request.app[ARCHIVE], partner, edition, section, settings.feed_limit
    )
    articles = tuple(_without_withheld_pictures(a) for a in found)
    scope = FeedScope(edition, FeedKind.SECTION, section)
    url = settings.absolute(request.path)
    section_name = settings.section(section).name(edition)  # type: ignore[union-attr]
    doc = FeedDocument(
        scope=scope,
        title=f"{section_name} · {settings.site_name} for {partner.name}",
        subtitle=f"Full text for republication by {partner.name}, with rights on every entry",
        language=settings.edition(edition).language,
        feed_id=settings.tag(f"partner-feed:{partner.id}:{edition}/{section}"),
        html_url=settings.absolute(f"{scope.path}/"),
        self_url=url,
        alternates={f: settings.absolute(f"/api/v1/feeds/{edition}/{section}.{f}") for f in TYPES},
        updated=document_updated(articles, ()) if articles else datetime.now(UTC),
        articles=articles,
    )
    write = atom_bytes if fmt == "atom" else rss_bytes
    body = await render_leaving_out(
        request.app,
        f"the partner feed {request.path}",
        lambda some: write(replace(doc, articles=some), settings),
        doc.articles,
        lambda a: a.article.id,
    )
    await log_deliveries(request, partner, [("usable", a) for a in found], "feed")
    return web.Response(
        body=body,
        content_type=TYPES[fmt],
        charset="utf-8",
        headers={**NO_STORE, **request.get(RATE_HEADERS, {})},
    )


def _without_withheld_pictures(archived: ArchivedArticle) -> ArchivedArticle:
    image = archived.article.image
    if image is None or image.syndication:
        return archived
    return replace(archived, article=replace(archived.article, image=None))
