"""Full-text partner feeds: /api/v1/feeds/{edition}/{section}.atom and .rss, behind the
partner's key (Basic works for importers that know nothing else).

The same documents as the public feeds, with what partners need and the public may not get:
the whole text, the rights on every entry, and only pictures that may travel.
"""

from __future__ import annotations

from aiohttp import web

from syndication.model import FeedKind, FeedScope
from syndication.publish import machine_rights
from syndication.publish.feed_document import MEDIA_TYPES
from syndication.publish.routes import ROUTES
from syndication.web.api import NO_STORE, RATE_HEADERS, log_deliveries, partner_of
from syndication.web.services import services

routes = web.RouteTableDef()


@routes.get(ROUTES["partner_feed"])
async def partner_feed(request: web.Request) -> web.Response:
    partner = await partner_of(request)
    settings = services(request).settings
    edition, section, fmt = (request.match_info[k] for k in ("edition", "section", "fmt"))
    if not settings.has_edition(edition) or settings.section(section) is None:
        raise web.HTTPNotFound(text="There is no such edition or section.")
    if not partner.entitled(edition, section):
        raise web.HTTPForbidden(
            text=f"This key is not entitled to the section {section!r} in {edition!r}."
        )
    feeds = services(request).feeds
    body, found = await feeds.for_partner(partner, edition, section, fmt)
    await log_deliveries(request, partner, [("usable", a) for a in found], "feed")
    policy = feeds.carried_policy(FeedScope(edition, FeedKind.SECTION, section), found)
    return web.Response(
        body=body,
        content_type=MEDIA_TYPES[fmt],
        charset="utf-8",
        headers={
            **NO_STORE,
            **request.get(RATE_HEADERS, {}),
            **machine_rights.headers(settings, policy),
            "Link": ", ".join(machine_rights.licence_links(settings)),
        },
    )
