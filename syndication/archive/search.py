"""Full-text search over the archive (FTS5, bm25), safe for whatever a reader types."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from syndication.archive.queries import SUMMARY_COLUMNS, Archive
from syndication.model import ArticleSummary

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+\*?", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers that cannot occur in article text
MAX_TERMS = 12


@dataclass(frozen=True, slots=True)
class Hit:
    article: ArticleSummary
    snippet_html: str  # escaped text with <mark> around the matches


def fts_query(text: str) -> str:
    """Readers' words -> an FTS5 query that cannot be a syntax error.

    Quoted parts stay phrases, a trailing * stays a prefix search, everything else is a
    plain word; operators, brackets and punctuation are dropped rather than obeyed.
    """
    terms: list[str] = []
    for phrase in _PHRASE.findall(text):
        words = [w.rstrip("*") for w in _WORD.findall(phrase)]
        if words:
            terms.append('"' + " ".join(words) + '"')
    for word in _WORD.findall(_PHRASE.sub(" ", text)):
        if word.upper().rstrip("*") in ("AND", "OR", "NOT", "NEAR"):
            continue
        bare = word.rstrip("*")
        if bare:
            terms.append(f'"{bare}"*' if word.endswith("*") else f'"{bare}"')
    return " ".join(terms[:MAX_TERMS])


async def search(
    archive: Archive, edition: str, text: str, page: int, per_page: int
) -> tuple[list[Hit], bool]:
    """A page of live articles of the edition matching `text`, best first."""
    query = fts_query(text)
    if not query:
        return [], False
    async with archive.conn.execute(
        f"SELECT {SUMMARY_COLUMNS}, snippet(articles_fts, 2, ?, ?, '…', 24) "
        "FROM articles_fts JOIN articles a ON a.num = articles_fts.rowid "
        "WHERE articles_fts MATCH ? AND a.state = 'live' AND a.edition = ? "
        "ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), a.published DESC LIMIT ? OFFSET ?",
        (_OPEN, _CLOSE, query, edition, per_page + 1, (page - 1) * per_page),
    ) as cursor:
        rows = list(await cursor.fetchall())[: per_page + 1]
    found = await archive.summaries([r[:-1] for r in rows[:per_page]])
    hits = [
        Hit(summary, html.escape(r[-1]).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))
        for summary, r in zip(found, rows, strict=False)
    ]
    return hits, len(rows) > per_page
