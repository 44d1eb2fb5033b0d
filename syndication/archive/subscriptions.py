"""The WebSub hub's subscribers. Writes run on the archive's one writer; reads on readers."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from syndication.archive.column_values import from_iso, to_iso
from syndication.archive.sql import Reader


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


class SubscriptionQueries:
    """The hub's reads: how many subscriptions there are, and who is subscribed to what."""

    def __init__(self, db: Reader) -> None:
        self.db = db

    async def counts(self, topic: str, callback: str, now: datetime) -> Counts:
        row = await self.db.one(
            "SELECT count(*) AS total, coalesce(sum(topic = ?), 0) AS topic, "
            "coalesce(sum(callback_host = ?), 0) AS host, "
            "coalesce(max(topic = ? AND callback = ?), 0) AS renewal "
            "FROM subscriptions WHERE lease_until > ?",
            (topic, host_of(callback), topic, callback, to_iso(now)),
        )
        if row is None:
            return Counts(0, 0, 0, False)
        return Counts(int(row["total"]), int(row["topic"]), int(row["host"]), bool(row["renewal"]))

    async def active(self, topics: list[str], now: datetime) -> list[Subscription]:
        """Subscriptions to any of `topics` whose lease still runs."""
        rows = await self.db.rows(
            "SELECT topic, callback, secret, lease_until, delivered, failures, partner_id "
            "FROM subscriptions "
            "WHERE topic IN (SELECT value FROM json_each(?)) AND lease_until > ? "
            "ORDER BY topic, callback",
            (json.dumps(topics), to_iso(now)),
        )
        return [
            Subscription(
                r["topic"],
                r["callback"],
                r["secret"],
                from_iso(r["lease_until"]),
                r["delivered"],
                r["failures"],
                r["partner_id"],
            )
            for r in rows
        ]

    async def partner_of(self, topic: str, callback: str) -> int | None:
        """The partner a subscription to a partner feed belongs to (0: a public subscriber)."""
        found = await self.db.value(
            "SELECT coalesce(partner_id, 0) FROM subscriptions WHERE topic = ? AND callback = ?",
            (topic, callback),
        )
        return int(found) if found is not None else None
