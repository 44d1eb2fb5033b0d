"""Full-text partner feeds: /api/v1/feeds/{edition}/{section}.atom and .rss, behind the
partner's key (Basic works for importers that know nothing else).

The same documents as the public feeds, with what partners need and the public may not get:
the whole text, the rights on every entry, and only pictures that may travel.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from aiohttp import web

from syndication.archive import partner_queries as pq
from syndication.config import Settings
from syndication.model import ArchivedArticle, FeedKind, FeedScope, Partner
from syndication.publish.feed_document import (
    MEDIA_TYPES,
    XML_FORMATS,
    FeedDocument,
    document_updated,
)
from syndication.publish.guard import leaving_out_broken
from syndication.publish.xml_feeds import atom_bytes, rss_bytes
from syndication.web.api import NO_STORE, RATE_HEADERS, log_deliveries, partner_of
from syndication.web.keys import ARCHIVE, SETTINGS
from syndication.web.left_out import report

routes = web.RouteTableDef()
_PATH = re.compile(
    r"/api/v1/feeds/(?P<edition>[a-z0-9-]+)/(?P<section>[a-z0-9-]+)\.(?P<fmt>atom|rss)"
)


def partner_feed_url(settings: Settings, edition: str, section: str, fmt: str) -> str:
    return settings.absolute(f"/api/v1/feeds/{edition}/{section}.{fmt}")


def partner_feed_of_url(settings: Settings, url: str) -> tuple[str, str, str] | None:
    """(edition, section, format) of one of our partner feed URLs (a WebSub topic)."""
    found = _PATH.fullmatch(settings.path_of(url) or "")
    if found is None or not settings.has_edition(found["edition"]):
        return None
    if settings.section(found["section"]) is None:
        return None
    return found["edition"], found["section"], found["fmt"]


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
    body, found = await render_partner_feed(request.app, partner, edition, section, fmt)
    await log_deliveries(request, partner, [("usable", a) for a in found], "feed")
    return web.Response(
        body=body,
        content_type=MEDIA_TYPES[fmt],
        charset="utf-8",
        headers={**NO_STORE, **request.get(RATE_HEADERS, {})},
    )


async def render_partner_feed(
    app: web.Application, partner: Partner, edition: str, section: str, fmt: str
) -> tuple[bytes, list[ArchivedArticle]]:
    """The section's newest articles this partner may republish now, as a full-text feed,
    and the articles it carries (for the delivery log). The same for a GET and a WebSub
    delivery: only what the partner is entitled to, never licensed-in copy."""
    settings = app[SETTINGS]
    found = await pq.feed_items(app[ARCHIVE], partner, edition, section, settings.feed_limit)
    articles = tuple(_without_withheld_pictures(a) for a in found)
    scope = FeedScope(edition, FeedKind.SECTION, section)
    url = partner_feed_url(settings, edition, section, fmt)
    section_name = settings.section(section).name(edition)  # type: ignore[union-attr]
    doc = FeedDocument(
        scope=scope,
        title=f"{section_name} · {settings.site_name} for {partner.name}",
        subtitle=f"Full text for republication by {partner.name}, with rights on every entry",
        language=settings.edition(edition).language,
        feed_id=settings.tag(f"partner-feed:{partner.id}:{edition}/{section}"),
        html_url=settings.absolute(f"{scope.path}/"),
        self_url=url,
        alternates={f: partner_feed_url(settings, edition, section, f) for f in XML_FORMATS},
        updated=document_updated(articles, ()) if articles else datetime.now(UTC),
        articles=articles,
        hubs=(settings.hub_url,) if settings.websub_hub else (),  # ours: it checks the key
    )
    write = atom_bytes if fmt == "atom" else rss_bytes
    body, broken = leaving_out_broken(
        lambda some: write(replace(doc, articles=some), settings), doc.articles
    )
    for archived, reason in broken:
        await report(app, archived.article.id, f"left out of the partner feed {url}: {reason}")
    left_out = {a.article.id for a, _ in broken}
    return body, [a for a in found if a.article.id not in left_out]


def _without_withheld_pictures(archived: ArchivedArticle) -> ArchivedArticle:
    image = archived.article.image
    if image is None or image.syndication:
        return archived
    return replace(archived, article=replace(archived.article, image=None))
