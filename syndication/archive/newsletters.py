"""Newsletters in the archive: subscribers and their consent, each list's place in the
change log, the digests sent and the delivery log (migration 0020).

Plain functions over a connection, each meant to be one transaction of the caller's (a
side write of a serving process, or `atomically` on a command's appender connection).
Nothing here sends mail (syndication/mail/).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from syndication.archive import bodies
from syndication.archive.column_values import from_iso, image_from_json, to_iso
from syndication.archive.feed_queries import in_scope_of
from syndication.archive.previews import ensure_secret
from syndication.archive.schema import transaction
from syndication.model import FeedScope, Image

T = TypeVar("T")
SECRET = "newsletter_secret"
EVENTS = ("sent", "deferred", "failed", "bounced", "complained", "unsubscribed")
MAX_STORIES = 200  # of one digest: past what the mail shows, the web copy has them all


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    address: str
    edition: str
    key: str
    suppressed: str | None


@dataclass(frozen=True, slots=True)
class Signup:
    """A list asked for, to be confirmed by the link of one mail: to whom, asked when."""

    subscriber: Subscriber
    list: str
    asked: datetime


@dataclass(frozen=True, slots=True)
class DigestStory:
    id: str
    path: str
    title: str
    standfirst: str
    published: datetime
    authors: tuple[str, ...]
    image: Image | None
    source: str
    syndication: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    send_id: int
    subscriber: Subscriber
    attempts: int


def atomically(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    """`fn(conn, *args)` in one transaction of its own."""
    with transaction(conn):
        return fn(conn, *args)


def secret(conn: sqlite3.Connection) -> str:
    return ensure_secret(conn, SECRET)


def subscriber_by_id(conn: sqlite3.Connection, subscriber: int) -> Subscriber | None:
    row = conn.execute(
        "SELECT id, address, edition, key, suppressed FROM newsletter_subscribers WHERE id = ?",
        (subscriber,),
    ).fetchone()
    return Subscriber(*row) if row else None


def subscriber_by_address(conn: sqlite3.Connection, address: str) -> Subscriber | None:
    row = conn.execute(
        "SELECT id, address, edition, key, suppressed FROM newsletter_subscribers "
        "WHERE address = ?",
        (address,),
    ).fetchone()
    return Subscriber(*row) if row else None


def request_subscription(
    conn: sqlite3.Connection,
    address: str,
    edition: str,
    lists: Iterable[str],
    form: str,
    now: datetime,
    mails_per_day: int,
) -> list[Signup]:
    """Record a sign-up (consent asked: when, which form, which list) and say which
    confirmation mails to send: none to an address that bounced or complained, none for a
    list it already receives, and no more than `mails_per_day` a day to one address,
    whoever fills in the form."""
    stamp = to_iso(now)
    conn.execute(
        "INSERT OR IGNORE INTO newsletter_subscribers (address, edition, key, created_at) "
        "VALUES (?, ?, ?, ?)",
        (address, edition, secrets.token_hex(16), stamp),
    )
    found = subscriber_by_address(conn, address)
    assert found is not None
    if found.suppressed:
        return []
    day_ago = to_iso(datetime.fromtimestamp(now.timestamp() - 86_400, now.tzinfo))
    (mailed_today,) = conn.execute(
        "SELECT count(*) FROM newsletter_consents WHERE subscriber_id = ? "
        "AND event = 'confirmation mailed' AND at > ?",
        (found.id, day_ago),
    ).fetchone()
    if mailed_today >= mails_per_day:
        return []
    signups = []
    for name in lists:
        confirmed = conn.execute(
            "SELECT 1 FROM newsletter_subscriptions WHERE subscriber_id = ? AND list = ? "
            "AND confirmed_at IS NOT NULL",
            (found.id, name),
        ).fetchone()
        if confirmed:
            continue
        conn.execute(
            "INSERT OR REPLACE INTO newsletter_subscriptions "
            "(subscriber_id, list, form, requested_at, confirmed_at) VALUES (?, ?, ?, ?, NULL)",
            (found.id, name, form, stamp),
        )
        _event(conn, found.id, now, "requested", name, f"form: {form}")
        signups.append(Signup(found, name, from_iso(stamp)))
    if signups:  # one mail confirms every list asked for at once
        _event(conn, found.id, now, "confirmation mailed")
    return signups


def confirm(conn: sqlite3.Connection, subscriber: int, asked: datetime, now: datetime) -> list[str]:
    """Confirm the sign-up the link was sent for: the lists it asked for (confirmed now, or
    already); none when that sign-up is gone (unsubscribed since, or asked again and
    another link sent)."""
    rows = conn.execute(
        "SELECT list, confirmed_at FROM newsletter_subscriptions "
        "WHERE subscriber_id = ? AND requested_at = ?",
        (subscriber, to_iso(asked)),
    ).fetchall()
    seq = current_seq(conn)
    for list_name, confirmed_at in rows:
        if confirmed_at is not None:
            continue
        conn.execute(
            "UPDATE newsletter_subscriptions SET confirmed_at = ? "
            "WHERE subscriber_id = ? AND list = ?",
            (to_iso(now), subscriber, list_name),
        )
        _event(conn, subscriber, now, "confirmed", list_name)
        # a new list starts from now: its first digest holds what comes out after it
        conn.execute(
            "INSERT OR IGNORE INTO newsletter_lists (list, last_seq, last_sent_at) "
            "VALUES (?, ?, ?)",
            (list_name, seq, to_iso(now)),
        )
    return [list_name for list_name, _ in rows]


def add_confirmed(
    conn: sqlite3.Connection, subscriber: int, lists: Iterable[str], form: str, now: datetime
) -> None:
    """Lists a subscriber chose on their own preferences page: reached by a link only their
    mailbox had, so confirmed as they are chosen."""
    seq = current_seq(conn)
    for list_name in lists:
        conn.execute(
            "INSERT OR IGNORE INTO newsletter_subscriptions "
            "(subscriber_id, list, form, requested_at, confirmed_at) VALUES (?, ?, ?, ?, ?)",
            (subscriber, list_name, form, to_iso(now), to_iso(now)),
        )
        _event(conn, subscriber, now, "confirmed", list_name, form)
        conn.execute(
            "INSERT OR IGNORE INTO newsletter_lists (list, last_seq, last_sent_at) "
            "VALUES (?, ?, ?)",
            (list_name, seq, to_iso(now)),
        )


def subscriptions_of(conn: sqlite3.Connection, subscriber: int) -> dict[str, bool]:
    """Each list the subscriber asked for, and whether it is confirmed."""
    return {
        name: confirmed is not None
        for name, confirmed in conn.execute(
            "SELECT list, confirmed_at FROM newsletter_subscriptions WHERE subscriber_id = ? "
            "ORDER BY list",
            (subscriber,),
        )
    }


def unsubscribe(
    conn: sqlite3.Connection, subscriber: int, lists: Iterable[str] | None, now: datetime, how: str
) -> int:
    """Stop the lists named (every list: None), at once; how many were stopped."""
    had = subscriptions_of(conn, subscriber)
    stopping = [name for name in (had if lists is None else lists) if name in had]
    for name in stopping:
        conn.execute(
            "DELETE FROM newsletter_subscriptions WHERE subscriber_id = ? AND list = ?",
            (subscriber, name),
        )
        _event(conn, subscriber, now, "unsubscribed", name, how)
        if had[name]:
            count(conn, name, "unsubscribed")
    return len(stopping)


def suppress(conn: sqlite3.Connection, address: str, reason: str, now: datetime) -> bool:
    """No more mail to the address (it bounced, or its owner complained); counted against
    each list it was on. False when no subscriber has that address."""
    found = subscriber_by_address(conn, address)
    if found is None:
        return False
    if found.suppressed is None:
        conn.execute(
            "UPDATE newsletter_subscribers SET suppressed = ?, suppressed_at = ? WHERE id = ?",
            (reason, to_iso(now), found.id),
        )
        _event(conn, found.id, now, "suppressed", "", reason)
        for name, confirmed in subscriptions_of(conn, found.id).items():
            if confirmed:
                count(conn, name, reason)
    return True


def everything_kept(conn: sqlite3.Connection, subscriber: int) -> dict[str, object] | None:
    """All the archive keeps about a subscriber, for them to download."""
    found = subscriber_by_id(conn, subscriber)
    if found is None:
        return None
    created, suppressed_at = conn.execute(
        "SELECT created_at, suppressed_at FROM newsletter_subscribers WHERE id = ?", (subscriber,)
    ).fetchone()
    return {
        "address": found.address,
        "edition": found.edition,
        "created": created,
        "suppressed": found.suppressed,
        "suppressed_at": suppressed_at,
        "subscriptions": _rows(
            conn,
            ("list", "form", "requested", "confirmed"),
            "SELECT list, form, requested_at, confirmed_at FROM newsletter_subscriptions "
            "WHERE subscriber_id = ? ORDER BY list",
            subscriber,
        ),
        "consent": _rows(
            conn,
            ("at", "event", "list", "detail"),
            "SELECT at, event, list, detail FROM newsletter_consents WHERE subscriber_id = ? "
            "ORDER BY at, rowid",
            subscriber,
        ),
        "mails": _rows(
            conn,
            ("digest", "list", "state", "sent"),
            "SELECT d.send_id, s.list, d.state, d.sent_at FROM newsletter_deliveries d "
            "JOIN newsletter_sends s ON s.id = d.send_id WHERE d.subscriber_id = ? "
            "ORDER BY d.send_id",
            subscriber,
        ),
    }


def _rows(
    conn: sqlite3.Connection, keys: tuple[str, ...], sql: str, subscriber: int
) -> list[dict[str, object]]:
    return [dict(zip(keys, row, strict=True)) for row in conn.execute(sql, (subscriber,))]


def delete_subscriber(conn: sqlite3.Connection, subscriber: int) -> bool:
    """Forget everything about a subscriber (their deliveries and consent go with them)."""
    return (
        conn.execute("DELETE FROM newsletter_subscribers WHERE id = ?", (subscriber,)).rowcount > 0
    )


def lists_with_members(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT DISTINCT list FROM newsletter_subscriptions WHERE confirmed_at IS NOT NULL "
            "ORDER BY list"
        )
    ]


def members(conn: sqlite3.Connection, list_name: str) -> int:
    (found,) = conn.execute(
        "SELECT count(*) FROM newsletter_subscriptions s JOIN newsletter_subscribers r "
        "ON r.id = s.subscriber_id WHERE s.list = ? AND s.confirmed_at IS NOT NULL "
        "AND r.suppressed IS NULL",
        (list_name,),
    ).fetchone()
    return int(found)


def position(conn: sqlite3.Connection, list_name: str) -> tuple[int, datetime] | None:
    """(last change-log seq sent, when) of a list: its last digest, or its first member's
    confirmation; None before that."""
    row = conn.execute(
        "SELECT last_seq, last_sent_at FROM newsletter_lists WHERE list = ?", (list_name,)
    ).fetchone()
    return (int(row[0]), from_iso(row[1])) if row else None


def current_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])


def stories_since(
    conn: sqlite3.Connection, scope: FeedScope, after_seq: int, upto_seq: int, alerts_only: bool
) -> list[DigestStory]:
    """The scope's stories first published in the change log after `after_seq` (up to
    `upto_seq`), as they are now: a story withdrawn or back to draft since is not among
    them, an edited one is as edited. Newest first."""
    where = in_scope_of(scope)
    rows = conn.execute(
        "SELECT a.num, a.id, a.path, a.title, a.standfirst, a.published, a.image, a.source, "
        "a.syndication FROM articles a WHERE a.state = 'live' AND "
        f"{where.sql} AND {'a.alert = 1 AND ' if alerts_only else ''}"
        "a.id IN (SELECT c.article_id FROM changes c WHERE c.kind = 'published' "
        "AND c.seq > ? AND c.seq <= ?) ORDER BY a.published DESC, a.num DESC LIMIT ?",
        (*where.params, after_seq, upto_seq, MAX_STORIES),
    ).fetchall()
    stories = []
    for num, article_id, path, title, standfirst, published, image, source, syndication in rows:
        authors = tuple(
            name
            for (name,) in conn.execute(
                "SELECT name FROM article_authors WHERE article_num = ? ORDER BY position", (num,)
            )
        )
        stories.append(
            DigestStory(
                article_id,
                path,
                title,
                standfirst,
                from_iso(published),
                authors,
                image_from_json(image),
                source,
                bool(syndication),
            )
        )
    return stories


@dataclass(frozen=True, slots=True)
class Rendered:
    """A digest as made for one send id (publish/newsletter.py)."""

    subject: str
    html: str
    text: str
    web_html: str
    stories: int


def record_send(
    conn: sqlite3.Connection,
    list_name: str,
    seq_range: tuple[int, int],
    render: Callable[[int], Rendered],
    now: datetime,
) -> tuple[int, int]:
    """A digest made (`render` is given its send id, for the web copy's address) and kept,
    the list moved past what it holds, and one delivery row for each member now, in one
    transaction: a send resumes from these rows and never mails anyone twice.
    (send id, recipients)."""
    (send_id,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM newsletter_sends").fetchone()
    made = render(send_id)
    conn.execute(
        "INSERT INTO newsletter_sends (id, list, seq_from, seq_to, subject, created_at, html, "
        "text, web_html, stories) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            send_id,
            list_name,
            *seq_range,
            made.subject,
            to_iso(now),
            bodies.compressed(made.html),
            bodies.compressed(made.text),
            bodies.compressed(made.web_html),
            made.stories,
        ),
    )
    recipients = conn.execute(
        "INSERT INTO newsletter_deliveries (send_id, subscriber_id) "
        "SELECT ?, s.subscriber_id FROM newsletter_subscriptions s "
        "JOIN newsletter_subscribers r ON r.id = s.subscriber_id "
        "WHERE s.list = ? AND s.confirmed_at IS NOT NULL AND r.suppressed IS NULL",
        (send_id, list_name),
    ).rowcount
    move_list(conn, list_name, seq_range[1], now)
    return int(send_id), recipients


def move_list(conn: sqlite3.Connection, list_name: str, seq: int, now: datetime) -> None:
    """The list is past `seq` (also when nothing in its scope came out, so no mail went)."""
    conn.execute(
        "INSERT INTO newsletter_lists (list, last_seq, last_sent_at) VALUES (?, ?, ?) "
        "ON CONFLICT (list) DO UPDATE SET last_seq = excluded.last_seq, "
        "last_sent_at = excluded.last_sent_at",
        (list_name, seq, to_iso(now)),
    )


@dataclass(frozen=True, slots=True)
class Send:
    id: int
    list: str
    created: datetime
    made: Rendered


def send_by_id(conn: sqlite3.Connection, send_id: int) -> Send | None:
    row = conn.execute(
        "SELECT id, list, created_at, subject, html, text, web_html, stories "
        "FROM newsletter_sends WHERE id = ?",
        (send_id,),
    ).fetchone()
    if row is None:
        return None
    html, text, web_html = (bodies.body_html(stored) for stored in row[4:7])
    return Send(row[0], row[1], from_iso(row[2]), Rendered(row[3], html, text, web_html, row[7]))


def unfinished_sends(conn: sqlite3.Connection) -> list[int]:
    return [
        send_id
        for (send_id,) in conn.execute(
            "SELECT id FROM newsletter_sends WHERE finished_at IS NULL ORDER BY id"
        )
    ]


def resume_interrupted(conn: sqlite3.Connection, send_id: int) -> int:
    """Deliveries a stopped process was handing over are tried again: how many. (The relay
    may have taken one in the instant before the process stopped, RFC 1047's window; the
    outbox transport knows, and marks those sent instead.)"""
    return conn.execute(
        "UPDATE newsletter_deliveries SET state = 'pending' "
        "WHERE send_id = ? AND state = 'sending'",
        (send_id,),
    ).rowcount


def due_deliveries(
    conn: sqlite3.Connection, send_id: int, now: float, limit: int
) -> list[Delivery]:
    rows = conn.execute(
        "SELECT d.send_id, r.id, r.address, r.edition, r.key, r.suppressed, d.attempts "
        "FROM newsletter_deliveries d JOIN newsletter_subscribers r ON r.id = d.subscriber_id "
        "WHERE d.send_id = ? AND d.state IN ('pending', 'deferred') AND d.next_at <= ? "
        "ORDER BY d.subscriber_id LIMIT ?",
        (send_id, now, limit),
    ).fetchall()
    return [Delivery(row[0], Subscriber(*row[1:6]), row[6]) for row in rows]


def next_retry(conn: sqlite3.Connection, send_id: int) -> float | None:
    row = conn.execute(
        "SELECT min(next_at) FROM newsletter_deliveries WHERE send_id = ? "
        "AND state IN ('pending', 'deferred')",
        (send_id,),
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def claim(conn: sqlite3.Connection, delivery: Delivery, list_name: str) -> bool:
    """Mark the delivery as being handed over, if its subscriber still receives the list
    (not unsubscribed, deleted or suppressed since the send began); else it is skipped."""
    still = conn.execute(
        "SELECT 1 FROM newsletter_subscriptions s JOIN newsletter_subscribers r "
        "ON r.id = s.subscriber_id WHERE s.subscriber_id = ? AND s.list = ? "
        "AND s.confirmed_at IS NOT NULL AND r.suppressed IS NULL",
        (delivery.subscriber.id, list_name),
    ).fetchone()
    state = "sending" if still else "skipped"
    return (
        conn.execute(
            "UPDATE newsletter_deliveries SET state = ? WHERE send_id = ? "
            "AND subscriber_id = ? AND state IN ('pending', 'deferred')",
            (state, delivery.send_id, delivery.subscriber.id),
        ).rowcount
        == 1
        and still is not None
    )


def unclaim(conn: sqlite3.Connection, delivery: Delivery) -> None:
    """A delivery not handed over after all, for no fault of its recipient: due again."""
    conn.execute(
        "UPDATE newsletter_deliveries SET state = 'pending' WHERE send_id = ? "
        "AND subscriber_id = ? AND state = 'sending'",
        (delivery.send_id, delivery.subscriber.id),
    )


def delivered(conn: sqlite3.Connection, delivery: Delivery, list_name: str, now: datetime) -> None:
    conn.execute(
        "UPDATE newsletter_deliveries SET state = 'sent', sent_at = ?, "
        "attempts = attempts + 1, error = '' WHERE send_id = ? AND subscriber_id = ?",
        (to_iso(now), delivery.send_id, delivery.subscriber.id),
    )
    count(conn, list_name, "sent")


def not_delivered(
    conn: sqlite3.Connection,
    delivery: Delivery,
    list_name: str,
    error: str,
    retry_at: float | None,
) -> None:
    """A try that failed: deferred to `retry_at`, or failed for good (None)."""
    conn.execute(
        "UPDATE newsletter_deliveries SET state = ?, next_at = ?, attempts = attempts + 1, "
        "error = ? WHERE send_id = ? AND subscriber_id = ?",
        (
            "deferred" if retry_at is not None else "failed",
            retry_at or 0,
            error[:500],
            delivery.send_id,
            delivery.subscriber.id,
        ),
    )
    count(conn, list_name, "deferred" if retry_at is not None else "failed")


def finish_if_done(conn: sqlite3.Connection, send_id: int, now: datetime) -> bool:
    (left,) = conn.execute(
        "SELECT count(*) FROM newsletter_deliveries WHERE send_id = ? "
        "AND state IN ('pending', 'deferred', 'sending')",
        (send_id,),
    ).fetchone()
    if left:
        return False
    conn.execute(
        "UPDATE newsletter_sends SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (to_iso(now), send_id),
    )
    return True


def delivery_states(conn: sqlite3.Connection, send_id: int) -> dict[str, int]:
    return {
        state: int(n)
        for state, n in conn.execute(
            "SELECT state, count(*) FROM newsletter_deliveries WHERE send_id = ? GROUP BY state",
            (send_id,),
        )
    }


def count(conn: sqlite3.Connection, list_name: str, event: str, by: int = 1) -> None:
    conn.execute(
        "INSERT INTO newsletter_counts (list, event, count) VALUES (?, ?, ?) "
        "ON CONFLICT (list, event) DO UPDATE SET count = count + excluded.count",
        (list_name, event, by),
    )


def counts(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {
        (name, event): int(n)
        for name, event, n in conn.execute("SELECT list, event, count FROM newsletter_counts")
    }


def last_sends(conn: sqlite3.Connection) -> dict[str, tuple[int, datetime]]:
    """Each list's last digest: (send id, when made)."""
    return {
        name: (int(send_id), from_iso(created))
        for name, send_id, created in conn.execute(
            "SELECT list, max(id), created_at FROM newsletter_sends GROUP BY list"
        )
    }


def _event(
    conn: sqlite3.Connection,
    subscriber: int,
    now: datetime,
    event: str,
    list_name: str = "",
    detail: str = "",
) -> None:
    conn.execute(
        "INSERT INTO newsletter_consents (subscriber_id, at, event, list, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (subscriber, to_iso(now), event, list_name, detail[:200]),
    )


def as_json(kept: dict[str, object]) -> str:
    return json.dumps(kept, ensure_ascii=False, indent=2)
