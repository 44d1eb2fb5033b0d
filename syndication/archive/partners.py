"""Partners and their keys, and the log of what each received. Writes go through the
archive's one writer (the command line's connection, or the server's writer thread).

A key is shown once, when made; the archive keeps only its SHA-256. Keys are 256 random
bits, so a fast hash is as safe as a slow one and costs nothing per request.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from syndication.archive.column_values import from_iso, to_iso
from syndication.clock import Clock
from syndication.errors import SyndicationError
from syndication.model import Partner

KEY_PREFIX = "hl_"
HINT_LENGTH = 8


class PartnerError(SyndicationError):
    """A partner command that cannot be done as asked (unknown name, bad section...)."""


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


PARTNER_COLUMNS = (
    "id, name, sections, editions, embargo_access, rate_per_min, key_hint, created, "
    "key_created, revoked"
)


def partner_from_row(row: sqlite3.Row) -> Partner:
    """A partner from a row holding PARTNER_COLUMNS."""
    return Partner(
        id=int(row["id"]),
        name=str(row["name"]),
        sections=tuple(json.loads(str(row["sections"]))),
        editions=tuple(json.loads(str(row["editions"]))),
        embargo_access=bool(row["embargo_access"]),
        rate_per_min=int(row["rate_per_min"]),
        key_hint=str(row["key_hint"]),
        created=from_iso(str(row["created"])),
        key_created=from_iso(str(row["key_created"])),
        revoked=from_iso(str(row["revoked"])) if row["revoked"] else None,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    partner: str
    article_id: str
    version: int
    status: str
    channel: str
    at: datetime


class PartnerStore:
    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    def add(
        self,
        name: str,
        sections: Iterable[str],
        editions: Iterable[str] = (),
        *,
        embargo_access: bool = False,
        rate_per_min: int = 600,
    ) -> tuple[Partner, str]:
        """A new partner and its key (shown once)."""
        name = name.strip()
        if not name:
            raise PartnerError("a partner needs a name")
        if rate_per_min < 1:
            raise PartnerError("--rate must be at least 1 request a minute")
        if self._find(name) is not None:
            raise PartnerError(f"there is already a partner called {name!r}")
        key, now = new_key(), to_iso(self.clock.now())
        self.conn.execute(
            "INSERT INTO partners (name, key_hash, key_hint, sections, editions, embargo_access, "
            "rate_per_min, created, key_created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                hash_key(key),
                key[:HINT_LENGTH],
                json.dumps(sorted(set(sections))),
                json.dumps(sorted(set(editions))),
                int(embargo_access),
                rate_per_min,
                now,
                now,
            ),
        )
        return self.get(name), key

    def get(self, name: str) -> Partner:
        found = self._find(name)
        if found is None:
            known = ", ".join(p.name for p in self.all()) or "none yet"
            raise PartnerError(f"no partner called {name!r} (partners: {known})")
        return found

    def _find(self, name: str) -> Partner | None:
        rows = self._partners("WHERE name = ?", (name,))
        return rows[0] if rows else None

    def all(self) -> list[Partner]:
        return self._partners("ORDER BY name")

    def _partners(self, rest: str, params: tuple[object, ...] = ()) -> list[Partner]:
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row  # read by column name
        found = cursor.execute(f"SELECT {PARTNER_COLUMNS} FROM partners {rest}", params)
        return [partner_from_row(row) for row in found.fetchall()]

    def revoke(self, name: str) -> Partner:
        partner = self.get(name)
        self.conn.execute(
            "UPDATE partners SET revoked = ? WHERE id = ? AND revoked IS NULL",
            (to_iso(self.clock.now()), partner.id),
        )
        return self.get(name)

    def rotate(self, name: str) -> tuple[Partner, str]:
        """A new key; the old one stops working at once. Lifts a revocation."""
        partner = self.get(name)
        key = new_key()
        self.conn.execute(
            "UPDATE partners SET key_hash = ?, key_hint = ?, key_created = ?, revoked = NULL "
            "WHERE id = ?",
            (hash_key(key), key[:HINT_LENGTH], to_iso(self.clock.now()), partner.id),
        )
        return self.get(name), key

    def record(self, partner_id: int, items: Iterable[tuple[str, int, str]], channel: str) -> None:
        """Log (article id, version, status) as delivered to the partner now."""
        now = to_iso(self.clock.now())
        self.conn.executemany(
            "INSERT OR IGNORE INTO deliveries (partner_id, article_id, version, status, channel, "
            "at) VALUES (?, ?, ?, ?, ?, ?)",
            [(partner_id, a, v, s, channel, now) for a, v, s in items],
        )

    def deliveries(
        self, partner: str | None = None, article_id: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        """Newest first; by partner, by article (who has this story?), or all."""
        where: list[str] = []
        params: list[object] = []
        if partner is not None:
            where.append("d.partner_id = ?")
            params.append(self.get(partner).id)
        if article_id is not None:
            where.append("d.article_id = ?")
            params.append(article_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(
            "SELECT p.name, d.article_id, d.version, d.status, d.channel, d.at "
            f"FROM deliveries d JOIN partners p ON p.id = d.partner_id {clause} "
            "ORDER BY d.at DESC, d.article_id LIMIT ?",
            (*params, limit),
        )
        return [Delivery(r[0], r[1], r[2], r[3], r[4], from_iso(r[5])) for r in rows]
