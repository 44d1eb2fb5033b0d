"""The WebSub hub's subscribers. Writes run on the archive's one writer; reads on readers."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from syndication.archive.codec import from_iso, to_iso
from syndication.archive.queries import Archive


@dataclass(frozen=True, slots=True)
class Subscription:
    topic: str
    callback: str
    secret: str | None
    lease_until: datetime
    delivered: int
    failures: int
    partner_id: int | None = None  # a partner's own feed: deliveries are rendered for it


def save(
    conn: sqlite3.Connection,
    topic: str,
    callback: str,
    secret: str | None,
    lease_until: datetime,
    now: datetime,
    partner_id: int | None = None,
) -> None:
    """A verified subscription, new or renewed (a renewal may change the secret)."""
    conn.execute(
        "INSERT INTO subscriptions (topic, callback, secret, lease_until, created, renewed, "
        "partner_id, callback_host) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (topic, callback) DO UPDATE SET "
        "secret = excluded.secret, lease_until = excluded.lease_until, "
        "renewed = excluded.renewed, failures = 0, partner_id = excluded.partner_id",
        (
            topic,
            callback,
            secret,
            to_iso(lease_until),
            to_iso(now),
            to_iso(now),
            partner_id,
            host_of(callback),
        ),
    )


def host_of(callback: str) -> str:
    try:
        return (urlsplit(callback).hostname or "").lower()
    except ValueError:
        return ""


@dataclass(frozen=True, slots=True)
class Counts:
    """Active subscriptions: in all, to one topic, to callbacks on one host."""

    total: int
    topic: int
    host: int
    renewal: bool  # this topic and callback are subscribed already


async def counts(archive: Archive, topic: str, callback: str, now: datetime) -> Counts:
    async with archive.conn.execute(
        "SELECT count(*), coalesce(sum(topic = ?), 0), coalesce(sum(callback_host = ?), 0), "
        "coalesce(max(topic = ? AND callback = ?), 0) FROM subscriptions WHERE lease_until > ?",
        (topic, host_of(callback), topic, callback, to_iso(now)),
    ) as cursor:
        row = await cursor.fetchone()
    total, per_topic, per_host, renewal = row if row else (0, 0, 0, 0)
    return Counts(int(total), int(per_topic), int(per_host), bool(renewal))


def remove(conn: sqlite3.Connection, topic: str, callback: str) -> None:
    conn.execute("DELETE FROM subscriptions WHERE topic = ? AND callback = ?", (topic, callback))


def record(conn: sqlite3.Connection, topic: str, callback: str, *, ok: bool) -> None:
    if ok:
        conn.execute(
            "UPDATE subscriptions SET delivered = delivered + 1, failures = 0 "
            "WHERE topic = ? AND callback = ?",
            (topic, callback),
        )
    else:
        conn.execute(
            "UPDATE subscriptions SET failures = failures + 1 WHERE topic = ? AND callback = ?",
            (topic, callback),
        )


def expire(conn: sqlite3.Connection, now: datetime) -> int:
    return conn.execute("DELETE FROM subscriptions WHERE lease_until <= ?", (to_iso(now),)).rowcount


async def active(archive: Archive, topics: list[str], now: datetime) -> list[Subscription]:
    """Subscriptions to any of `topics` whose lease still runs."""
    async with archive.conn.execute(
        "SELECT topic, callback, secret, lease_until, delivered, failures, partner_id "
        "FROM subscriptions "
        "WHERE topic IN (SELECT value FROM json_each(?)) AND lease_until > ? "
        "ORDER BY topic, callback",
        (json.dumps(topics), to_iso(now)),
    ) as cursor:
        rows = await cursor.fetchall()
    return [Subscription(r[0], r[1], r[2], from_iso(r[3]), r[4], r[5], r[6]) for r in rows]
