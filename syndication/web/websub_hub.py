"""The embedded WebSub hub (W3C WebSub, section 5) for our public feeds, at POST /websub.

Subscribing and unsubscribing are verified with the subscriber (a GET with hub.challenge)
before they count; leases are finite and renewed by subscribing again; with hub.secret every
delivery is signed (`X-Hub-Signature: sha256=...`). Each change that alters a feed sends its
new content to the feed's subscribers, retried with doubling waits. Callbacks on private,
loopback or link-local addresses are refused unless the settings allow them, so the hub
cannot be used to reach into the newsroom's network.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import aiohttp
from aiohttp import web

from syndication.archive import subscriptions
from syndication.archive.feed_queries import feed_urls_of
from syndication.config import Settings
from syndication.web.feeds import build_feed, scope_of_url
from syndication.web.keys import ARCHIVE, CLOCK, HUB, SETTINGS, WRITES
from syndication.web.outbound import Outbound

log = logging.getLogger("syndication.websub")
routes = web.RouteTableDef()
MAX_SECRET_BYTES = 200  # WebSub: a secret MUST be less than 200 bytes


class CallbackRefused(Exception):
    """A callback the hub will not call."""


async def check_callback(url: str, allow_private: bool) -> None:
    """Refuse URLs that are not http(s), and hosts that resolve to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("hub.callback must be an http or https URL")
    if parts.username or parts.password:
        raise CallbackRefused("hub.callback must not carry a user name or password")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except (OSError, ValueError):
        raise CallbackRefused(f"the host {parts.hostname!r} cannot be resolved") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise CallbackRefused(f"hub.callback resolves to {ip}, which is not a public address")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Hub:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.settings: Settings = app[SETTINGS]
        self._out = Outbound(15, "syndication WebSub hub")
        self.delivered = 0
        self.failed = 0

    async def start(self) -> None:
        await self._out.start()

    async def close(self) -> None:
        await self._out.close()

    # -- subscribing ------------------------------------------------------------------------

    def lease(self, asked: str | None) -> int:
        s = self.settings
        if not asked:
            return s.websub_lease_seconds
        return max(s.websub_min_lease_seconds, min(s.websub_max_lease_seconds, int(asked)))

    def verify_later(
        self, mode: str, topic: str, callback: str, lease: int, secret: str | None
    ) -> None:
        self._out.spawn(self._verify(mode, topic, callback, lease, secret))

    async def _verify(
        self, mode: str, topic: str, callback: str, lease: int, secret: str | None
    ) -> None:
        """Ask the subscriber to confirm (WebSub 5.3); only then does the request count."""
        challenge = secrets.token_urlsafe(24)
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(lease)
        joiner = "&" if urlsplit(callback).query else "?"
        try:
            await check_callback(callback, self.settings.websub_allow_private_callbacks)
            async with self._out.session.get(
                callback + joiner + urlencode(query), allow_redirects=False
            ) as response:
                body = (await response.read())[:1024].decode(errors="replace")
                confirmed = 200 <= response.status < 300 and body.strip() == challenge
        except (aiohttp.ClientError, TimeoutError, CallbackRefused) as exc:
            log.warning("could not verify %s of %s for %s: %s", mode, callback, topic, exc)
            return
        if not confirmed:
            log.info("%s of %s for %s not confirmed", mode, callback, topic)
            return
        now = datetime.now(UTC)
        if mode == "subscribe":
            until = now + timedelta(seconds=lease)
            await self.app[WRITES].write(
                lambda conn: subscriptions.save(conn, topic, callback, secret, until, now)
            )
        else:
            await self.app[WRITES].write(lambda conn: subscriptions.remove(conn, topic, callback))
        log.info("%s confirmed: %s for %s", mode, callback, topic)

    # -- distributing -----------------------------------------------------------------------

    def changed(self, article_ids: Iterable[str]) -> None:
        """Called after each ingest batch with the articles that changed publicly."""
        ids = sorted(set(article_ids))
        if ids:
            self._out.spawn(self._distribute(ids))

    async def _distribute(self, article_ids: list[str]) -> None:
        now = datetime.now(UTC)
        topics = await feed_urls_of(self.app[ARCHIVE], self.settings, article_ids)
        subscribers = await subscriptions.active(self.app[ARCHIVE], topics, now)
        bodies: dict[str, tuple[bytes, str]] = {}
        for topic in {s.topic for s in subscribers}:
            found = scope_of_url(self.settings, topic)
            if found is None:
                continue
            scope, fmt = found
            try:
                rendered = await build_feed(self.app, scope, fmt, "", self.app[CLOCK].seq)
            except web.HTTPNotFound:
                continue
            bodies[topic] = (rendered.body, rendered.content_type)
        await asyncio.gather(
            *(
                self._deliver(s.topic, s.callback, s.secret, *bodies[s.topic])
                for s in subscribers
                if s.topic in bodies
            )
        )

    async def _deliver(
        self, topic: str, callback: str, secret: str | None, body: bytes, content_type: str
    ) -> None:
        headers = {
            "Content-Type": content_type,
            "Link": f'<{self.settings.hub_url}>; rel="hub", <{topic}>; rel="self"',
        }
        if secret:
            headers["X-Hub-Signature"] = signature(secret, body)
        wait = self.settings.websub_retry_seconds
        for attempt in range(self.settings.websub_attempts):
            try:
                await check_callback(callback, self.settings.websub_allow_private_callbacks)
                async with self._out.session.post(
                    callback, data=body, headers=headers, allow_redirects=False
                ) as response:
                    if 200 <= response.status < 300:
                        self.delivered += 1
                        await self._record(topic, callback, ok=True)
                        return
                    if response.status == 410:  # the subscriber is gone for good
                        await self.app[WRITES].write(
                            lambda conn: subscriptions.remove(conn, topic, callback)
                        )
                        return
                    log.warning("%s answered %d for %s", callback, response.status, topic)
            except CallbackRefused as exc:
                log.warning("not delivering to %s: %s", callback, exc)
                break
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("delivery to %s failed (%d): %s", callback, attempt + 1, exc)
            if attempt + 1 < self.settings.websub_attempts:
                await asyncio.sleep(wait * 2**attempt)
        self.failed += 1
        await self._record(topic, callback, ok=False)

    async def _record(self, topic: str, callback: str, *, ok: bool) -> None:
        await self.app[WRITES].write(
            lambda conn: subscriptions.record(conn, topic, callback, ok=ok)
        )


@routes.post("/websub")
async def websub(request: web.Request) -> web.Response:
    """Subscription requests (WebSub 5.1): answered 202 at once, verified afterwards."""
    settings = request.app[SETTINGS]
    if not settings.websub_hub or HUB not in request.app:
        raise web.HTTPNotFound(text="This site runs no WebSub hub.")
    form = await request.post()
    mode = str(form.get("hub.mode", ""))
    topic = str(form.get("hub.topic", ""))
    callback = str(form.get("hub.callback", ""))
    if mode not in ("subscribe", "unsubscribe"):
        raise web.HTTPBadRequest(text="hub.mode must be subscribe or unsubscribe.")
    found = scope_of_url(settings, topic)
    if found is None:
        raise web.HTTPBadRequest(
            text=f"hub.topic must be one of this site's feeds, such as "
            f"{settings.absolute('/' + settings.default_edition + '/feed.atom')}."
        )
    try:
        await check_callback(callback, settings.websub_allow_private_callbacks)
    except CallbackRefused as exc:
        raise web.HTTPBadRequest(text=f"{exc}.") from None
    secret = str(form["hub.secret"]) if form.get("hub.secret") else None
    if secret is not None and len(secret.encode()) >= MAX_SECRET_BYTES:
        raise web.HTTPBadRequest(text="hub.secret must be shorter than 200 bytes.")
    asked = str(form.get("hub.lease_seconds", "")) or None
    if asked is not None and not asked.isdigit():
        raise web.HTTPBadRequest(text="hub.lease_seconds must be a whole number of seconds.")
    hub = request.app[HUB]
    hub.verify_later(mode, topic, callback, hub.lease(asked), secret)
    return web.Response(status=202, text="Accepted; the callback will be asked to confirm.")
