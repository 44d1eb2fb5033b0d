"""What reader-facing pages need beyond one article: listings, related stories, translations."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from syndication.archive.codec import from_iso, to_iso
from syndication.archive.feed_queries import newest_live
from syndication.archive.queries import SUMMARY_COLUMNS, Archive
from syndication.model import ArticleSummary, FeedScope
from syndication.months import next_month


async def listing(
    archive: Archive, scope: FeedScope, page: int, per_page: int
) -> tuple[list[ArticleSummary], bool]:
    """One page of a scope's live articles, newest first, and whether another page follows."""
    where, params = newest_live(scope, page * per_page + 1)
    rows = await _rows(
        archive,
        f"SELECT {SUMMARY_COLUMNS} FROM articles a WHERE {where} "
        "ORDER BY a.published DESC, a.num DESC LIMIT ? OFFSET ?",
        (*params, per_page + 1, (page - 1) * per_page),
    )
    return await archive.summaries(rows[:per_page]), len(rows) > per_page


async def related(archive: Archive, article_id: str, limit: int = 5) -> list[ArticleSummary]:
    """ "More on this topic" as the writer ranked it (archive/related.py); the newest of the
    article's section when nothing else shares its topics or words."""
    rows = await _rows(
        archive,
        f"SELECT {SUMMARY_COLUMNS} FROM articles me JOIN related r ON r.article_num = me.num "
        "JOIN articles a ON a.num = r.related_num "
        "WHERE me.id = ? AND a.state = 'live' ORDER BY r.position LIMIT ?",
        (article_id, limit),
    )
    if not rows:
        rows = await _rows(
            archive,
            f"SELECT {SUMMARY_COLUMNS} FROM articles me JOIN articles a "
            "ON a.edition = me.edition AND a.section = me.section "
            "WHERE me.id = ? AND a.state = 'live' AND a.id != me.id "
            "ORDER BY a.published DESC LIMIT ?",
            (article_id, limit),
        )
    return await archive.summaries(rows)


async def translations(archive: Archive, article_id: str, original: str) -> dict[str, str]:
    """edition -> path of each live version of the story in another edition."""
    root = original or article_id
    async with archive.conn.execute(
        "SELECT edition, path FROM articles WHERE id = ? AND state = 'live' AND id != ? "
        "UNION ALL SELECT edition, path FROM articles "
        "WHERE translation_of = ? AND translation_of != '' AND state = 'live' AND id != ?",
        (root, article_id, root, article_id),
    ) as cursor:
        return {str(r[0]): str(r[1]) for r in await cursor.fetchall()}


async def _rows(archive: Archive, sql: str, params: tuple[Any, ...]) -> list[Any]:
    async with archive.conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def between(
    archive: Archive, edition: str, start: datetime, end: datetime, page: int, per_page: int
) -> tuple[list[ArticleSummary], bool]:
    """Live articles of the edition published in [start, end), newest first, paginated."""
    rows = await _rows(
        archive,
        f"SELECT {SUMMARY_COLUMNS} FROM articles a WHERE a.state = 'live' AND a.edition = ? "
        "AND a.published >= ? AND a.published < ? ORDER BY a.published DESC, a.num DESC "
        "LIMIT ? OFFSET ?",
        (edition, to_iso(start), to_iso(end), per_page + 1, (page - 1) * per_page),
    )
    return await archive.summaries(rows[:per_page]), len(rows) > per_page


async def published_between(archive: Archive, edition: str, moments: list[datetime]) -> list[int]:
    """How many live articles of the edition fall between each pair of consecutive moments."""
    counts = []
    for start, end in pairwise(moments):
        async with archive.conn.execute(
            "SELECT count(*) FROM articles WHERE state = 'live' AND edition = ? "
            "AND published >= ? AND published < ?",
            (edition, to_iso(start), to_iso(end)),
        ) as cursor:
            row = await cursor.fetchone()
            counts.append(int(row[0]) if row else 0)
    return counts


async def first_year(archive: Archive, edition: str) -> int | None:
    async with archive.conn.execute(
        "SELECT min(published) FROM articles WHERE state = 'live' AND edition = ?", (edition,)
    ) as cursor:
        row = await cursor.fetchone()
        return int(str(row[0])[:4]) if row and row[0] else None


async def sitemap_months(archive: Archive) -> list[tuple[str, datetime]]:
    """(YYYY-MM, newest publication) for every month with live articles, oldest first."""
    rows = await _rows(
        archive,
        "SELECT substr(published, 1, 7), max(published) FROM articles WHERE state = 'live' "
        "GROUP BY 1 ORDER BY 1",
        (),
    )
    return [(str(r[0]), from_iso(r[1])) for r in rows]


async def sitemap_entries(archive: Archive, month: str) -> list[tuple[str, datetime]]:
    """(path, last change) of every live article published in the month (UTC)."""
    end = next_month(month)
    rows = await _rows(
        archive,
        "SELECT path, last_changed FROM articles WHERE state = 'live' "
        "AND published >= ? AND published < ? ORDER BY published",
        (f"{month}-01T00:00:00Z", f"{end}-01T00:00:00Z"),
    )
    return [(str(r[0]), from_iso(r[1])) for r in rows]


async def recent(
    archive: Archive, since: datetime, limit: int
) -> list[tuple[str, str, str, datetime]]:
    """(path, title, edition, published) of live articles published since `since`."""
    rows = await _rows(
        archive,
        "SELECT path, title, edition, published FROM articles WHERE state = 'live' "
        "AND published >= ? ORDER BY published DESC LIMIT ?",
        (to_iso(since), limit),
    )
    return [(str(r[0]), str(r[1]), str(r[2]), from_iso(r[3])) for r in rows]
