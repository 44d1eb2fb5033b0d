"""The readers' side: async queries over a read-only aiosqlite connection.

Readers never write and never hold a write lock, so in WAL mode they cannot block the writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from syndication.archive.codec import corrections_from_json, from_iso, image_from_json
from syndication.archive.schema import READER_PRAGMAS, reader_uri
from syndication.errors import ArchiveError
from syndication.model import (
    ArchivedArticle,
    ArchiveStatus,
    Article,
    ArticleSummary,
    Author,
    Change,
    ChangeKind,
    IngestErrorRecord,
    State,
    Status,
    Topic,
)

# What listings select (`articles a`), in the order Archive.summaries() reads it.
SUMMARY_COLUMNS = (
    "a.num, a.id, a.edition, a.section, a.path, a.title, a.standfirst, a.published, "
    "a.word_count, a.state, a.image"
)


_NO_TEXT = (
    "a.num, a.id, a.id_given, a.edition, a.section, a.slug, a.path, a.title, a.standfirst, "
    "a.body_html, a.word_count, a.published, a.updated, a.status, a.state, a.source, a.rights, "
    "a.syndication, a.original_url, a.translation_of, a.image, a.corrections, a.source_file, "
    "a.version, a.last_changed, a.first_seen"
)


# Was the article `a` ever public? A story deleted or withdrawn before it went live must stay
# unknown: its address answers 404, not 410, and no page shows its topics or authors.
WAS_PUBLIC = "EXISTS (SELECT 1 FROM changes p WHERE p.article_id = a.id AND p.kind = 'published')"


@dataclass(frozen=True, slots=True)
class Moved:
    """An old address of an article: answer 301 to `path`."""

    path: str


class Archive:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

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
        async with self.conn.execute("SELECT 1") as cursor:
            return (await cursor.fetchone()) is not None

    async def latest(self, edition: str, limit: int) -> list[ArticleSummary]:
        async with self.conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM articles a WHERE a.state = 'live' AND a.edition = ? "
            "ORDER BY a.published DESC, a.num DESC LIMIT ?",
            (edition, limit),
        ) as cursor:
            rows = list(await cursor.fetchall())
        return await self.summaries(rows)

    async def summaries(self, rows: list[Any]) -> list[ArticleSummary]:
        """Summaries from rows of SUMMARY_COLUMNS, authors fetched for all at once."""
        authors = await self.names("article_authors", [r[0] for r in rows])
        return [
            ArticleSummary(
                id=r[1],
                edition=r[2],
                section=r[3],
                path=r[4],
                title=r[5],
                standfirst=r[6],
                published=from_iso(r[7]),
                word_count=r[8],
                state=State(r[9]),
                image=image_from_json(r[10]),
                authors=tuple(Author(*a) for a in authors.get(r[0], ())),
            )
            for r in rows
        ]

    async def by_path(self, path: str) -> ArchivedArticle | Moved | None:
        """The article at this URL path (any state but withdrawn before it was ever public),
        a redirect, or nothing."""
        async with self.conn.execute(
            "SELECT * FROM articles a WHERE path = ? "
            f"AND (state != 'withdrawn' OR {WAS_PUBLIC}) "
            "ORDER BY state = 'withdrawn', num DESC LIMIT 1",
            (path,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            return (await self._archived([row], cursor.description))[0]
        async with self.conn.execute(
            "SELECT a.path FROM url_history h JOIN articles a ON a.id = h.article_id "
            f"WHERE h.path = ? AND {WAS_PUBLIC}",
            (path,),
        ) as cursor:
            moved = await cursor.fetchone()
        return Moved(moved[0]) if moved else None

    async def by_id(self, article_id: str) -> ArchivedArticle | None:
        async with self.conn.execute(
            "SELECT * FROM articles WHERE id = ?", (article_id,)
        ) as cursor:
            row = await cursor.fetchone()
            return (await self._archived([row], cursor.description))[0] if row else None

    async def articles_where(
        self, clause: str, params: tuple[Any, ...], *, with_text: bool = True
    ) -> list[ArchivedArticle]:
        """Full articles for `SELECT ... FROM articles a WHERE <clause>`, topics and authors
        fetched for all of them at once. Without `with_text`, body_text (only search and
        partners need it) is left empty, which halves what a feed reads."""
        columns = "a.*" if with_text else _NO_TEXT
        sql = f"SELECT {columns} FROM articles a WHERE {clause}"
        async with self.conn.execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
            return await self._archived(rows, cursor.description)

    async def article_by_id(self, article_id: str) -> ArchivedArticle | None:
        """One full article by its id, whatever its state (partners see cancellations)."""
        found = await self.articles_where("a.id = ?", (article_id,))
        return found[0] if found else None

    async def status(self) -> ArchiveStatus:
        async with self.conn.execute("SELECT state, count(*) FROM articles GROUP BY state") as c:
            counts = {str(state): int(n) for state, n in await c.fetchall()}
        async with self.conn.execute(
            "SELECT seq, article_id, kind, at, version FROM changes ORDER BY seq DESC LIMIT 1"
        ) as c:
            last = await c.fetchone()
        async with self.conn.execute(
            "SELECT file, line, field, message, at FROM ingest_errors ORDER BY file"
        ) as c:
            errors = tuple(
                IngestErrorRecord(r[0], r[1], r[2], r[3], from_iso(r[4]))
                for r in await c.fetchall()
            )
        async with self.conn.execute("PRAGMA user_version") as c:
            version_row = await c.fetchone()
        return ArchiveStatus(
            articles_by_state=counts,
            last_change=(
                Change(last[0], last[1], ChangeKind(last[2]), from_iso(last[3]), last[4])
                if last
                else None
            ),
            errors=errors,
            schema_version=int(version_row[0]) if version_row else 0,
        )

    async def names(self, table: str, nums: list[int]) -> dict[int, list[tuple[str, str]]]:
        if not nums:
            return {}
        marks = ",".join("?" * len(nums))
        async with self.conn.execute(
            f"SELECT article_num, slug, name FROM {table} WHERE article_num IN ({marks}) "
            "ORDER BY article_num, position",
            nums,
        ) as cursor:
            out: dict[int, list[tuple[str, str]]] = {}
            for num, slug, name in await cursor.fetchall():
                out.setdefault(num, []).append((slug, name))
            return out

    async def _archived(self, rows: list[Any], description: Any) -> list[ArchivedArticle]:
        columns = [d[0] for d in description]
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        nums = [r["num"] for r in records]
        topics = await self.names("article_topics", nums)
        authors = await self.names("article_authors", nums)
        return [_archived(r, topics.get(r["num"], []), authors.get(r["num"], [])) for r in records]


def _archived(
    r: dict[str, Any], topics: list[tuple[str, str]], authors: list[tuple[str, str]]
) -> ArchivedArticle:
    article = Article(
        id=r["id"],
        id_given=bool(r["id_given"]),
        edition=r["edition"],
        section=r["section"],
        slug=r["slug"],
        title=r["title"],
        published=from_iso(r["published"]),
        updated=from_iso(r["updated"]) if r["updated"] else None,
        body_html=r["body_html"],
        body_text=r.get("body_text", ""),
        word_count=r["word_count"],
        status=Status(r["status"]),
        standfirst=r["standfirst"],
        authors=tuple(Author(*a) for a in authors),
        topics=tuple(Topic(*t) for t in topics),
        image=image_from_json(r["image"]),
        source=r["source"],
        rights=r["rights"],
        syndication=bool(r["syndication"]),
        original_url=r["original_url"],
        translation_of=r["translation_of"],
        corrections=corrections_from_json(r["corrections"]),
        path=r["path"],
    )
    return ArchivedArticle(
        article,
        State(r["state"]),
        r["version"],
        r["source_file"],
        from_iso(r["last_changed"]),
        from_iso(r["first_seen"]),
    )
