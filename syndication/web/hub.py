"""The embedded WebSub hub's work (W3C WebSub, section 5): verifying subscriptions with
their subscribers and delivering each changed feed to them. Its HTTP side, POST /websub,
is web/hub_routes.py.

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
import logging
import secrets
import socket
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import aiohttp

from syndication.archive import subscriptions
from syndication.archive.fanout import Committed
from syndication.archive.partners import PartnerStore
from syndication.archive.queries import Archive
from syndication.archive.side_writes import Writes
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import NotFound
from syndication.publish.feed_document import FORMATS
from syndication.publish.feed_service import Feeds
from syndication.publish.urls import partner_feed_of_url, scope_of_url
from syndication.web.outbound import Outbound, is_public

log = logging.getLogger("syndication.websub")
MAX_ANSWER_BYTES = 4096  # of a callback's answer to a challenge: the echo is 32 characters


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
        raise CallbackRefused("the host of hub.callback cannot be resolved") from None
    for *_, address in found:
        if not is_public(str(address[0])):
            # Which address it is stays unsaid: the hub must not look up internal names.
            raise CallbackRefused("hub.callback is not a public address")


async def _read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The start of an answer, never more: a callback answering 600 MB is read for 4 KB."""
    data = b""
    while len(data) < limit and (chunk := await response.content.read(limit - len(data))):
        data += chunk
    return data


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Asked:
    """A subscription request, as it waits for the subscriber to confirm it."""

    mode: str  # subscribe | unsubscribe
    topic: str
    callback: str
    lease: int
    secret: str | None
    partner_id: int | None = None  # a partner subscribing to its own feed


class Hub:
    def __init__(
        self,
        settings: Settings,
        archive: Archive,
        writes: Writes,
        feeds: Feeds,
        out: Outbound,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.archive = archive
        self.writes = writes
        self.feeds = feeds
        self._out = out  # public addresses only, unless the settings allow private callbacks
        self.delivered = 0
        self.failed = 0

    @staticmethod
    def outbound(settings: Settings) -> Outbound:
        """The client the hub calls subscribers with."""
        return Outbound(
            15,
            "syndication WebSub hub",
            public_only=not settings.websub_allow_private_callbacks,
        )

    async def settled(self) -> None:
        """Until every verification and delivery the hub has begun has ended: what a test
        waits for before saying that something was not sent."""
        await self._out.settled()

    # -- subscribing ------------------------------------------------------------------------

    def lease(self, asked: int) -> int:
        """The lease granted for `asked` seconds (0: none asked for)."""
        s = self.settings
        if not asked:
            return s.websub_lease_seconds
        return max(s.websub_min_lease_seconds, min(s.websub_max_lease_seconds, asked))

    def verify_later(self, asked: Asked) -> None:
        self._out.spawn(self._verify(asked))

    async def _verify(self, asked: Asked) -> None:
        """Ask the subscriber to confirm (WebSub 5.3); only then does the request count."""
        mode, topic, callback, lease = asked.mode, asked.topic, asked.callback, asked.lease
        secret, partner_id = asked.secret, asked.partner_id
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
                body = (await _read_at_most(response, MAX_ANSWER_BYTES)).decode(errors="replace")
                confirmed = 200 <= response.status < 300 and body.strip() == challenge
        except (aiohttp.ClientError, TimeoutError, CallbackRefused) as exc:
            log.warning("could not verify %s of %s for %s: %s", mode, callback, topic, exc)
            return
        if not confirmed:
            log.info("%s of %s for %s not confirmed", mode, callback, topic)
            return
        now = self.clock.now()
        if mode == "subscribe":
            if over_caps(
                self.settings, await self.archive.subscriptions.counts(topic, callback, now)
            ):
                log.warning("not keeping %s for %s: the hub is at its caps", callback, topic)
                return
            until = now + timedelta(seconds=lease)
            await self.writes.write(
                lambda conn: subscriptions.save(
                    conn, topic, callback, secret, until, now, partner_id
                )
            )
        else:
            await self.writes.write(lambda conn: subscriptions.remove(conn, topic, callback))
        log.info("%s confirmed: %s for %s", mode, callback, topic)

    # -- distributing -----------------------------------------------------------------------

    def changed(self, change: Committed) -> None:
        """A subscriber of the change fan-out: deliver what the change altered."""
        if change.articles:
            self._out.spawn(self._distribute(list(change.articles)))

    async def _distribute(self, article_ids: list[str]) -> None:
        """Each subscriber of a feed these changes alter gets its new content: the public
        feed as it is, or a partner's own feed rendered for that partner alone."""
        now = self.clock.now()
        topics = await self.feeds.changed_feeds(article_ids)
        topics += await self.feeds.changed_partner_feeds(article_ids)
        subscribers = await self.archive.subscriptions.active(topics, now)
        public: dict[str, tuple[bytes, str] | None] = {}
        sends: list[Awaitable[object]] = []
        for sub in subscribers:
            if sub.partner_id is not None:
                sends.append(self._deliver_to_partner(sub))
                continue
            if sub.topic not in public:
                public[sub.topic] = await self._public_feed(sub.topic)
            if (rendered := public[sub.topic]) is not None:
                sends.append(self._deliver(sub.topic, sub.callback, sub.secret, *rendered))
        await asyncio.gather(*sends)

    async def _public_feed(self, topic: str) -> tuple[bytes, str] | None:
        found = scope_of_url(self.settings, topic)
        if found is None:
            return None
        try:
            built = await self.feeds.build(*found)
        except NotFound:
            return None
        return built.body, built.content_type

    async def _deliver_to_partner(self, sub: subscriptions.Subscription) -> None:
        """A partner's feed, rendered for the partner as it is entitled now; a revoked key
        or a lost entitlement ends the subscription instead."""
        partner = await self.archive.partners.by_id(sub.partner_id or 0)
        feed = partner_feed_of_url(self.settings, sub.topic)
        if partner is None or partner.revoked or feed is None or not partner.entitled(*feed[:2]):
            await self.writes.write(
                lambda conn: subscriptions.remove(conn, sub.topic, sub.callback)
            )
            return
        body, carried = await self.feeds.for_partner(partner, *feed)
        content_type = FORMATS[feed[2]]
        if await self._deliver(sub.topic, sub.callback, sub.secret, body, content_type):
            rows = [(a.article.id, a.version, "usable") for a in carried]
            await self.writes.write(
                lambda conn: PartnerStore(conn, self.clock).record(partner.id, rows, "websub")
            )

    async def _deliver(
        self, topic: str, callback: str, secret: str | None, body: bytes, content_type: str
    ) -> bool:
        """POST the content until the subscriber takes it; True when it did."""
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
                        return True
                    if response.status == 410:  # the subscriber is gone for good
                        await self.writes.write(
                            lambda conn: subscriptions.remove(conn, topic, callback)
                        )
                        return False
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
        return False

    async def _record(self, topic: str, callback: str, *, ok: bool) -> None:
        await self.writes.write(lambda conn: subscriptions.record(conn, topic, callback, ok=ok))


def over_caps(s: Settings, found: subscriptions.Counts) -> str | None:
    """Which cap a new subscription would pass ("100 callbacks on this host"), or None.
    Checked when asked and again before a verified one is kept (many may be in flight)."""
    if found.renewal:
        return None
    for count, cap, what in (
        (found.host, s.websub_max_per_host, "callbacks on this host"),
        (found.topic, s.websub_max_per_topic, "subscribers to this feed"),
        (found.total, s.websub_max_subscriptions, "subscriptions to this hub"),
    ):
        if count >= cap:
            return f"{count} {what}"
    return None
