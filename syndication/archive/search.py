"""Full-text search over the archive (FTS5, bm25), safe for whatever a reader types."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syndication.archive import bodies, stems
from syndication.archive.articles import LIVE, NEWEST_FIRST, SUMMARY_COLUMNS, Articles, of_articles
from syndication.archive.column_values import to_iso
from syndication.archive.schema import CHANGE_HEAD
from syndication.archive.search_budget import SearchBudget, nobody_left
from syndication.archive.sql import Query, Reader
from syndication.errors import DamagedBody
from syndication.model import ArticleSummary

_WORD = re.compile(r"\w+\*?", re.UNICODE)
# A phrase or a word, led by "-" (at the start or after a space: "well-known" is two words).
_TOKEN = re.compile(r'(?P<minus>(?:^|(?<=\s))-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>\w+\*?))')
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers that cannot occur in article text
MAX_TERMS = 12
MIN_PREFIX = 3  # letters before a `*`
MATCHES_FOR_FILTERS = 5000  # newest matches a partner's `q` narrows its items to
FORMS_LOOKED_AT = 2000  # words sharing a stem's start that are stemmed to find its forms
MAX_FORMS = 8  # forms of one word asked for, the commonest first
# A word's forms are remembered until the archive changes: finding them reads every form's
# list (fts5vocab counts its articles), up to 17 ms for a common word.
FORMS_KEPT = 20_000
NEAREST_LOOKED_AT = 5000  # headline words of one first letter "did you mean" compares
NEAREST_CHECKED = 10  # nearest words looked for in live headlines, nearest first
SUGGEST_PROBE = 200  # headline matches a suggestion looks at, newest first (titles_fts)
_OPERATORS = ("AND", "OR", "NOT", "NEAR")
# More may match than this: newest first, not ranked. Ranking costs about 50 us a match on
# two cores (a phrase of two common words, 1,100 matches: 55 ms), collecting them 20 us.
BROAD = 500
# How common a query is, judged from its newest matches: up to PROBE of them, no further
# back than WINDOW articles. The cost is bounded whatever the archive's size.
PROBE = 200
WINDOW = 20_000
# Asking FTS5 whether one article matches costs about as much as collecting this many
# matches from its lists (30 us against 0.2 us, measured on the benchmark corpus).
WALK_PER_COLLECT = 150


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """What a search is narrowed to: a section, and published in [start, end)."""

    section: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def narrow(self, query: Query) -> Query:
        if self.section is not None:
            query = query.where("a.section = ?", self.section)
        if self.start is not None:
            query = query.where("a.published >= ?", to_iso(self.start))
        if self.end is not None:
            query = query.where("a.published < ?", to_iso(self.end))
        return query


@dataclass(frozen=True, slots=True)
class Hit:
    article: ArticleSummary
    snippet_html: str  # escaped text with <mark> around the matches


def fts_query(text: str, forms: Mapping[str, Sequence[str]] | None = None) -> str:
    """Readers' words -> an FTS5 query that cannot be a syntax error.

    Quoted parts stay phrases, a trailing * stays a prefix search, `OR` between two words or
    phrases matches either, and a word or phrase led by `-` must not be there; everything
    else is a plain word that must be, in any of its `forms` (folded word -> the archive's
    words with its stem). Other operators, brackets and punctuation are dropped rather than
    obeyed. Nothing but excluded words finds nothing (FTS5 cannot list "all but").
    """
    groups: list[list[str]] = []  # each must match; the terms of a group are alternatives
    excluded: list[str] = []
    either = False  # the last token was OR
    for token in _TOKEN.finditer(text):
        phrase, word = token["phrase"], token["word"]
        if word is not None and word.upper().rstrip("*") in _OPERATORS:
            either = word == "OR" and bool(groups)
            continue
        term = _term(phrase, word, forms or {})
        if term is None or sum(map(len, groups)) + len(excluded) >= MAX_TERMS:
            continue
        if token["minus"]:
            excluded.append(term)
        elif either:
            groups[-1].append(term)
        else:
            groups.append([term])
        either = False
    if not groups:
        return ""
    query = " AND ".join(_either(group) for group in groups)
    return f"{query} NOT {_either(excluded)}" if excluded else query


def suggest_query(text: str) -> str:
    """The FTS5 query (over titles_fts) of headlines holding the words typed, the last one
    begun (at least two letters of it); empty when there is too little to go on."""
    words = [w.rstrip("*") for w in _WORD.findall(text)]
    words = [w for w in words if w and w.upper() not in _OPERATORS][-MAX_TERMS:]
    if not words or len(words[-1]) < 2:
        return ""
    terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " AND ".join(terms)


def plain_words(text: str) -> list[str]:
    """The folded words of a query that are matched by their stem: neither in a phrase nor a
    prefix nor an operator (excluded ones too: "-strikes" leaves out every form)."""
    return [
        _fold(word)
        for token in _TOKEN.finditer(text)
        if (word := token["word"]) is not None
        and not word.endswith("*")
        and word.upper() not in _OPERATORS
    ]


def _term(phrase: str | None, word: str | None, forms: Mapping[str, Sequence[str]]) -> str | None:
    if phrase is not None:
        words = [w.rstrip("*") for w in _WORD.findall(phrase)]
        return '"' + " ".join(words) + '"' if words else None
    bare = (word or "").rstrip("*")
    if not bare:
        return None
    if (word or "").endswith("*"):
        # A prefix of one or two letters would read most of the index: it is the word itself.
        return f'"{bare}"*' if len(bare) >= MIN_PREFIX else f'"{bare}"'
    return _either([f'"{form}"' for form in forms.get(_fold(bare), [bare])])


def _either(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def wanted_part(query: str) -> str:
    """The part of an fts_query whose words a snippet marks (not the excluded ones)."""
    return query.split(" NOT ", 1)[0]


class Search:
    """Searches, on their own connection (`db`) and within `budget` (search_budget.py);
    the articles found are read through the pages' connection (`articles`)."""

    def __init__(self, db: Reader, articles: Articles, budget: SearchBudget) -> None:
        self.db = db
        self.articles = articles
        self.budget = budget
        self._forms: dict[tuple[str, str], list[str]] = {}
        self._forms_at = -1  # the change sequence they were looked up at

    async def hits(
        self,
        edition: str,
        text: str,
        page: int,
        per_page: int,
        within: SearchFilter = SearchFilter(),
        language: str = "",
        gone: Callable[[], bool] = nobody_left,
    ) -> tuple[list[Hit], bool]:
        """A page of live articles of the edition matching `text`, each word in any form
        sharing its stem in `language`: best first by bm25, or, when the query looks to match
        more than BROAD articles, newest first. Ranking thousands of matches costs a reader
        time and says little; the newest is what a reader wants. Within the budget, or
        TooBroad (SearchBusy, ReaderLeft when `gone()` says the reader left)."""
        async with self.budget.turn(gone):
            query = fts_query(text, await self.forms(language, plain_words(text)))
            if not query:
                return [], False
            offset = (page - 1) * per_page
            size = await self._size()
            share = await self._share(query, size)
            if share * size > BROAD:
                walk = walk_is_cheaper(share, size, offset + per_page + 1)
                rows = await self._newest(edition, query, within, per_page + 1, offset, walk)
            else:
                rows = await self._ranked(edition, query, within, per_page + 1, offset)
        # Bodies decompressed and cut on a thread: a page of long bodies would hold the loop.
        found = await asyncio.to_thread(_with_snippets, rows, query)
        summaries = await self.articles.summarise([row for row, _ in found[:per_page]])
        hits = [
            Hit(summary, html.escape(cut).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))
            for summary, (_, cut) in zip(summaries, found, strict=False)
        ]
        return hits, len(found) > per_page

    async def matching(
        self, query: str, limit: int = MATCHES_FOR_FILTERS, gone: Callable[[], bool] = nobody_left
    ) -> list[int]:
        """The numbers of the newest articles matching an FTS5 query (any state: the caller
        filters), at most `limit`, within the budget: what the partner API narrows by."""
        async with self.budget.turn(gone):
            rows = await self.db.rows(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?",
                (query, limit),
            )
        return [int(r[0]) for r in rows]

    async def forms(self, language: str, words: list[str]) -> dict[str, list[str]]:
        """Each word -> the archive's words with the same Snowball stem in `language`, the
        commonest first (the word itself always among them). The words looked at share the
        stem's start, at most FORMS_LOOKED_AT of them: the cost is bounded by the vocabulary,
        not the archive."""
        found: dict[str, list[str]] = {}
        if not stems.has_stemmer(language):
            return found
        if (head := int(await self.db.value(CHANGE_HEAD) or 0)) != self._forms_at:
            self._forms.clear()
            self._forms_at = head
        for word in dict.fromkeys(words):
            if len(word) < 3 or not word.isalpha():
                continue
            if (kept := self._forms.get((language, word))) is None:
                kept = await self._looked_up(language, word)
                if len(self._forms) >= FORMS_KEPT:
                    self._forms.pop(next(iter(self._forms)))  # the first looked up
                self._forms[(language, word)] = kept
            found[word] = kept
        return found

    async def _looked_up(self, language: str, word: str) -> list[str]:
        root = stems.stem(language, word)
        start = stems.shared_start(root)
        rows = await self.db.rows(
            "SELECT term, doc FROM articles_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (start, start[:-1] + chr(ord(start[-1]) + 1), FORMS_LOOKED_AT),
        )
        same = sorted(
            (-int(r["doc"]), str(r["term"]))
            for r in rows
            if str(r["term"]) != word and stems.stem(language, str(r["term"])) == root
        )
        return [word] + [term for _, term in same[: MAX_FORMS - 1]]

    async def suggestions(
        self, edition: str, text: str, limit: int = 8, gone: Callable[[], bool] = nobody_left
    ) -> list[tuple[str, str]]:
        """Headlines (title, path) of the edition's live stories whose title has every word
        typed, the last one as the start of a word: what a reader is typing, newest first.
        The newest SUGGEST_PROBE matches are looked at, so the cost is bounded."""
        query = suggest_query(text)
        if not query:
            return []
        async with self.budget.turn(gone):
            rows = await self._suggested(edition, query, limit)
        return [(str(r["title"]), str(r["path"])) for r in rows]

    async def _suggested(self, edition: str, query: str, limit: int) -> list[sqlite3.Row]:
        return await self.db.rows(
            of_articles("a.title, a.path")
            .where(
                "a.num IN (SELECT rowid FROM titles_fts WHERE titles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?)",
                query,
                SUGGEST_PROBE,
            )
            .where(LIVE)
            .where("a.edition = ?", edition)
            .order_by(NEWEST_FIRST)
            .page(limit)
        )

    async def did_you_mean(self, text: str, gone: Callable[[], bool] = nobody_left) -> str | None:
        """For a search that found nothing: the same words with each one no headline holds
        replaced by the nearest headline word (at most one edit for a word of up to five
        letters, two for a longer one; the commonest among the nearest), or None."""
        changed, out = False, []
        async with self.budget.turn(gone):
            for token in _TOKEN.finditer(text):
                word = token["word"]
                if (
                    word is None
                    or token["minus"]
                    or word.endswith("*")
                    or word.upper() in _OPERATORS
                ):
                    out.append(token.group(0))
                    continue
                better = await self._nearest(word)
                changed |= better is not None
                out.append(better or word)
        return " ".join(out) if changed else None

    async def _nearest(self, word: str) -> str | None:
        """The nearest word of a live story's headline, unless the word is one already.
        The headline index holds every story's words, drafts', scheduled and withdrawn ones'
        too: a word is offered only once a live headline is found to hold it."""
        folded = _fold(word)
        if len(folded) < 4 or not folded.isalpha():
            return None
        if await self.db.one(
            "SELECT 1 FROM titles_vocab WHERE term = ?", (folded,)
        ) and await self._in_a_live_headline(folded):
            return None
        most = 1 if len(folded) <= 5 else 2
        rows = await self.db.rows(  # words that begin as it does: a bounded look
            "SELECT term, doc FROM titles_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (folded[:1], chr(ord(folded[0]) + 1), NEAREST_LOOKED_AT),
        )
        near: list[tuple[int, int, str]] = []
        for row in rows:
            term = str(row["term"])
            if term == folded or abs(len(term) - len(folded)) > most:
                continue
            distance = edit_distance(folded, term, most)
            if distance <= most:
                near.append((distance, -int(row["doc"]), term))
        for _, _, term in sorted(near)[:NEAREST_CHECKED]:
            if await self._in_a_live_headline(term):
                return term
        return None

    async def _in_a_live_headline(self, term: str) -> bool:
        row = await self.db.one(
            "SELECT 1 FROM titles_fts JOIN articles a ON a.num = titles_fts.rowid "
            "WHERE titles_fts MATCH ? AND a.state = 'live' LIMIT 1",
            (f'"{term}"',),
        )
        return row is not None

    async def _size(self) -> int:
        """About how many articles the archive holds (the highest number: no count needed)."""
        return int(await self.db.value("SELECT max(num) FROM articles") or 0)

    async def _share(self, query: str, size: int) -> float:
        """The share of the newest articles that match `query`: exact while the archive fits
        in the window, an estimate beyond it. FTS5 reads the words' lists from their newest
        end and stops at PROBE matches, so a common query costs the same in any archive. (A
        query common only in old articles is judged rare: it is ranked, at the cost of its
        matches.)"""
        row = await self.db.one(
            "SELECT count(*) AS matches, min(rowid) AS oldest FROM (SELECT rowid "
            "FROM articles_fts WHERE articles_fts MATCH ? AND rowid > ? "
            "ORDER BY rowid DESC LIMIT ?)",
            (query, size - WINDOW, PROBE),
        )
        matches, oldest = (int(row["matches"]), row["oldest"]) if row else (0, None)
        looked_at = size - oldest + 1 if matches == PROBE and oldest else min(size, WINDOW)
        return matches / looked_at if looked_at > 0 else 0.0

    async def _ranked(
        self, edition: str, query: str, within: SearchFilter, limit: int, offset: int
    ) -> list[sqlite3.Row]:
        ranked = within.narrow(
            Query(
                f"{SUMMARY_COLUMNS}, a.body_html",
                "articles_fts JOIN articles a ON a.num = articles_fts.rowid",
            )
            .where("articles_fts MATCH ?", query)
            .where(LIVE)
            .where("a.edition = ?", edition)
        ).order_by("bm25(articles_fts, 10.0, 4.0, 1.0), a.published DESC")
        return await self.db.rows(ranked.page(limit, offset))

    async def _newest(
        self, edition: str, query: str, within: SearchFilter, limit: int, offset: int, walk: bool
    ) -> list[sqlite3.Row]:
        """The edition's live matches, newest first: walking the articles newest first and
        asking FTS5 of each, or collecting every match and sorting them (walk_is_cheaper
        chooses)."""
        matching = (
            "EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? "
            "AND articles_fts.rowid = a.num)"
            if walk
            else "a.num IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        )
        newest = (
            within.narrow(
                of_articles(f"{SUMMARY_COLUMNS}, a.body_html")
                .where(LIVE)
                .where("a.edition = ?", edition)
                .where(matching, query)
            )
            .order_by(NEWEST_FIRST)
            .page(limit, offset)
        )
        return await self.db.rows(newest)


def _with_snippets(rows: list[sqlite3.Row], query: str) -> list[tuple[sqlite3.Row, str]]:
    """Each article found, with the words around its first match. Cut here, from one search
    of its text: FTS5's snippet() costs the square of a body's matches (a body repeating a
    word 20,000 times took seconds)."""
    terms = [
        (word, star == "*")
        for phrase, star in _TERM.findall(wanted_part(query))
        for word in phrase.split()
    ]
    found = []
    for row in rows:
        try:
            text = bodies.body_text(row["body_html"], row["id"])
        except DamagedBody:
            text = ""  # listed by its headline, as pages list it; its own page reports it
        found.append((row, snippet(text, terms)))
    return found


def walk_is_cheaper(share: float, size: int, needed: int) -> bool:
    """Whether walking the articles newest first, asking FTS5 of each, finds `needed`
    matches for less than collecting every match: about needed / share articles walked
    against share x size matches collected. The walk's cost does not grow with the archive;
    collecting wins only for queries rare enough to be cheap to collect."""
    return share > 0 and needed * WALK_PER_COLLECT < share * share * size


_TERM = re.compile(r'"([^"]+)"(\*?)')


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
    # Split off only the words shown: the rest of a long body is never split.
    keep = size // 3
    head = text[:at].rsplit(maxsplit=keep)
    cut = len(head) > keep  # words remain before the window
    before = head[1:] if cut else head
    room = size - len(before)
    tail = text[at:].split(maxsplit=room)
    more = len(tail) > room
    shown = [_marked(t) if hit(t) else t for t in before + [t.strip() for t in tail[:room]]]
    return ("…" if cut else "") + " ".join(shown) + ("…" if more else "")


def _marked(token: str) -> str:
    """The word of a token marked, its punctuation left outside: `<mark>port</mark>.`"""
    core = _EDGE.sub("", token)
    start = token.find(core)
    end = start + len(core)
    return f"{token[:start]}{_OPEN}{core}{_CLOSE}{token[end:]}"


_EDGE = re.compile(r"^\W+|\W+$")


def _fold(word: str) -> str:
    """Lower case without accents, as the unicode61 tokenizer (remove_diacritics 2) sees it."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def edit_distance(a: str, b: str, most: int) -> int:
    """Levenshtein distance, or most + 1 as soon as it must exceed `most`."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > most:
            return most + 1
        previous = current
    return previous[-1]
