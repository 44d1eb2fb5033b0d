"""What reader-facing pages need beyond one article: listings, related stories, translations,
date archives and sitemaps."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from itertools import pairwise

from syndication.archive.articles import LIVE, NEWEST_FIRST, Articles, of_articles
from syndication.archive.column_values import corrections_from_json, from_iso, to_iso
from syndication.archive.feed_queries import newest_live
from syndication.archive.sql import Query, Reader
from syndication.model import ArticleSummary, FeedScope, modified_at
from syndication.months import month_start, next_month_start

# The stories "More on this topic" draws from: `a` among those of the article `me`.
_RANKED = (
    "articles me JOIN related r ON r.article_num = me.num JOIN articles a ON a.num = r.related_num"
)
_SAME_SECTION = "articles me JOIN articles a ON a.edition = me.edition AND a.section = me.section"


class Listings:
    def __init__(self, db: Reader, articles: Articles) -> None:
        self.db = db
        self.articles = articles

    async def _page(
        self, query: Query, page: int, per_page: int
    ) -> tuple[list[ArticleSummary], bool]:
        """One page of what `query` lists, newest first, and whether another page follows."""
        rows = await self.db.rows(
            query.order_by(NEWEST_FIRST).page(per_page + 1, (page - 1) * per_page)
        )
        return await self.articles.summarise(rows[:per_page]), len(rows) > per_page

    async def placed(
        self, edition: str, now: datetime, limit: int
    ) -> tuple[list[ArticleSummary], datetime | None]:
        """The edition's live stories editors placed on its front page, leads first, each
        newest first; and when the first placement ends (the page is right until then)."""
        placed = (
            of_articles()
            .where(LIVE)
            .where("a.edition = ?", edition)
            .where("a.placement IS NOT NULL")
            .where("(a.placement_until IS NULL OR a.placement_until > ?)", to_iso(now))
        )
        rows = await self.db.rows(
            placed.order_by(f"a.placement = 'lead' DESC, {NEWEST_FIRST}").page(limit)
        )
        ends = await self.db.value(
            "SELECT min(placement_until) FROM articles WHERE edition = ? AND state = 'live' "
            "AND placement IS NOT NULL AND placement_until > ?",
            (edition, to_iso(now)),
        )
        return await self.articles.summarise(rows), from_iso(str(ends)) if ends else None

    async def scope(
        self, scope: FeedScope, page: int, per_page: int
    ) -> tuple[list[ArticleSummary], bool]:
        """One page of a scope's live articles, newest first, and whether another follows."""
        return await self._page(
            of_articles().where(newest_live(scope, page * per_page + 1)), page, per_page
        )

    async def between(
        self, edition: str, start: datetime, end: datetime, page: int, per_page: int
    ) -> tuple[list[ArticleSummary], bool]:
        """Live articles of the edition published in [start, end), newest first, paginated."""
        query = (
            of_articles()
            .where(LIVE)
            .where("a.edition = ?", edition)
            .where("a.published >= ? AND a.published < ?", to_iso(start), to_iso(end))
        )
        return await self._page(query, page, per_page)

    async def related(self, article_id: str, limit: int = 5) -> list[ArticleSummary]:
        """ "More on this topic" as the writer ranked it (archive/related.py); the newest of the
        article's section when nothing else shares its topics or words."""
        ranked = Query(of_articles().columns, _RANKED).where("me.id = ?", article_id).where(LIVE)
        found = await self.articles.summaries(ranked.order_by("r.position").page(limit))
        if found:
            return found
        newest = (
            Query(of_articles().columns, _SAME_SECTION)
            .where("me.id = ?", article_id)
            .where(LIVE)
            .where("a.id != me.id")
        )
        return await self.articles.summaries(newest.order_by("a.published DESC").page(limit))

    async def translations(self, article_id: str, original: str) -> dict[str, str]:
        """edition -> path of each live version of the story in another edition."""
        root = original or article_id
        rows = await self.db.rows(
            "SELECT edition, path FROM articles WHERE id = ? AND state = 'live' AND id != ? "
            "UNION ALL SELECT edition, path FROM articles "
            "WHERE translation_of = ? AND translation_of != '' AND state = 'live' AND id != ?",
            (root, article_id, root, article_id),
        )
        return {str(r["edition"]): str(r["path"]) for r in rows}

    async def counts_between(self, edition: str, moments: list[datetime]) -> list[int]:
        """How many live articles of the edition fall between each pair of consecutive moments."""
        base = of_articles("count(*)").where(LIVE).where("a.edition = ?", edition)
        counts = []
        for start, end in pairwise(moments):
            query = base.where("a.published >= ? AND a.published < ?", to_iso(start), to_iso(end))
            counts.append(int(await self.db.value(query) or 0))
        return counts

    async def first_year(self, edition: str) -> int | None:
        first = await self.db.value(
            of_articles("min(a.published)").where(LIVE).where("a.edition = ?", edition)
        )
        return int(str(first)[:4]) if first else None

    async def followed(self, edition: str, kind: str, limit: int) -> list[tuple[str, str, int]]:
        """(slug, name, live stories) of the edition's topics or authors (`kind`), those
        with the most stories first, at most `limit`: what the Feeds page and OPML list."""
        table = {"topic": "article_topics", "author": "article_authors"}[kind]
        rows = await self.db.rows(
            f"SELECT t.slug, min(t.name) AS name, count(*) AS stories FROM {table} t "
            "JOIN articles a ON a.num = t.article_num "
            "WHERE a.state = 'live' AND a.edition = ? GROUP BY t.slug "
            "ORDER BY stories DESC, t.slug LIMIT ?",
            (edition, limit),
        )
        return [(str(r["slug"]), str(r["name"]), int(r["stories"])) for r in rows]

    async def sitemap_months(self) -> list[tuple[str, datetime, datetime]]:
        """(YYYY-MM, newest publication, last change) for every month with live articles,
        oldest first. The last change is what the month's sitemap says of it (sitemaps.org:
        when the file changed): the newest of its stories' modified times (model.modified_at,
        here in SQL: the strings are all to_iso's, so they compare as the moments do) and of
        the times a story left it."""
        rows = await self.db.rows(
            "SELECT substr(published, 1, 7) AS month,"
            " max(CASE WHEN state = 'live' THEN published END) AS newest,"
            " max(CASE WHEN state = 'live' THEN max(published, coalesce(updated, ''),"
            "   CASE WHEN version > 1 THEN last_changed ELSE '' END,"
            "   coalesce((SELECT max(json_extract(c.value, '$.date'))"
            "             FROM json_each(corrections) AS c), ''))"
            "   ELSE last_changed END) AS changed "
            "FROM articles WHERE state IN ('live', 'withdrawn') GROUP BY 1 "
            "HAVING newest IS NOT NULL ORDER BY 1"
        )
        # and when a story last left each month (moved, unpublished: migration 0017's trigger)
        left = {
            str(r["month"]): str(r["at"])
            for r in await self.db.rows("SELECT month, at FROM sitemap_departures")
        }
        return [
            (
                str(r["month"]),
                from_iso(r["newest"]),
                from_iso(max(str(r["changed"]), left.get(str(r["month"]), ""))),
            )
            for r in rows
        ]

    async def sitemap_entries(self, month: str) -> list[tuple[str, datetime]]:
        """(path, when it last changed as readers see it) of every live article published in
        the month (UTC): its modified time, not when the archive read it."""
        query = (
            of_articles("a.path, a.published, a.updated, a.corrections, a.version, a.last_changed")
            .where(LIVE)
            .where(
                "a.published >= ? AND a.published < ?", month_start(month), next_month_start(month)
            )
            .order_by("a.published")
        )
        rows = await self.db.rows(query)
        return await asyncio.to_thread(_sitemap_entries, rows)  # a month: off the event loop

    async def newest_before(self, moment: datetime) -> datetime | None:
        """When the newest live story published before `moment` was."""
        found = await self.db.value(
            of_articles("max(a.published)").where(LIVE).where("a.published < ?", to_iso(moment))
        )
        return from_iso(str(found)) if found else None

    async def recent(self, since: datetime, limit: int) -> list[tuple[str, str, str, datetime]]:
        """(path, title, edition, published) of live articles published since `since`."""
        query = (
            of_articles("a.path, a.title, a.edition, a.published")
            .where(LIVE)
            .where("a.published >= ?", to_iso(since))
            .order_by("a.published DESC")
            .page(limit)
        )
        return [
            (str(r["path"]), str(r["title"]), str(r["edition"]), from_iso(r["published"]))
            for r in await self.db.rows(query)
        ]


def _sitemap_entries(rows: list[sqlite3.Row]) -> list[tuple[str, datetime]]:
    return [
        (
            str(r["path"]),
            modified_at(
                from_iso(r["published"]),
                from_iso(r["updated"]) if r["updated"] else None,
                tuple(c.date for c in corrections_from_json(r["corrections"])),
                int(r["version"]),
                from_iso(r["last_changed"]),
            ),
        )
        for r in rows
    ]
