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

from syndication.archive.codec import from_iso, to_iso
from syndication.archive.partners import PARTNER_COLUMNS, hash_key, partner_from_row
from syndication.archive.queries import Archive
from syndication.model import ArchivedArticle, Partner, State

View = Literal["usable", "withheld", "canceled"]


async def partner_by_key(archive: Archive, key: str) -> Partner | None:
    """The partner holding this key, revoked or not (the caller tells them apart)."""
    wanted = hash_key(key)
    async with archive.conn.execute(
        f"SELECT {PARTNER_COLUMNS}, key_hash FROM partners WHERE key_hash = ?", (wanted,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None or not hmac.compare_digest(str(row[-1]), wanted):
        return None
    return partner_from_row(tuple(row[:-1]))


async def partner_by_id(archive: Archive, partner_id: int) -> Partner | None:
    async with archive.conn.execute(
        f"SELECT {PARTNER_COLUMNS} FROM partners WHERE id = ?", (partner_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return partner_from_row(tuple(row)) if row else None


async def subscriber_of(archive: Archive, topic: str, callback: str) -> int | None:
    """The partner a subscription to a partner feed belongs to (0: a public subscriber)."""
    async with archive.conn.execute(
        "SELECT coalesce(partner_id, 0) FROM subscriptions WHERE topic = ? AND callback = ?",
        (topic, callback),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


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


async def had(archive: Archive, partner: Partner, article_ids: list[str]) -> set[str]:
    """Which of these articles the partner holds: delivered, and not canceled since."""
    async with archive.conn.execute(
        "SELECT article_id FROM deliveries d WHERE partner_id = ? AND article_id IN "
        "(SELECT value FROM json_each(?)) GROUP BY article_id "
        "HAVING max(CASE WHEN status = 'canceled' THEN at END) IS NULL "
        "OR max(CASE WHEN status != 'canceled' THEN at END) > "
        "max(CASE WHEN status = 'canceled' THEN at END)",
        (partner.id, json.dumps(article_ids)),
    ) as cursor:
        return {str(r[0]) for r in await cursor.fetchall()}


async def changes_for(
    archive: Archive, partner: Partner, after: int, limit: int, head: int
) -> tuple[list[PartnerChange], int, bool]:
    """The partner's changes after sequence `after`, oldest first, the sequence to continue
    from, and whether more are waiting. `head` is the log's last sequence as read before
    this query: with fewer than `limit` rows the partner has seen everything up to it.
    Each article appears at its latest change only, so a partner pulling from the start
    gets each article once, as it is now."""
    sections = json.dumps(partner.sections)
    editions = json.dumps(partner.editions)
    async with archive.conn.execute(
        "SELECT c.seq, c.article_id, c.at FROM changes c JOIN articles a ON a.id = c.article_id "
        "WHERE c.seq > ? "
        "AND c.seq = (SELECT max(x.seq) FROM changes x WHERE x.article_id = c.article_id) "
        "AND ((a.section IN (SELECT value FROM json_each(?)) "
        "      AND (? = '[]' OR a.edition IN (SELECT value FROM json_each(?)))) "
        "     OR c.article_id IN (SELECT article_id FROM deliveries WHERE partner_id = ?)) "
        "ORDER BY c.seq LIMIT ?",
        (after, sections, editions, editions, partner.id, limit),
    ) as cursor:
        rows = list(await cursor.fetchall())
    more = len(rows) == limit
    if not rows:
        return [], max(after, head), False
    ids = [str(r[1]) for r in rows]
    found = await archive.articles_where(
        "a.id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
    )
    by_id = {a.article.id: a for a in found}
    holding = await had(archive, partner, ids)
    out = []
    for seq, article_id, at in rows:
        archived = by_id[article_id]
        view = view_of(partner, archived)
        if view is None and article_id in holding:
            view = "canceled"
        if view is not None:
            out.append(PartnerChange(int(seq), from_iso(at), view, archived))
    last = int(rows[-1][0])
    return out, last if more else max(last, head), more


async def items_for(
    archive: Archive,
    partner: Partner,
    *,
    sections: tuple[str, ...],
    topic: str | None,
    query: str | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    per_page: int,
) -> tuple[list[tuple[View, ArchivedArticle]], bool]:
    """The partner's current items, most recently changed first, and whether more follow."""
    states = ["live", "scheduled"] if partner.embargo_access else ["live"]
    clause = [
        "a.syndication = 1",
        "a.state IN (SELECT value FROM json_each(?))",
        "a.section IN (SELECT value FROM json_each(?))",
    ]
    params: list[object] = [json.dumps(states), json.dumps(sections)]
    if partner.editions:
        clause.append("a.edition IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(partner.editions))
    if topic:
        clause.append("a.num IN (SELECT article_num FROM article_topics WHERE slug = ?)")
        params.append(topic)
    if query:
        clause.append("a.num IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(query)
    if since is not None:
        clause.append("a.last_changed >= ?")
        params.append(to_iso(since))
    if until is not None:
        clause.append("a.last_changed < ?")
        params.append(to_iso(until))
    found = await archive.articles_where(
        " AND ".join(clause) + " ORDER BY a.last_changed DESC, a.num DESC LIMIT ? OFFSET ?",
        (*params, per_page + 1, (page - 1) * per_page),
    )
    items = [(view, a) for a in found[:per_page] if (view := view_of(partner, a)) is not None]
    return items, len(found) > per_page


async def feed_items(
    archive: Archive, partner: Partner, edition: str, section: str, limit: int
) -> list[ArchivedArticle]:
    """The newest articles of a section the partner may republish now, newest first."""
    found = await archive.articles_where(
        "a.state = 'live' AND a.syndication = 1 AND a.edition = ? AND a.section = ? "
        "ORDER BY a.published DESC, a.num DESC LIMIT ?",
        (edition, section, limit),
    )
    return [a for a in found if view_of(partner, a) == "usable"]
