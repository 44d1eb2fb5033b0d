"""The readers' side: the archive opened read-only, its queries one class per area.

`archive.articles` (one article, whole articles, summaries), `archive.listings` (pages),
`archive.feeds`, `archive.partners`, `archive.search` and `archive.subscriptions` share one
aiosqlite connection. Readers never write and never hold a write lock, so in WAL mode they
cannot block the writer.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from syndication.archive import bodies
from syndication.archive.articles import Articles
from syndication.archive.column_values import from_iso
from syndication.archive.desk_queries import DeskQueries
from syndication.archive.feed_queries import FeedQueries
from syndication.archive.listings import Listings
from syndication.archive.partner_queries import PartnerQueries
from syndication.archive.schema import CHANGE_HEAD, READER_PRAGMAS, reader_uri
from syndication.archive.search import Search
from syndication.archive.search_budget import PROGRESS_STEPS, SEARCH_SECONDS, SearchBudget
from syndication.archive.sql import Query, Reader
from syndication.archive.subscriptions import SubscriptionQueries
from syndication.errors import ArchiveError
from syndication.model import (
    ArchiveStatus,
    ChangeKind,
    IngestErrorRecord,
    LoggedChange,
    State,
    Waiting,
)

WAITING_LISTED = 1000  # drafts and scheduled stories `status` lists (the counts say the rest)
NEVER = datetime.fromtimestamp(0, UTC)  # the last commit of an archive nothing was ever written to


@dataclass(frozen=True, slots=True)
class Commit:
    at: datetime  # to the second, as the archive writes times
    alone: bool  # no other commit in the same second


async def _search_connection(path: Path, copy: bool, budget: SearchBudget) -> aiosqlite.Connection:
    """A connection for searches, whose statements stop when the budget says so."""
    conn = await _connect(path, copy=copy)
    await conn.set_progress_handler(budget.progress, PROGRESS_STEPS)
    budget.interrupt_now = conn._conn.interrupt  # sqlite3_interrupt: safe from any thread
    return conn


async def _connect(path: Path, *, copy: bool = False) -> aiosqlite.Connection:
    try:
        conn = await aiosqlite.connect(reader_uri(path, copy=copy), uri=True)
        for pragma in READER_PRAGMAS:
            await conn.execute(pragma)
        for name, arguments, function in bodies.SQL_FUNCTIONS:
            await conn.create_function(name, arguments, function, deterministic=True)
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open the archive {path}: {exc}") from None
    return conn


class Archive:
    path: Path = Path()
    follows = False  # a replica's copy, written under it by Litestream

    def __init__(
        self, conn: aiosqlite.Connection, search_conn: aiosqlite.Connection, budget: SearchBudget
    ) -> None:
        self.db = Reader(conn)
        self.articles = Articles(self.db)
        self.listings = Listings(self.db, self.articles)
        self.feeds = FeedQueries(self.db, self.articles)
        self.partners = PartnerQueries(self.db, self.articles)
        # Searches have a connection (and so a thread) of their own: see search_budget.py.
        self.search = Search(Reader(search_conn), self.articles, budget)
        self.desk = DeskQueries(self.db)
        self.subscriptions = SubscriptionQueries(self.db)

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: Path, *, copy: bool = False, search_seconds: float = SEARCH_SECONDS
    ) -> AsyncIterator[Archive]:
        """`copy`: a replica's, which Litestream writes under it (see schema.reader_uri).
        `search_seconds`: each search's time budget."""
        if not path.exists():  # noqa: ASYNC240 - one stat, once, before any request
            raise ArchiveError(f"there is no archive at {path}; run `syndication ingest` first")
        budget = SearchBudget(search_seconds)
        conn = await _connect(path, copy=copy)
        try:
            search_conn = await _search_connection(path, copy, budget)
        except BaseException:
            await conn.close()
            raise
        archive = cls(conn, search_conn, budget)
        archive.path, archive.follows = path, copy
        try:
            yield archive
        finally:
            await archive.search.db.close()
            await archive.db.close()

    async def reopen(self) -> None:
        """Read through new connections (a replica's copy changed under the old ones)."""
        await self.db.swap(await _connect(self.path, copy=self.follows))
        budget = self.search.budget
        await self.search.db.swap(await _search_connection(self.path, self.follows, budget))

    def file_stamp(self) -> tuple[int, int] | None:
        """The copy's modification time and size, on a replica (where Litestream writes the
        file directly, so a query that spans a change could read half of it); None on the
        primary, whose readers see each commit whole."""
        if not self.follows:
            return None
        with contextlib.suppress(OSError):
            stat = self.path.stat()
            return stat.st_mtime_ns, stat.st_size
        return None

    async def ping(self) -> bool:
        return await self.db.one("SELECT 1") is not None

    async def preview_secret(self) -> str | None:
        """The secret preview links are signed with; None until one was asked for."""
        return await self.secret("preview_secret")

    async def secret(self, name: str) -> str | None:
        """A secret kept in `meta` (archive/previews.py); None until it was made."""
        value = await self.db.value("SELECT value FROM meta WHERE name = ?", (name,))
        return str(value) if value else None

    async def current_seq(self) -> int:
        """The change sequence: the number of the last change logged, or the number a
        restore or a promotion moved it to (above any a partner may hold)."""
        return int(await self.db.value(CHANGE_HEAD) or 0)

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
        waiting = tuple(
            Waiting(
                r["id"],
                r["title"],
                State(r["state"]),
                from_iso(r["published"]),
                r["source_file"],
                r["path"],
                int(r["version"]),
            )
            for r in await self.db.rows(
                Query("id, title, state, published, source_file, path, version", "articles")
                .where("state IN ('draft', 'scheduled')")
                .order_by("published, id")
                .page(WAITING_LISTED)
            )
        )
        return ArchiveStatus(
            waiting=waiting,
            articles_by_state=counts,
            last_change=(
                LoggedChange(
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
