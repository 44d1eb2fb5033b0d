"""What feeds need from the archive: their articles, tombstones, months, and what changed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from syndication.archive.codec import from_iso, to_iso
from syndication.archive.queries import WAS_PUBLIC, Archive
from syndication.model import ArchivedArticle, FeedKind, FeedScope, Tombstone
from syndication.months import next_month


def membership_table(scope: FeedScope) -> str:
    """The table that says which articles a topic's or an author's feed holds."""
    return "article_topics" if scope.kind is FeedKind.TOPIC else "article_authors"


def scope_filter(scope: FeedScope) -> tuple[str, tuple[Any, ...]]:
    """A WHERE fragment over `articles a` selecting the scope's articles (in any state), for
    queries that start from a few candidate articles. A topic's or author's membership is one
    primary-key look-up a candidate: `a.num IN (SELECT ... WHERE slug = ?)` would first list
    every article of the topic (90 ms for a topic on 356,000 of a million articles)."""
    if scope.kind is FeedKind.ALL:
        return "a.edition = ?", (scope.edition,)
    if scope.kind is FeedKind.SECTION:
        return "a.edition = ? AND a.section = ?", (scope.edition, scope.key)
    table = membership_table(scope)
    return (
        f"a.edition = ? AND EXISTS (SELECT 1 FROM {table} m "
        "WHERE m.article_num = a.num AND m.slug = ?)",
        (scope.edition, scope.key),
    )


def _published_between(scope: FeedScope, start: str, end: str) -> tuple[str, tuple[Any, ...]]:
    """A WHERE fragment over `articles a`: the scope's live articles published in
    [start, end). A topic's or author's come from its dated index, and then by number (the
    CROSS JOIN keeps SQLite from walking the edition's articles instead), so a month of a
    topic costs its articles of that month."""
    if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
        where, params = scope_filter(scope)
        return (
            f"a.state = 'live' AND {where} AND a.published >= ? AND a.published < ?",
            (*params, start, end),
        )
    table = membership_table(scope)
    return (
        f"a.num IN (SELECT t.article_num FROM {table} t CROSS JOIN articles x "
        "ON x.num = t.article_num WHERE t.slug = ? AND t.published >= ? AND t.published < ? "
        "AND x.edition = ? AND x.state = 'live')",
        (scope.key, start, end, scope.edition),
    )


def newest_live(scope: FeedScope, count: int) -> tuple[str, tuple[Any, ...]]:
    """A WHERE fragment over `articles a` for queries that want only the scope's `count`
    newest live articles. A topic's or author's are found from its own dated index, and
    then by number: walking every live article newest first to find the few of a rare
    topic took 10 ms on 100,000 (and SQLite takes that walk whenever `a.state` is asked)."""
    if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
        where, params = scope_filter(scope)
        return f"a.state = 'live' AND {where}", params
    table = membership_table(scope)
    return (
        f"a.num IN (SELECT t.article_num FROM {table} t CROSS JOIN articles x "
        "ON x.num = t.article_num WHERE t.slug = ? AND x.edition = ? AND x.state = 'live' "
        "ORDER BY t.published DESC, t.article_num DESC LIMIT ?)",
        (scope.key, scope.edition, count),
    )


async def feed_articles(archive: Archive, scope: FeedScope, limit: int) -> list[ArchivedArticle]:
    """The newest live articles of the scope, newest first."""
    where, params = newest_live(scope, limit)
    return await archive.articles_where(
        f"{where} ORDER BY a.published DESC, a.num DESC LIMIT ?",
        (*params, limit),
        with_text=False,
    )


async def month_articles(archive: Archive, scope: FeedScope, month: str) -> list[ArchivedArticle]:
    """Every live article of the scope published in `month` (YYYY-MM, UTC), newest first."""
    where, params = _published_between(
        scope, f"{month}-01T00:00:00Z", f"{next_month(month)}-01T00:00:00Z"
    )
    return await archive.articles_where(
        f"{where} ORDER BY a.published DESC, a.num DESC", params, with_text=False
    )


async def tombstones(archive: Archive, scope: FeedScope, since: datetime) -> list[Tombstone]:
    """Articles of the scope whose latest change is a withdrawal at or after `since`."""
    where, params = scope_filter(scope)
    async with archive.conn.execute(
        "SELECT a.id, a.path, c.at FROM changes c JOIN articles a ON a.id = c.article_id "
        # IN, not != 'live': the (edition, section, state) index then finds the few directly.
        "WHERE c.kind = 'withdrawn' AND c.at >= ? "
        f"AND a.state IN ('withdrawn', 'draft', 'scheduled') AND {where} "
        "AND c.seq = (SELECT max(seq) FROM changes WHERE article_id = a.id) "
        "ORDER BY c.seq DESC LIMIT 100",
        (to_iso(since), *params),
    ) as cursor:
        return [Tombstone(r[0], r[1], from_iso(r[2])) for r in await cursor.fetchall()]


async def current_seq(archive: Archive) -> int:
    async with archive.conn.execute("SELECT max(seq) FROM changes") as cursor:
        row = await cursor.fetchone()
        return int(row[0] or 0) if row else 0


async def changed_since(archive: Archive, seq: int) -> set[str]:
    """Ids of articles with a change after `seq`."""
    async with archive.conn.execute(
        "SELECT DISTINCT article_id FROM changes WHERE seq > ?", (seq,)
    ) as cursor:
        return {str(row[0]) for row in await cursor.fetchall()}


async def in_scope(archive: Archive, scope: FeedScope, ids: set[str]) -> bool:
    """Does any of these articles belong to the scope now."""
    if not ids:
        return False
    where, params = scope_filter(scope)
    marks = ",".join("?" * len(ids))
    async with archive.conn.execute(
        f"SELECT 1 FROM articles a WHERE a.id IN ({marks}) AND {where} LIMIT 1",
        (*ids, *params),
    ) as cursor:
        return await cursor.fetchone() is not None


async def scope_name(archive: Archive, scope: FeedScope) -> str | None:
    """The display name of a topic or author as editors wrote it; None when no story that
    names it was ever public (a deleted draft must not reveal its topics)."""
    table = membership_table(scope)
    async with archive.conn.execute(
        f"SELECT t.name FROM {table} t JOIN articles a ON a.num = t.article_num "
        "WHERE t.slug = ? AND a.edition = ? "
        f"AND (a.state = 'live' OR (a.state = 'withdrawn' AND {WAS_PUBLIC})) LIMIT 1",
        (scope.key, scope.edition),
    ) as cursor:
        row = await cursor.fetchone()
        return str(row[0]) if row else None


async def neighbour_months(
    archive: Archive, scope: FeedScope, month: str
) -> tuple[str | None, str | None]:
    """The nearest months before and after `month` that have live articles in the scope:
    the first live article walking back from the month's start, and forward from its end."""
    start, end = f"{month}-01T00:00:00Z", f"{next_month(month)}-01T00:00:00Z"
    found: list[str | None] = []
    for bound, direction, order in ((start, "<", "DESC"), (end, ">=", "ASC")):
        if scope.kind in (FeedKind.ALL, FeedKind.SECTION):
            where, params = scope_filter(scope)
            sql = (
                f"SELECT a.published FROM articles a WHERE a.state = 'live' AND {where} "
                f"AND a.published {direction} ? ORDER BY a.published {order} LIMIT 1"
            )
        else:  # along the topic's (or author's) dated index, stopping at the first live one
            table = membership_table(scope)
            params = (scope.key, scope.edition)
            sql = (
                f"SELECT t.published FROM {table} t CROSS JOIN articles a "
                "ON a.num = t.article_num WHERE t.slug = ? AND a.edition = ? "
                f"AND a.state = 'live' AND t.published {direction} ? "
                f"ORDER BY t.published {order} LIMIT 1"
            )
        async with archive.conn.execute(sql, (*params, bound)) as cursor:
            row = await cursor.fetchone()
            found.append(str(row[0])[:7] if row else None)
    return found[0], found[1]


async def scopes_of(archive: Archive, article_ids: list[str]) -> set[FeedScope]:
    """Every feed scope these articles belong to (edition, section, topics, authors), the
    feeds a change to them alters. Three queries, however many ids."""
    ids = json.dumps(article_ids)
    chosen = "a.id IN (SELECT value FROM json_each(?))"
    scopes: set[FeedScope] = set()
    async with archive.conn.execute(
        f"SELECT DISTINCT a.edition, a.section FROM articles a WHERE {chosen}", (ids,)
    ) as cursor:
        for edition, section in await cursor.fetchall():
            scopes.add(FeedScope(edition))
            scopes.add(FeedScope(edition, FeedKind.SECTION, section))
    for table, kind in (("article_topics", FeedKind.TOPIC), ("article_authors", FeedKind.AUTHOR)):
        async with archive.conn.execute(
            f"SELECT DISTINCT a.edition, t.slug FROM {table} t "
            f"JOIN articles a ON a.num = t.article_num WHERE {chosen}",
            (ids,),
        ) as cursor:
            scopes.update(
                FeedScope(edition, kind, slug) for edition, slug in await cursor.fetchall()
            )
    return scopes
