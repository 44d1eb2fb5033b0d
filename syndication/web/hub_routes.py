"""POST /websub: subscription requests to the embedded WebSub hub (W3C WebSub, 5.1),
checked here and handed to the hub (web/hub.py), which verifies and delivers."""

from __future__ import annotations

from aiohttp import web

from syndication.publish.routes import ROUTES
from syndication.publish.urls import partner_feed_of_url, scope_of_url
from syndication.web import params
from syndication.web.api import partner_of
from syndication.web.hub import Asked, CallbackRefused, check_callback, over_caps
from syndication.web.services import services

routes = web.RouteTableDef()
MAX_SECRET_BYTES = 200  # WebSub: a secret MUST be less than 200 bytes


@routes.post(ROUTES["websub"])
async def websub(request: web.Request) -> web.Response:
    """Subscription requests (WebSub 5.1): answered 202 at once, verified afterwards.

    A topic may be a public feed, or a partner's own feed (/api/v1/feeds/...): that request
    carries the partner's key, as a GET of the feed would, and deliveries carry only what
    the partner is entitled to."""
    settings = services(request).settings
    if not settings.websub_hub:
        raise web.HTTPNotFound(text="This site runs no WebSub hub.")
    form = await params.form(request)
    mode = str(form.get("hub.mode", ""))
    topic = str(form.get("hub.topic", ""))
    callback = str(form.get("hub.callback", ""))
    if mode not in ("subscribe", "unsubscribe"):
        raise web.HTTPBadRequest(text="hub.mode must be subscribe or unsubscribe.")
    partner_id = await _partner_topic(request, topic, callback)
    if partner_id is None and scope_of_url(settings, topic) is None:
        raise web.HTTPBadRequest(
            text=f"hub.topic must be one of this site's feeds, such as "
            f"{settings.absolute('/' + settings.default_edition + '/feed.atom')}, or, with a "
            "partner key, a partner feed such as "
            f"{settings.absolute('/api/v1/feeds/' + settings.default_edition + '/world.atom')}."
        )
    try:
        await check_callback(callback, settings.websub_allow_private_callbacks)
    except CallbackRefused as exc:
        raise web.HTTPBadRequest(text=f"{exc}.") from None
    if mode == "subscribe":
        await _within_caps(request, topic, callback)
    secret = str(form["hub.secret"]) if form.get("hub.secret") else None
    if secret is not None and len(secret.encode()) >= MAX_SECRET_BYTES:
        raise web.HTTPBadRequest(text="hub.secret must be shorter than 200 bytes.")
    asked = params.whole_number(
        str(form.get("hub.lease_seconds", "")), "hub.lease_seconds", 0, 10**9, 0
    )
    hub = services(request).hub
    hub.verify_later(Asked(mode, topic, callback, hub.lease(asked), secret, partner_id))
    return web.Response(status=202, text="Accepted; the callback will be asked to confirm.")


async def _within_caps(request: web.Request, topic: str, callback: str) -> None:
    """A new subscription only while the hub is within its caps: one edit sends a POST to
    every subscriber, so their number is what an edit costs. Renewals always pass."""
    now = services(request).clock.now()
    found = await services(request).archive.subscriptions.counts(topic, callback, now)
    if (reached := over_caps(services(request).settings, found)) is not None:
        raise web.HTTPTooManyRequests(
            text=f"There are {reached}, the most this hub keeps; unsubscribe one or try "
            "again when a lease has run out.",
            headers={"Retry-After": "3600"},
        )


async def _partner_topic(request: web.Request, topic: str, callback: str) -> int | None:
    """The partner subscribing to its own feed (checked like a GET of it), or None for a
    public topic."""
    feed = partner_feed_of_url(services(request).settings, topic)
    if feed is None:
        return None
    partner = await partner_of(request)
    edition, section, _ = feed
    if not partner.entitled(edition, section):
        raise web.HTTPForbidden(
            text=f"This key is not entitled to the section {section!r} in {edition!r}."
        )
    holder = await services(request).archive.subscriptions.partner_of(topic, callback)
    if holder is not None and holder != partner.id:
        raise web.HTTPForbidden(text="This callback is subscribed to that feed with another key.")
    return partner.id
