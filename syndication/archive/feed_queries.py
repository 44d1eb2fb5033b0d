"""What feeds need from the archive: their articles, tombstones, months, and what changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from syndication.archive.articles import LIVE, NEWEST_FIRST, WAS_PUBLIC, Articles, of_articles
from syndication.archive.column_values import from_iso, to_iso
from syndication.archive.sql import Condition, Query, Reader, matches
from syndication.model import ArchivedArticle, FeedKind, FeedScope, Tombstone
from syndication.months import month_start, next_month_start


def membership_table(scope: FeedScope) -> str:
    """The table that says which articles a topic's or an author's feed holds."""
    return "article_topics" if scope.kind is FeedKind.TOPIC else "article_authors"


def in_scope_of(scope: FeedScope) -> Condition:
    """The scope's articles (in any state) among `articles a`, for queries that start from a
    few candidate articles. A topic's or author's membership is one primary-key look-up a
    candidate: `a.num IN (SELECT ... WHERE slug = ?)` would first list every article of the
    topic (90 ms for a topic on 356,000 of a million articles)."""
    if scope.kind is FeedKind.ALL:
        return matches("a.edition = ?", scope.edition)
    if scope.kind is FeedKind.SECTION:
        return matches("a.edition = ? AND a.section = ?", scope.edition, scope.key)
    return matches(
        f"a.edition = ? AND EXISTS (SELECT 1 FROM {membership_table(scope)} m "
        "WHERE m.article_num = a.num AND m.slug = ?)",
        scope.edition,
        scope.key,
    )


def published_between(scope: FeedScope, start: str, end: str) -> Condition:
    """The scope's live articles published in [start, end). A topic's or author's come from
    its dated index, and then by number (the CROSS JOIN keeps SQLite from walking the
    edition's articles instead), so a month of a topic costs its articles of that month."""
    if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
        where = in_scope_of(scope)
        return Condition(
            f"{LIVE.sql} AND {where.sql} AND a.published >= ? AND a.published < ?",
            (*where.params, start, end),
        )
    return matches(
        f"a.num IN (SELECT t.article_num FROM {membership_table(scope)} t CROSS JOIN articles x "
        "ON x.num = t.article_num WHERE t.slug = ? AND t.published >= ? AND t.published < ? "
        "AND x.edition = ? AND x.state = 'live')",
        scope.key,
        start,
        end,
        scope.edition,
    )


def newest_live(scope: FeedScope, count: int) -> Condition:
    """For queries that want only the scope's `count` newest live articles. A topic's or
    author's are found from its own dated index, and then by number: walking every live
    article newest first to find the few of a rare topic took 10 ms on 100,000 (and SQLite
    takes that walk whenever `a.state` is asked)."""
    if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
        where = in_scope_of(scope)
        return Condition(f"{LIVE.sql} AND {where.sql}", where.params)
    return matches(
        f"a.num IN (SELECT t.article_num FROM {membership_table(scope)} t CROSS JOIN articles x "
        "ON x.num = t.article_num WHERE t.slug = ? AND x.edition = ? AND x.state = 'live' "
        "ORDER BY t.published DESC, t.article_num DESC LIMIT ?)",
        scope.key,
        scope.edition,
        count,
    )


def _of_ids(article_ids: list[str]) -> Condition:
    return matches("a.id IN (SELECT value FROM json_each(?))", json.dumps(article_ids))


@dataclass(frozen=True, slots=True)
class Neighbours:
    """A month archive's neighbours in its scope, and the articles that make them so."""

    before: str | None
    after: str | None
    ids: frozenset[str]


class FeedQueries:
    def __init__(self, db: Reader, articles: Articles) -> None:
        self.db = db
        self.articles = articles

    async def newest(self, scope: FeedScope, limit: int) -> list[ArchivedArticle]:
        """The newest live articles of the scope, newest first."""
        query = of_articles().where(newest_live(scope, limit)).order_by(NEWEST_FIRST)
        return await self.articles.full(query.page(limit), with_text=False)

    async def of_month(self, scope: FeedScope, month: str) -> list[ArchivedArticle]:
        """Every live article of the scope published in `month` (YYYY-MM, UTC), newest first."""
        where = published_between(scope, month_start(month), next_month_start(month))
        query = of_articles().where(where).order_by(NEWEST_FIRST)
        return await self.articles.full(query, with_text=False)

    async def tombstones(self, scope: FeedScope, since: datetime) -> list[Tombstone]:
        """Articles of the scope whose latest change is a withdrawal at or after `since`."""
        query = (
            Query("a.id, a.path, c.at", "changes c JOIN articles a ON a.id = c.article_id")
            .where("c.kind = 'withdrawn' AND c.at >= ?", to_iso(since))
            # IN, not != 'live': the (edition, section, state) index then finds the few.
            .where("a.state IN ('withdrawn', 'draft', 'scheduled')")
            .where(in_scope_of(scope))
            .where("c.seq = (SELECT max(seq) FROM changes WHERE article_id = a.id)")
            .order_by("c.seq DESC")
            .page(100)
        )
        return [Tombstone(r["id"], r["path"], from_iso(r["at"])) for r in await self.db.rows(query)]

    async def withdrawn_of_month(self, scope: FeedScope, month: str) -> list[Tombstone]:
        """The scope's stories published in `month` that were live and are withdrawn now:
        the tombstones a month's archive keeps, so the archive stays (RFC 5005)."""
        query = (
            Query("a.id, a.path, c.at", "changes c JOIN articles a ON a.id = c.article_id")
            .where("c.kind = 'withdrawn'")
            .where("a.state IN ('withdrawn', 'draft', 'scheduled')")
            .where(in_scope_of(scope))
            .where(
                "a.published >= ? AND a.published < ?", month_start(month), next_month_start(month)
            )
            .where("c.seq = (SELECT max(seq) FROM changes WHERE article_id = a.id)")
            .order_by("c.seq DESC")
        )
        return [Tombstone(r["id"], r["path"], from_iso(r["at"])) for r in await self.db.rows(query)]

    async def changed_since(self, seq: int) -> set[str]:
        """Ids of articles a change after `seq` touched, and of the other language versions
        of each (what links to a version changes when one appears, moves or goes)."""
        rows = await self.db.rows(
            "WITH changed(id) AS (SELECT DISTINCT article_id FROM changes WHERE seq > ?), "
            "roots(id) AS (SELECT id FROM changed UNION SELECT a.translation_of FROM articles a "
            "  JOIN changed c ON a.id = c.id WHERE a.translation_of != '') "
            "SELECT id FROM roots UNION SELECT a.id FROM articles a JOIN roots r "
            "  ON a.translation_of = r.id AND a.translation_of != ''",
            (seq,),
        )
        return {str(r["id"]) for r in rows}

    async def any_in_scope(self, scope: FeedScope, ids: set[str]) -> bool:
        """Does any of these articles belong to the scope now."""
        if not ids:
            return False
        query = of_articles("1").where(_of_ids(sorted(ids))).where(in_scope_of(scope)).page(1)
        return await self.db.one(query) is not None

    async def scope_name(self, scope: FeedScope) -> str | None:
        """The display name of a topic or author as editors wrote it; None when no story that
        names it was ever public (a deleted draft must not reveal its topics)."""
        query = (
            Query("t.name", f"{membership_table(scope)} t JOIN articles a ON a.num = t.article_num")
            .where("t.slug = ? AND a.edition = ?", scope.key, scope.edition)
            .where(f"{LIVE.sql} OR (a.state = 'withdrawn' AND {WAS_PUBLIC.sql})")
            .page(1)
        )
        name = await self.db.value(query)
        return str(name) if name is not None else None

    async def neighbour_months(self, scope: FeedScope, month: str) -> Neighbours:
        """The nearest months before and after `month` that have live articles in the scope:
        the first live article walking back from the month's start, and forward from its end.
        Their ids come too: when one of them changes (leaves the scope), so may the links."""
        months: list[str | None] = []
        ids: set[str] = set()
        for bound, direction, order in (
            (month_start(month), "<", "DESC"),
            (next_month_start(month), ">=", "ASC"),
        ):
            if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
                query = (
                    of_articles("a.published, a.id")
                    .where(LIVE)
                    .where(in_scope_of(scope))
                    .where(f"a.published {direction} ?", bound)
                    .order_by(f"a.published {order}")
                )
            else:  # along the topic's (or author's) dated index, stopping at the first live one
                query = (
                    Query(
                        "t.published, a.id",
                        f"{membership_table(scope)} t CROSS JOIN articles a "
                        "ON a.num = t.article_num",
                    )
                    .where("t.slug = ? AND a.edition = ?", scope.key, scope.edition)
                    .where(LIVE)
                    .where(f"t.published {direction} ?", bound)
                    .order_by(f"t.published {order}")
                )
            row = await self.db.one(query.page(1))
            months.append(str(row[0])[:7] if row is not None else None)
            if row is not None:
                ids.add(str(row[1]))
        return Neighbours(months[0], months[1], frozenset(ids))

    async def scopes_of(self, article_ids: list[str]) -> set[FeedScope]:
        """Every feed scope these articles belong to (edition, section, topics, authors), the
        feeds a change to them alters. Three queries, however many ids."""
        chosen = _of_ids(article_ids)
        scopes: set[FeedScope] = set()
        for r in await self.db.rows(of_articles("DISTINCT a.edition, a.section").where(chosen)):
            scopes.add(FeedScope(r["edition"]))
            scopes.add(FeedScope(r["edition"], FeedKind.SECTION, r["section"]))
        for table, kind in (
            ("article_topics", FeedKind.TOPIC),
            ("article_authors", FeedKind.AUTHOR),
        ):
            query = Query(
                "DISTINCT a.edition, t.slug", f"{table} t JOIN articles a ON a.num = t.article_num"
            ).where(chosen)
            scopes.update(
                FeedScope(r["edition"], kind, r["slug"]) for r in await self.db.rows(query)
            )
        return scopes
