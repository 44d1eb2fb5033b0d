"""Full-text search over the archive (FTS5, bm25), safe for whatever a reader types."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from syndication.archive.queries import SUMMARY_COLUMNS, Archive
from syndication.model import ArticleSummary

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+\*?", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers that cannot occur in article text
MAX_TERMS = 12
BROAD = 2000  # more may match than this (and one in SHARE): newest first, not ranked
SHARE = 50


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
    """A page of live articles of the edition matching `text`: best first by bm25, or, when
    a query may match more than one article in fifty (and more than BROAD), newest first.
    Ranking 90,000 matches costs 200 ms and says little; the newest is what a reader wants,
    and finding them costs about fifty look-ups a result whatever the archive's size."""
    query = fts_query(text)
    if not query:
        return [], False
    offset = (page - 1) * per_page
    size = await _size(archive)
    broad = max(BROAD, size // SHARE)
    if await _at_most(archive, query, broad) > broad:
        rows = await _newest(archive, edition, query, per_page + 1, offset, size)
    else:
        rows = await _ranked(archive, edition, query, per_page + 1, offset)
    found = await archive.summaries([r[:-1] for r in rows[:per_page]])
    hits = [
        Hit(summary, html.escape(r[-1]).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))
        for summary, r in zip(found, rows, strict=False)
    ]
    return hits, len(rows) > per_page


_TERM = re.compile(r'"([^"]+)"(\*?)')
# How many articles match, counted no further than a cap: FTS5 walks only that much of the
# words' lists, where count(*) of every match would read them whole.
CAPPED_COUNT = (
    "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
)


async def matches_up_to(archive: Archive, query: str, cap: int) -> int:
    async with archive.conn.execute(CAPPED_COUNT, (query, cap)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _size(archive: Archive) -> int:
    """About how many articles the archive holds (the highest number: no count needed)."""
    async with archive.conn.execute("SELECT max(num) FROM articles") as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def _at_most(archive: Archive, query: str, broad: int) -> int:
    """An upper bound of the articles matching `query` (counted to `broad` + 1): the fewest
    of any one word. Each word's count walks only the start of its list; matching a phrase
    exactly would read the positions of every article holding both words."""
    fewest = broad + 1
    for phrase, star in _TERM.findall(query):
        words = phrase.split()
        for i, word in enumerate(words):
            term = f'"{word}"' + (star if i == len(words) - 1 else "")
            fewest = min(fewest, await matches_up_to(archive, term, broad + 1))
    return fewest


_SNIPPET = f"snippet(articles_fts, 2, '{_OPEN}', '{_CLOSE}', '…', 24)"


async def _ranked(archive: Archive, edition: str, query: str, limit: int, offset: int) -> list[Any]:
    async with archive.conn.execute(
        f"SELECT {SUMMARY_COLUMNS}, {_SNIPPET} "
        "FROM articles_fts JOIN articles a ON a.num = articles_fts.rowid "
        "WHERE articles_fts MATCH ? AND a.state = 'live' AND a.edition = ? "
        "ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), a.published DESC LIMIT ? OFFSET ?",
        (query, edition, limit, offset),
    ) as cursor:
        return list(await cursor.fetchall())


async def _newest(
    archive: Archive, edition: str, query: str, limit: int, offset: int, size: int
) -> list[Any]:
    """The edition's live matches, newest first, found the cheaper of two ways: collect
    every match (about 0.2 us a match) or walk the articles newest first asking FTS5 of
    each (about 30 us an article, fifty articles a result for a word in one in fifty). For
    one word in more than sqrt(3,150 x archive size) articles the walk wins; a phrase or
    several words may match far fewer articles than their words, so those are collected.
    Snippets are cut here from the page's articles (FTS5 would match the query again)."""
    walk = False
    if len(_TERM.findall(query)) == 1 and " " not in query.strip('"*'):
        crossover = int((3150 * max(size, 1)) ** 0.5)
        walk = await matches_up_to(archive, query, crossover + 1) > crossover
    matching = (
        "EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? "
        "AND articles_fts.rowid = a.num)"
        if walk
        else "a.num IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
    )
    async with archive.conn.execute(
        f"SELECT {SUMMARY_COLUMNS}, a.body_text FROM articles a "
        f"WHERE a.state = 'live' AND a.edition = ? AND {matching} "
        "ORDER BY a.published DESC, a.num DESC LIMIT ? OFFSET ?",
        (edition, query, limit, offset),
    ) as cursor:
        rows = list(await cursor.fetchall())
    terms = [
        (word, star == "*") for phrase, star in _TERM.findall(query) for word in phrase.split()
    ]
    return [(*r[:-1], snippet(r[-1], terms)) for r in rows]


def snippet(text: str, terms: list[tuple[str, bool]], size: int = 24) -> str:
    """About `size` words of `text` around the first match of a term (word, is_prefix),
    matches marked as FTS5's snippet() marks them."""
    wanted = [(_fold(word), prefix) for word, prefix in terms]

    def hit(token: str) -> bool:
        folded = _fold(_EDGE.sub("", token))
        return any(folded.startswith(w) if prefix else folded == w for w, prefix in wanted)

    # Find the first match with one regex over the lower-cased text, not word by word.
    pattern = "|".join(r"\b" + re.escape(w) + ("" if prefix else r"\b") for w, prefix in wanted)
    found = re.search(pattern, text.casefold()) if pattern else None
    at = found.start() if found else 0
    before = text[:at].split()
    tokens = text[at:].split()
    start = max(0, len(before) - size // 3)
    window = before[start:] + tokens[: size - (len(before) - start)]
    shown = [f"{_OPEN}{t}{_CLOSE}" if hit(t) else t for t in window]
    more = len(before) + len(tokens) > start + len(window)
    return ("…" if start else "") + " ".join(shown) + ("…" if more else "")


_EDGE = re.compile(r"^\W+|\W+$")


def _fold(word: str) -> str:
    """Lower case without accents, as the unicode61 tokenizer (remove_diacritics 2) sees it."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
