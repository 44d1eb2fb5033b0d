"""Ranking "More on this topic", done by the writer when articles change, not per request.

A candidate scores for every topic it shares with the article, each weighted by its rarity
(a topic on half the archive says little), plus its text similarity (FTS5 bm25, over
headline, standfirst and body, of the distinctive words of the article's headline and
standfirst), times a pull towards stories close in time. The result is
stored in `related`, so a page reads five rows by index.

A change to one article reaches the articles it can move: itself, those that list it, and
the newest of each topic it carries. A large batch (a first scan) ranks every live article
once instead, after the batch.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import sqlite3
import unicodedata
from array import array
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from syndication.archive.column_values import from_iso
from syndication.archive.schema import Access, connect, transaction

LIMIT = 5  # stories shown under "More on this topic"
CANDIDATES_PER_TOPIC = 50  # newest articles of each shared topic considered
TOPIC_NEIGHBOURS = 20  # newest articles of each topic re-ranked when one of its articles changes
TEXT_MATCHES = 20  # best bm25 matches considered
TEXT_WEIGHT = 2.0  # the best text match counts as much as a topic on 1 article in 7
QUERY_WORDS = 6  # distinctive words asked of FTS5
MAX_WORD_SHARE = 20  # a word in more than 1/20 of the archive is not distinctive ...
MAX_WORD_DOCS = 100  # ... nor one in more than 100 articles (bounds the bm25 work)
RECENCY_DAYS = 365.0  # a candidate this much older than the article counts 3/4 as much
WORD_CACHE = 200_000  # words whose counts are remembered
BULK = 2000  # more changed articles than this: rank every live article instead
BATCH = 500  # rankings per transaction in a bulk pass, so readers see progress
# How many articles hold a word, counted no further than a cap: FTS5 reads only that much
# of the word's list, where count(*) of every match would read it whole.
CAPPED_COUNT = (
    "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
)

_WORD = re.compile(r"[^\W_]+")

# (batches of article numbers, live total, topic counts) -> each batch's rankings, in order
RankBatches = Callable[[list[list[int]], int, dict[str, int]], Iterable[list[list[int]]]]


def words(text: str) -> set[str]:
    """The tokens FTS5's unicode61 tokenizer (remove_diacritics 2) makes of `text`."""
    plain = text.lower()
    if not plain.isascii():  # ASCII has nothing to decompose
        folded = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in _WORD.findall(plain) if len(w) > 2 and not w.isdigit()}


class RelatedRanker:
    """Keeps `related` in step with the archive; runs on the writer's connection (and, for a
    full pass, on ranking workers' own read-only ones)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # A full pass reads what rankings ask about other articles once (`preload`);
        # otherwise each ranking asks the archive.
        self._newest: dict[tuple[str, str], list[int]] | None = None
        self._live: _LiveArticles | None = None
        # How many articles hold a word, capped just above the distinctive limit. Kept
        # across rankings: titles share most of their words, and a common word stays common.
        self._word_docs: dict[str, int] = {}
        self._words_total = 0  # archive size when the counts were taken

    def enqueue(self, article_ids: Iterable[str]) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO related_due (article_num) "
            "SELECT num FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),),
        )

    def pending(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM related_due").fetchone()[0])

    def refresh_small(self) -> int:
        """Carry a few queued changes into `related`, inside the caller's transaction, so
        pages rebuilt for the change already see the new ranking. Returns articles ranked."""
        seeds = [r[0] for r in self.conn.execute("SELECT article_num FROM related_due")]
        affected: set[int] = set()
        for num in seeds:
            affected |= self._neighbours(num)
        total = self._live_total()
        self._store_many(
            {num: self.rank(num, total, self.topic_counts(num)) for num in sorted(affected)}
        )
        self.conn.execute("DELETE FROM related_due")
        return len(affected)

    def refresh_all(self, rank_batches: RankBatches) -> int:
        """Rank every live article, storing a transaction per BATCH; the queue is emptied
        last, so a pass cut short by a crash is simply run again. `rank_batches` does the
        ranking (in worker processes reading the archive), yielding in order."""
        conn = self.conn
        nums = [r[0] for r in conn.execute("SELECT num FROM articles WHERE state = 'live'")]
        total = max(1, len(nums))
        counts = dict(conn.execute("SELECT slug, count(*) FROM article_topics GROUP BY slug"))
        batches = [nums[start : start + BATCH] for start in range(0, len(nums), BATCH)]
        for batch, lists in zip(batches, rank_batches(batches, total, counts), strict=True):
            with transaction(conn):
                self._store_many(dict(zip(batch, lists, strict=True)))
        conn.execute(
            "DELETE FROM related WHERE article_num IN "
            "(SELECT num FROM articles WHERE state != 'live')"
        )
        conn.execute("DELETE FROM related_due")
        return len(nums)

    def _neighbours(self, num: int) -> set[int]:
        """The articles whose ranking a change to `num` can move."""
        conn = self.conn
        found = {num}
        found.update(
            r[0]
            for r in conn.execute("SELECT article_num FROM related WHERE related_num = ?", (num,))
        )
        row = conn.execute("SELECT edition FROM articles WHERE num = ?", (num,)).fetchone()
        if row is None:
            return found
        for (slug,) in conn.execute(
            "SELECT slug FROM article_topics WHERE article_num = ?", (num,)
        ).fetchall():
            found.update(r[0] for r in self._topic_newest(slug, row[0], num, TOPIC_NEIGHBOURS))
        return found

    def preload(self) -> None:
        """For a pass that ranks every article, read once what each ranking would otherwise
        ask of the archive again and again: each topic's CANDIDATES_PER_TOPIC + 1 newest
        live articles per edition, in the order the index gives them (newest first, then by
        number), and every live article's edition and date. That is about 9 bytes an
        article, plus 52 numbers a topic."""
        self._live = _LiveArticles.read(self.conn)
        newest: dict[tuple[str, str], list[int]] = {}
        for slug, edition, num in self.conn.execute(
            "SELECT slug, edition, num FROM (SELECT t.slug, a.edition, t.article_num AS num, "
            "row_number() OVER (PARTITION BY t.slug, a.edition "
            "ORDER BY t.published DESC, t.article_num) AS n "
            "FROM article_topics t JOIN articles a ON a.num = t.article_num "
            "WHERE a.state = 'live') WHERE n <= ? ORDER BY slug, edition, n",
            (CANDIDATES_PER_TOPIC + 1,),
        ):
            newest.setdefault((slug, edition), []).append(num)
        self._newest = newest

    def _topic_newest(self, slug: str, edition: str, exclude: int, limit: int) -> list[tuple[int]]:
        if self._newest is not None and limit <= CANDIDATES_PER_TOPIC:
            found = self._newest.get((slug, edition), [])
            return [(num,) for num in found if num != exclude][:limit]
        return self.conn.execute(
            "SELECT t.article_num FROM article_topics t JOIN articles a ON a.num = t.article_num "
            "WHERE t.slug = ? AND a.state = 'live' AND a.edition = ? AND a.num != ? "
            "ORDER BY t.published DESC LIMIT ?",
            (slug, edition, exclude, limit),
        ).fetchall()

    def _live_total(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM articles WHERE state = 'live'").fetchone()
        return max(1, int(row[0]))

    def topic_counts(self, num: int) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT t.slug, (SELECT count(*) FROM article_topics x WHERE x.slug = t.slug) "
                "FROM article_topics t WHERE t.article_num = ?",
                (num,),
            )
        )

    def rank(self, num: int, total: int, topic_counts: dict[str, int]) -> list[int]:
        """The best LIMIT live articles of the same edition for article `num` (none unless
        it is live itself). `topic_counts` holds at least the article's topics."""
        conn = self.conn
        row = conn.execute(
            "SELECT edition, published, state, title || ' ' || standfirst "
            "FROM articles WHERE num = ?",
            (num,),
        ).fetchone()
        if row is None or row[2] != "live":
            return []
        edition, published, _, head = row
        scores: dict[int, float] = {}
        for (slug,) in conn.execute(
            "SELECT slug FROM article_topics WHERE article_num = ?", (num,)
        ).fetchall():
            weight = math.log((total + 1) / max(1, topic_counts.get(slug, 1)))
            for (other,) in self._topic_newest(slug, edition, num, CANDIDATES_PER_TOPIC):
                scores[other] = scores.get(other, 0.0) + weight
        for other, similarity in self._similar(num, edition, head, total).items():
            scores[other] = scores.get(other, 0.0) + TEXT_WEIGHT * similarity
        if not scores:
            return []
        when = _seconds(published)
        dates = self._published(scores)
        # the highest score first, the newer article (the higher number) between equals
        ranked = heapq.nsmallest(
            LIMIT,
            (
                (-(score * (1 + 1 / (1 + abs(dates[other] - when) / 86400 / RECENCY_DAYS))), -other)
                for other, score in scores.items()
            ),
        )
        return [-negated for _, negated in ranked]

    def _similar(self, num: int, edition: str, head: str, total: int) -> dict[int, float]:
        """Live articles of the edition sharing the article's distinctive words, scored by
        bm25 relative to the best match (1.0)."""
        if total > 2 * self._words_total or len(self._word_docs) > WORD_CACHE:
            self._word_docs.clear()  # the archive has grown: count afresh
            self._words_total = total
        limit = max(2, min(MAX_WORD_DOCS, total // MAX_WORD_SHARE))
        counted = [(docs, w) for w in words(head) if 2 <= (docs := self._docs(w)) <= limit]
        if not counted:
            return {}
        chosen = [w for _, w in sorted(counted)[:QUERY_WORDS]]
        # The best matches of the whole archive, then only those of the edition that are live:
        # joining every match to `articles` before ranking costs three times as much.
        rows = self.conn.execute(
            "SELECT rowid, -bm25(articles_fts, 4.0, 2.0, 1.0) FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY 2 DESC LIMIT ?",
            (" OR ".join(f'"{w}"' for w in chosen), 2 * TEXT_MATCHES),
        ).fetchall()
        scored = {r[0]: r[1] for r in rows if r[0] != num}
        wanted = self._live_in(list(scored), edition)
        kept = sorted(((scored[other], other) for other in wanted), reverse=True)[:TEXT_MATCHES]
        best = kept[0][0] if kept else 0.0
        return {other: score / best for score, other in kept} if best > 0 else {}

    def _published(self, nums: Collection[int]) -> array[int] | dict[int, int]:
        """When each of these live articles was published, in seconds since the epoch."""
        if self._live is not None:
            return self._live.published  # by number: all of them
        rows = self.conn.execute(
            "SELECT num, published FROM articles WHERE num IN (SELECT value FROM json_each(?))",
            (json.dumps(list(nums)),),
        )
        return {num: _seconds(published) for num, published in rows}

    def _live_in(self, nums: list[int], edition: str) -> list[int]:
        """Those of `nums` that are live articles of `edition`."""
        if self._live is not None:
            return [num for num in nums if self._live.is_live_in(num, edition)]
        rows = self.conn.execute(
            # CROSS JOIN keeps SQLite from walking the live index instead of looking rows up
            "SELECT a.num FROM json_each(?) j CROSS JOIN articles a ON a.num = j.value "
            "WHERE a.state = 'live' AND a.edition = ?",
            (json.dumps(nums), edition),
        )
        return [r[0] for r in rows]

    def _docs(self, word: str) -> int:
        """Articles holding `word`, counted up to MAX_WORD_DOCS + 1: FTS5 walks the word's
        list only that far, where a vocabulary lookup would walk all of it."""
        docs = self._word_docs.get(word)
        if docs is None:
            docs = self.conn.execute(CAPPED_COUNT, (f'"{word}"', MAX_WORD_DOCS + 1)).fetchone()[0]
            self._word_docs[word] = docs
        return docs

    def _store_many(self, rankings: dict[int, list[int]]) -> None:
        """Replace the stored rankings of these articles, in two statements."""
        self.conn.execute(
            "DELETE FROM related WHERE article_num IN (SELECT value FROM json_each(?))",
            (json.dumps(list(rankings)),),
        )
        self.conn.executemany(
            "INSERT INTO related (article_num, position, related_num) VALUES (?, ?, ?)",
            [(num, i, other) for num, ranked in rankings.items() for i, other in enumerate(ranked)],
        )


def _seconds(published: str) -> int:
    """An archive date (whole seconds, UTC) in seconds since the epoch."""
    return int(from_iso(published).timestamp())


@dataclass(frozen=True, slots=True)
class _LiveArticles:
    """Every live article's edition and date, by article number, in two arrays."""

    editions: tuple[str, ...]
    edition_of: bytearray  # 1 + index into `editions`; 0: not a live article
    published: array[int]  # seconds since the epoch

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> _LiveArticles:
        size = 1 + int(conn.execute("SELECT coalesce(max(num), 0) FROM articles").fetchone()[0])
        editions: list[str] = []
        edition_of, published = bytearray(size), array("q", bytes(8 * size))
        # covered by the articles_live index: the rows themselves are not read
        for num, edition, when in conn.execute(
            "SELECT num, edition, published FROM articles WHERE state = 'live'"
        ):
            if edition not in editions:
                editions.append(edition)
            edition_of[num] = 1 + editions.index(edition)
            published[num] = _seconds(when)
        return cls(tuple(editions), edition_of, published)

    def is_live_in(self, num: int, edition: str) -> bool:
        code = self.edition_of[num] if 0 <= num < len(self.edition_of) else 0
        return code > 0 and self.editions[code - 1] == edition


_worker_ranker: RelatedRanker | None = None  # one per worker process, with its word counts


def rank_batch(
    db_path: str, batch: list[int], total: int, counts: dict[str, int]
) -> list[list[int]]:
    """Rank a batch in a worker process, on a read-only connection of its own."""
    global _worker_ranker
    if _worker_ranker is None:
        _worker_ranker = RelatedRanker(connect(Path(db_path), Access.READER))
        _worker_ranker.preload()
    return [_worker_ranker.rank(num, total, counts) for num in batch]
