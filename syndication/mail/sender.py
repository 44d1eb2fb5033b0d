"""Making digests and delivering them, exactly once a recipient, at the rate the relay takes.

A digest is made when its list is due (its time of day has passed since its last send, or,
for breaking news, a story marked `alert: true` came out) and only when its scope has
stories: the stories published since the list's place in the change log. Making it writes
one delivery row for each member (archive/newsletters.py); delivering walks those rows:

- each row is marked `sending` before its mail is handed over and `sent` when the relay
  took it; a process stopped in between leaves `sending` rows, tried again when any
  process resumes the send. The outbox knows whether a mail is there; a relay cannot say,
  and a kill in the instant between its acceptance and the `sent` commit (RFC 1047's
  window, microseconds) sends that one mail again.
- a recipient unsubscribed, deleted or suppressed since the digest was made is skipped;
- a temporary failure (4xx, no answer) is tried again later, after `send_retry_seconds`
  doubled at each try, up to `send_attempts`; a permanent one (5xx) gives the address up
  (suppressed as bounced).

One process of a machine sends at a time (an OS lock in the runtime folder, released when
the process ends however it ends): a command and a server never hand over the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from syndication.archive import newsletters as store
from syndication.clock import Clock
from syndication.config import Settings
from syndication.mail import tokens
from syndication.mail.addresses import BadAddress, checked_address
from syndication.mail.lists import UnknownList, last_due, parse_list
from syndication.mail.message import digest_mail, sender_address
from syndication.mail.transport import (
    MessageRefused,
    PermanentFailure,
    RelayRefused,
    TemporaryFailure,
    Transport,
    Uncertain,
)
from syndication.model import FeedKind, NewsletterList
from syndication.publish import newsletter
from syndication.runtime import runtime_file

log = logging.getLogger("syndication.mail")
T = TypeVar("T")
BATCH = 200  # delivery rows read at a time


class OnItsThread:
    """An archive connection used from a thread of its own: each call queued after the one
    before, and the connection closed there, after them. (A coroutine cancelled while its
    query runs leaves the query running: closing the connection under it from another thread
    crashed the process.)"""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsletters")

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, functools.partial(fn, self.conn, *args))

    async def close(self) -> None:
        closing = self._thread.submit(self.conn.close)
        self._thread.shutdown(wait=False)
        await asyncio.wrap_future(closing)


class SendingElsewhere(Exception):
    """Another process of this machine is sending newsletters now."""


@contextlib.contextmanager
def sending_lock(settings: Settings) -> Iterator[None]:
    path = runtime_file(settings.db_path, "newsletter-sender.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendingElsewhere("another process is sending newsletters now") from None
        yield


def scope_name(
    conn: sqlite3.Connection, settings: Settings, newsletter_list: NewsletterList
) -> str:
    """A scope as readers know it: the section's, topic's or author's name."""
    scope = newsletter_list.scope
    if scope.kind is FeedKind.ALL:
        return settings.edition(scope.edition).name
    if scope.kind is FeedKind.SECTION:
        found = settings.section(scope.key)
        return found.name(scope.edition) if found else scope.key
    table = "article_topics" if scope.kind is FeedKind.TOPIC else "article_authors"
    row = conn.execute(f"SELECT name FROM {table} WHERE slug = ? LIMIT 1", (scope.key,)).fetchone()
    return str(row[0]) if row else scope.key


def web_copy_url(settings: Settings, newsletter_list: NewsletterList, send_id: int) -> str:
    return settings.absolute(f"/{newsletter_list.scope.edition}/newsletters/{send_id}")


def render(
    conn: sqlite3.Connection,
    settings: Settings,
    newsletter_list: NewsletterList,
    stories: list[store.DigestStory],
    send_id: int,
    now: datetime,
) -> newsletter.Digest:
    return newsletter.digest(
        settings,
        newsletter_list.scope,
        scope_name(conn, settings, newsletter_list),
        newsletter_list.cadence,
        stories,
        web_copy_url(settings, newsletter_list, send_id),
        now,
    )


def pending_stories(
    conn: sqlite3.Connection, newsletter_list: NewsletterList
) -> tuple[list[store.DigestStory], tuple[int, int]] | None:
    """The stories the list's next digest holds, and the change-log range they come from;
    None when the list has no confirmed member yet."""
    found = store.position(conn, newsletter_list.name)
    if found is None:
        return None
    after = found[0]
    upto = store.current_seq(conn)
    stories = store.stories_since(
        conn, newsletter_list.scope, after, upto, alerts_only=newsletter_list.is_alert
    )
    return stories, (after, upto)


def next_digest(
    conn: sqlite3.Connection, settings: Settings, newsletter_list: NewsletterList, now: datetime
) -> newsletter.Digest:
    """What the list's next digest holds now, for a preview: or, before the list has a
    member, what it would hold of its scope's latest stories."""
    pending = pending_stories(conn, newsletter_list)
    if pending is None:
        upto = store.current_seq(conn)
        stories = store.stories_since(
            conn, newsletter_list.scope, max(0, upto - 200), upto, newsletter_list.is_alert
        )
    else:
        stories = pending[0]
    return render(conn, settings, newsletter_list, stories, 0, now)


def make_send(
    conn: sqlite3.Connection, settings: Settings, newsletter_list: NewsletterList, now: datetime
) -> int | None:
    """Make the list's digest now: its send id, or None when its scope has no new story
    (the list is moved on all the same) or no member."""
    pending = pending_stories(conn, newsletter_list)
    if pending is None:
        return None
    stories, seq_range = pending
    if not stories or not store.members(conn, newsletter_list.name):  # nothing, or no one
        store.atomically(conn, store.move_list, newsletter_list.name, seq_range[1], now)
        return None

    def made(send_id: int) -> store.Rendered:
        digest = render(conn, settings, newsletter_list, stories, send_id, now)
        marks = digest.marks
        # the marks are kept with the bytes: each recipient's links replace them
        html = digest.html.replace(marks.unsubscribe, "%%unsubscribe%%").replace(
            marks.preferences, "%%preferences%%"
        )
        text = digest.text.replace(marks.unsubscribe, "%%unsubscribe%%").replace(
            marks.preferences, "%%preferences%%"
        )
        return store.Rendered(digest.subject, html, text, digest.web_html, digest.stories)

    send_id, recipients = store.atomically(
        conn, store.record_send, newsletter_list.name, seq_range, made, now
    )
    log.info("digest %s of %s: %s recipients", send_id, newsletter_list.name, recipients)
    return send_id


def due_lists(conn: sqlite3.Connection, settings: Settings, now: datetime) -> list[NewsletterList]:
    """Every list with members whose digest is due: its time of day passed since it was
    last sent; and every breaking-news list (it holds only what came out since)."""
    due = []
    for name in store.lists_with_members(conn):
        try:
            newsletter_list = parse_list(name, settings)
        except UnknownList:
            continue  # no longer offered by the settings: its members keep it, unsent
        found = store.position(conn, name)
        if found is None:
            continue
        when = last_due(newsletter_list, settings, now)
        if when is None or when > found[1]:
            due.append(newsletter_list)
    return due


@dataclass
class Delivered:
    send_id: int
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""  # why the send stopped before its end (the relay refuses us)


async def deliver(
    db: OnItsThread,
    settings: Settings,
    send_id: int,
    transport: Transport,
    clock: Clock,
    *,
    until_done: bool = False,
) -> Delivered:
    """Hand over every mail of the send that is due now (and, `until_done`, wait for the
    retries too). The caller holds `sending_lock`."""
    report = Delivered(send_id)
    send = await db(store.send_by_id, send_id)
    if send is None:
        return report
    newsletter_list = parse_list(send.list, settings)
    edition = settings.edition(newsletter_list.scope.edition)
    title = newsletter.list_title(
        settings, edition, newsletter_list.scope, newsletter_list.scope.key, newsletter_list.cadence
    )
    secret = await db(store.atomically, store.secret)
    await db(store.atomically, store.resume_interrupted, send_id)
    digest = newsletter.Digest(
        send.made.subject,
        "",
        send.made.html,
        send.made.text,
        "",
        send.made.stories,
        newsletter.Marks("%%unsubscribe%%", "%%preferences%%"),
    )
    interval = 1.0 / settings.send_rate
    next_slot = time.monotonic()
    while True:
        batch = await db(store.due_deliveries, send_id, clock.time(), BATCH)
        if not batch:
            retry = await db(store.next_retry, send_id)
            if retry is None or not until_done:
                break
            await asyncio.sleep(max(0.0, min(retry - clock.time(), 3600.0)))
            continue
        for delivery in batch:
            name = f"digest-{send_id}-{delivery.subscriber.id}"
            if transport.handed_over(name):  # the outbox has it: a stopped run wrote it
                await db(store.atomically, store.delivered, delivery, send.list, clock.now())
                report.sent += 1
                continue
            if not await db(store.atomically, store.claim, delivery, send.list):
                report.skipped += 1
                continue
            await asyncio.sleep(max(0.0, next_slot - time.monotonic()))
            next_slot = max(next_slot, time.monotonic()) + interval
            try:
                await _hand_over(
                    db,
                    settings,
                    transport,
                    clock,
                    send,
                    digest,
                    title,
                    edition.language,
                    secret,
                    delivery,
                    name,
                    report,
                )
            except RelayRefused as refused:
                report.stopped = f"the relay refuses us: {refused}"
                log.error("digest %s stopped: the relay refuses us: %s", send_id, refused)
                return report
    await db(store.atomically, store.finish_if_done, send_id, clock.now())
    return report


async def _hand_over(
    db: OnItsThread,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    send: store.Send,
    digest: newsletter.Digest,
    title: str,
    language: str,
    secret: str,
    delivery: store.Delivery,
    name: str,
    report: Delivered,
) -> None:
    subscriber = delivery.subscriber
    try:
        recipient = checked_address(subscriber.address).sent_to
        token = tokens.subscriber_link(secret, subscriber.id, subscriber.key)
        message = digest_mail(
            settings,
            digest,
            send.list,
            title,
            recipient,
            language,
            token,
            (send.id, subscriber.id),
            clock.now(),
        )
        await transport.send(message, sender_address(settings), recipient, name)
    except TemporaryFailure as failure:
        attempts = delivery.attempts + 1
        retry_at = None
        if attempts < settings.send_attempts:
            retry_at = clock.time() + settings.send_retry_seconds * 2 ** (attempts - 1)
        await db(store.atomically, store.not_delivered, delivery, send.list, str(failure), retry_at)
        if retry_at is None:
            report.failed += 1
        else:
            report.deferred += 1
        report.errors.append(str(failure))
        log.warning("digest %s to subscriber %s: %s", send.id, subscriber.id, failure)
    except RelayRefused:
        await db(store.atomically, store.unclaim, delivery)  # not this recipient's doing
        raise
    except (PermanentFailure, MessageRefused, Uncertain, BadAddress, ValueError) as failure:
        await db(store.atomically, store.not_delivered, delivery, send.list, str(failure), None)
        if isinstance(failure, PermanentFailure):
            await db(store.atomically, store.suppress, subscriber.address, "bounced", clock.now())
        report.failed += 1
        report.errors.append(str(failure))
        log.warning("digest %s to subscriber %s failed: %s", send.id, subscriber.id, failure)
    else:
        await db(store.atomically, store.delivered, delivery, send.list, clock.now())
        report.sent += 1
