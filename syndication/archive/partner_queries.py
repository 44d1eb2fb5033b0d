"""What a partner may see: its key, its share of the changes log, its items.

A partner sees an article when it is entitled to the article's section and edition, the
article may be syndicated (never licensed-in content unless an editor says so), and it is
live, or scheduled and the partner has embargo access. An article it had that it may no
longer see comes back once as `canceled`.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from syndication.archive.articles import LIVE, NEWEST_FIRST, Articles, of_articles
from syndication.archive.column_values import from_iso, to_iso
from syndication.archive.partners import PARTNER_COLUMNS, hash_key, partner_from_row
from syndication.archive.sql import Condition, Query, Reader, matches
from syndication.model import ArchivedArticle, Partner, State

View = Literal["usable", "withheld", "canceled"]


def view_of(partner: Partner, archived: ArchivedArticle) -> View | None:
    """How the partner may see the article now: usable, withheld (embargoed), or not."""
    article = archived.article
    if not (article.syndication and partner.entitled(article.edition, article.section)):
        return None
    if archived.state is State.LIVE:
        return "usable"
    if archived.state is State.SCHEDULED and partner.embargo_access:
        return "withheld"
    return None


@dataclass(frozen=True, slots=True)
class PartnerChange:
    seq: int
    at: datetime
    view: View
    article: ArchivedArticle


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What a partner asks of /api/v1/items, besides its own entitlement."""

    sections: tuple[str, ...]
    topic: str | None = None
    matched: list[int] | None = None  # article numbers a search found (search.matching)
    since: datetime | None = None
    until: datetime | None = None


def _one_of(column: str, values: object) -> Condition:
    return matches(f"{column} IN (SELECT value FROM json_each(?))", json.dumps(values))


class PartnerQueries:
    def __init__(self, db: Reader, articles: Articles) -> None:
        self.db = db
        self.articles = articles

    async def by_key(self, key: str) -> Partner | None:
        """The partner holding this key, revoked or not (the caller tells them apart)."""
        wanted = hash_key(key)
        row = await self.db.one(
            f"SELECT {PARTNER_COLUMNS}, key_hash FROM partners WHERE key_hash = ?", (wanted,)
        )
        if row is None or not hmac.compare_digest(str(row["key_hash"]), wanted):
            return None
        return partner_from_row(row)

    async def by_id(self, partner_id: int) -> Partner | None:
        row = await self.db.one(
            f"SELECT {PARTNER_COLUMNS} FROM partners WHERE id = ?", (partner_id,)
        )
        return partner_from_row(row) if row else None

    async def had(self, partner: Partner, article_ids: list[str]) -> set[str]:
        """Which of these articles the partner holds: delivered, and not canceled since."""
        rows = await self.db.rows(
            "SELECT article_id FROM deliveries d WHERE partner_id = ? AND article_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY article_id "
            "HAVING max(CASE WHEN status = 'canceled' THEN at END) IS NULL "
            "OR max(CASE WHEN status != 'canceled' THEN at END) > "
            "max(CASE WHEN status = 'canceled' THEN at END)",
            (partner.id, json.dumps(article_ids)),
        )
        return {str(r["article_id"]) for r in rows}

    async def received(self, partner: Partner, article_id: str) -> bool:
        """Whether the partner was ever handed this article, a cancellation included."""
        found = await self.db.value(
            "SELECT 1 FROM deliveries WHERE partner_id = ? AND article_id = ? LIMIT 1",
            (partner.id, article_id),
        )
        return found is not None

    async def changes(
        self, partner: Partner, after: int, limit: int, head: int
    ) -> tuple[list[PartnerChange], int, bool]:
        """The partner's changes after sequence `after`, oldest first, the sequence to continue
        from, and whether more are waiting. `head` is the log's last sequence as read before
        this query: with fewer than `limit` rows the partner has seen everything up to it.
        Each article appears at its latest change only, so a partner pulling from the start
        gets each article once, as it is now."""
        editions = json.dumps(partner.editions)
        query = (
            Query("c.seq, c.article_id, c.at", "changes c JOIN articles a ON a.id = c.article_id")
            .where("c.seq > ?", after)
            .where("c.seq = (SELECT max(x.seq) FROM changes x WHERE x.article_id = c.article_id)")
            .where(
                "(a.section IN (SELECT value FROM json_each(?)) "
                " AND (? = '[]' OR a.edition IN (SELECT value FROM json_each(?)))) "
                "OR c.article_id IN (SELECT article_id FROM deliveries WHERE partner_id = ?)",
                json.dumps(partner.sections),
                editions,
                editions,
                partner.id,
            )
            .order_by("c.seq")
            .page(limit)
        )
        rows = await self.db.rows(query)
        more = len(rows) == limit
        if not rows:
            return [], max(after, head), False
        ids = [str(r["article_id"]) for r in rows]
        found = await self.articles.full(of_articles().where(_one_of("a.id", ids)))
        by_id = {a.article.id: a for a in found}
        holding = await self.had(partner, ids)
        out = []
        for r in rows:
            archived = by_id[r["article_id"]]
            view = view_of(partner, archived)
            if view is None and r["article_id"] in holding:
                view = "canceled"
            if view is not None:
                out.append(PartnerChange(int(r["seq"]), from_iso(r["at"]), view, archived))
        last = int(rows[-1]["seq"])
        return out, last if more else max(last, head), more

    async def items(
        self, partner: Partner, wanted: ItemFilter, page: int, per_page: int
    ) -> tuple[list[tuple[View, ArchivedArticle]], bool]:
        """The partner's current items, most recently changed first, and whether more follow."""
        states = ["live", "scheduled"] if partner.embargo_access else ["live"]
        query = (
            of_articles()
            .where("a.syndication = 1")
            .where(_one_of("a.state", states))
            .where(_one_of("a.section", wanted.sections))
        )
        if partner.editions:
            query = query.where(_one_of("a.edition", partner.editions))
        if wanted.topic:
            query = query.where(
                "a.num IN (SELECT article_num FROM article_topics WHERE slug = ?)", wanted.topic
            )
        if wanted.matched is not None:  # searched on the search connection, within budget
            query = query.where(
                "a.num IN (SELECT value FROM json_each(?))", json.dumps(wanted.matched)
            )
        if wanted.since is not None:
            query = query.where("a.last_changed >= ?", to_iso(wanted.since))
        if wanted.until is not None:
            query = query.where("a.last_changed < ?", to_iso(wanted.until))
        query = query.order_by("a.last_changed DESC, a.num DESC")
        found = await self.articles.full(query.page(per_page + 1, (page - 1) * per_page))
        items = [(view, a) for a in found[:per_page] if (view := view_of(partner, a)) is not None]
        return items, len(found) > per_page

    async def feed_items(
        self, partner: Partner, edition: str, section: str, limit: int
    ) -> list[ArchivedArticle]:
        """The newest articles of a section the partner may republish now, newest first."""
        query = (
            of_articles()
            .where(LIVE)
            .where("a.syndication = 1 AND a.edition = ? AND a.section = ?", edition, section)
            .order_by(NEWEST_FIRST)
            .page(limit)
        )
        found = await self.articles.full(query)
        return [a for a in found if view_of(partner, a) == "usable"]
