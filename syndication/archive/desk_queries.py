"""What the editors' desk shows, read from the archive: each list bounded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from syndication.archive.column_values import from_iso
from syndication.archive.sql import Reader

RECENT = 30  # latest changes listed
WITHDRAWN = 30  # latest withdrawals listed


@dataclass(frozen=True, slots=True)
class RecentChange:
    seq: int
    kind: str
    at: datetime
    title: str
    path: str
    state: str


@dataclass(frozen=True, slots=True)
class Withdrawal:
    article_id: str
    title: str
    at: datetime
    partners: tuple[str, ...]  # partners that were given a usable version of it


@dataclass(frozen=True, slots=True)
class NewsletterState:
    list: str
    subscribers: int
    last_sent: datetime | None


@dataclass(frozen=True, slots=True)
class PartnerPull:
    name: str
    last_pull: datetime | None
    revoked: bool


class DeskQueries:
    def __init__(self, db: Reader) -> None:
        self.db = db

    async def password_hash(self, name: str) -> str | None:
        value = await self.db.value("SELECT password_hash FROM editors WHERE name = ?", (name,))
        return str(value) if value is not None else None

    async def recent_changes(self, limit: int = RECENT) -> list[RecentChange]:
        rows = await self.db.rows(
            "SELECT c.seq, c.kind, c.at, a.title, a.path, a.state FROM changes c "
            "JOIN articles a ON a.id = c.article_id ORDER BY c.seq DESC LIMIT ?",
            (limit,),
        )
        return [
            RecentChange(
                int(r["seq"]), r["kind"], from_iso(r["at"]), r["title"], r["path"], r["state"]
            )
            for r in rows
        ]

    async def withdrawals(self, limit: int = WITHDRAWN) -> list[Withdrawal]:
        """Stories withdrawn and still down, newest withdrawal first, with the partners the
        delivery log says had them: whom to tell."""
        rows = await self.db.rows(  # one query, not one a withdrawal for its partners
            "SELECT a.id, a.title, max(c.at) AS at, (SELECT json_group_array(DISTINCT p.name) "
            "FROM deliveries d JOIN partners p ON p.id = d.partner_id "
            "WHERE d.article_id = a.id AND d.status = 'usable') AS partners "
            "FROM changes c JOIN articles a ON a.id = c.article_id "
            "WHERE c.kind = 'withdrawn' AND a.state = 'withdrawn' "
            "GROUP BY a.id ORDER BY at DESC LIMIT ?",
            (limit,),
        )
        return [
            Withdrawal(
                r["id"], r["title"], from_iso(r["at"]), tuple(sorted(json.loads(r["partners"])))
            )
            for r in rows
        ]

    async def partner_pulls(self) -> list[PartnerPull]:
        rows = await self.db.rows(
            "SELECT p.name, p.revoked, (SELECT max(at) FROM deliveries d "
            "WHERE d.partner_id = p.id) AS last_pull FROM partners p ORDER BY p.name"
        )
        return [
            PartnerPull(
                r["name"], from_iso(r["last_pull"]) if r["last_pull"] else None, bool(r["revoked"])
            )
            for r in rows
        ]

    async def newsletters(self) -> list[NewsletterState]:
        """Each list with subscribers (confirmed, not suppressed), and its last digest."""
        rows = await self.db.rows(
            "SELECT s.list, count(*) AS n, (SELECT max(created_at) FROM newsletter_sends x "
            "WHERE x.list = s.list) AS sent FROM newsletter_subscriptions s "
            "JOIN newsletter_subscribers r ON r.id = s.subscriber_id "
            "WHERE s.confirmed_at IS NOT NULL AND r.suppressed IS NULL "
            "GROUP BY s.list ORDER BY s.list"
        )
        return [
            NewsletterState(r["list"], r["n"], from_iso(r["sent"]) if r["sent"] else None)
            for r in rows
        ]

    async def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever anything the desk shows may have: the change log's head, the
        files in error, the partners and their last pulls. Cheap: the ends of indexes, and
        the small tables of errors and partners."""
        row = await self.db.one(
            "SELECT (SELECT max(seq) FROM changes) AS seq, "
            "(SELECT count(*) FROM ingest_errors) AS errors, "
            "(SELECT max(at) FROM ingest_errors) AS error_at, "
            "(SELECT count(*) || ':' || count(revoked) FROM partners) AS partners, "
            "(SELECT max((SELECT max(at) FROM deliveries d WHERE d.partner_id = p.id)) "
            "FROM partners p) AS delivered, "
            "(SELECT count(*) FROM newsletter_subscriptions) AS subscriptions, "
            "(SELECT max(id) FROM newsletter_sends) AS sends"
        )
        return tuple(row) if row else ()
