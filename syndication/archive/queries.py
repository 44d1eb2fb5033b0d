"""The readers' side: the archive opened read-only, its queries one class per area.

`archive.articles` (one article, whole articles, summaries), `archive.listings` (pages),
`archive.feeds`, `archive.partners`, `archive.search` and `archive.subscriptions` share one
aiosqlite connection. Readers never write and never hold a write lock, so in WAL mode they
cannot block the writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from syndication.archive.articles import Articles
from syndication.archive.codec import from_iso
from syndication.archive.feed_queries import FeedQueries
from syndication.archive.partner_queries import PartnerQueries
from syndication.archive.schema import READER_PRAGMAS, reader_uri
from syndication.archive.search import Search
from syndication.archive.site_queries import Listings
from syndication.archive.sql import Reader
from syndication.archive.subscriptions import SubscriptionQueries
from syndication.errors import ArchiveError
from syndication.model import ArchiveStatus, Change, ChangeKind, IngestErrorRecord

NEVER = datetime.fromtimestamp(0, UTC)  # the last commit of an archive nothing was ever written to


@dataclass(frozen=True, slots=True)
class Commit:
    at: datetime  # to the second, as the archive writes times
    alone: bool  # no other commit in the same second


class Archive:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.db = Reader(conn)
        self.articles = Articles(self.db)
        self.listings = Listings(self.db, self.articles)
        self.feeds = FeedQueries(self.db, self.articles)
        self.partners = PartnerQueries(self.db, self.articles)
        self.search = Search(self.db, self.articles)
        self.subscriptions = SubscriptionQueries(self.db)

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path) -> AsyncIterator[Archive]:
        if not path.exists():  # noqa: ASYNC240 - one stat, once, before any request
            raise ArchiveError(f"there is no archive at {path}; run `syndication ingest` first")
        try:
            conn = await aiosqlite.connect(reader_uri(path), uri=True)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive {path}: {exc}") from None
        try:
            for pragma in READER_PRAGMAS:
                await conn.execute(pragma)
            yield cls(conn)
        finally:
            await conn.close()

    async def ping(self) -> bool:
        return await self.db.one("SELECT 1") is not None

    async def current_seq(self) -> int:
        """The change sequence: the number of the last change logged."""
        return int(await self.db.value("SELECT max(seq) FROM changes") or 0)

    async def last_commit(self) -> Commit:
        """The archive's last commit that changed what readers see, to the second, and
        whether it was the only one in that second (the writer counts them in `meta`)."""
        value = await self.db.value("SELECT value FROM meta WHERE name = 'last_commit'")
        if value:
            at, _, count = str(value).partition(" ")
            return Commit(from_iso(at), count == "1")
        last = await self.last_change_at()  # an archive its writer has not counted in yet
        return Commit(last, alone=False) if last else Commit(NEVER, alone=True)

    async def last_change_at(self) -> datetime | None:
        """When the archive last changed in a way a reader could see (the newest change)."""
        at = await self.db.value("SELECT at FROM changes ORDER BY seq DESC LIMIT 1")
        return from_iso(at) if at else None

    async def status(self) -> ArchiveStatus:
        counts = {
            str(r["state"]): int(r["n"])
            for r in await self.db.rows("SELECT state, count(*) AS n FROM articles GROUP BY state")
        }
        last = await self.db.one(
            "SELECT seq, article_id, kind, at, version FROM changes ORDER BY seq DESC LIMIT 1"
        )
        errors = tuple(
            IngestErrorRecord(r["file"], r["line"], r["field"], r["message"], from_iso(r["at"]))
            for r in await self.db.rows(
                "SELECT file, line, field, message, at FROM ingest_errors ORDER BY file"
            )
        )
        return ArchiveStatus(
            articles_by_state=counts,
            last_change=(
                Change(
                    last["seq"],
                    last["article_id"],
                    ChangeKind(last["kind"]),
                    from_iso(last["at"]),
                    last["version"],
                )
                if last
                else None
            ),
            errors=errors,
            schema_version=int(await self.db.value("PRAGMA user_version") or 0),
        )
