"""Reading articles: one by address or id, the full articles a query selects, summaries.

The other reading classes (listings, feeds, partners, search) select which articles they
want with a `Query` over `articles a` and hand it here to be read whole.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from syndication.archive import bodies
from syndication.archive.article_row import ARTICLE_COLUMNS, fields_of
from syndication.archive.column_values import from_iso, image_from_json, permissions_from_column
from syndication.archive.sql import Condition, Query, Reader
from syndication.errors import DamagedBody
from syndication.model import (
    ArchivedArticle,
    Article,
    ArticleSummary,
    Author,
    Image,
    State,
    Topic,
)
from syndication.rights_policy import Permissions

log = logging.getLogger("syndication.archive")

# What listings select (`articles a`) and Articles.summaries() reads.
SUMMARY_COLUMNS = (
    "a.num, a.id, a.edition, a.section, a.path, a.title, a.standfirst, a.published, "
    "a.word_count, a.state, a.image, a.source, a.permissions, a.licensed_from"
)
# What a whole article is read from: the row's columns (article_row) and the archive's own.
_COLUMNS = ", ".join(
    f"a.{c}"
    for c in (
        "num", "id", "id_given", *ARTICLE_COLUMNS, "state", "source_file", "version",
        "last_changed", "first_seen",
    )
)  # fmt: skip

# Was the article `a` ever public? A story deleted or withdrawn before it went live must stay
# unknown: its address answers 404, not 410, and no page shows its topics or authors.
WAS_PUBLIC = Condition(
    "EXISTS (SELECT 1 FROM changes p WHERE p.article_id = a.id AND p.kind = 'published')"
)
LIVE = Condition("a.state = 'live'")
NEWEST_FIRST = "a.published DESC, a.num DESC"


def of_articles(columns: str = SUMMARY_COLUMNS) -> Query:
    """A query over `articles a`, selecting summaries unless told otherwise."""
    return Query(columns, "articles a")


@dataclass(frozen=True, slots=True)
class StoryRights:
    """What a live story's rights policy is made from, without its body, and the files it
    shows (its picture and those in its body, relative to content/)."""

    id: str
    path: str
    edition: str
    section: str
    source: str
    rights: str
    published: datetime
    permissions: Permissions
    licensed_from: str
    image: Image | None
    pictures: tuple[str, ...]
    others_pictures: tuple[tuple[str, str], ...] = ()  # body pictures credited to an agency

    def whose(self, picture: str) -> str:
        """The licensed-in source whose picture this is, as this story shows it ("": ours):
        credited so as its lead, or in its body (where a credit there counts too)."""
        lead = self.image.licensed_from if self.image and self.image.src == picture else ""
        return lead or dict(self.others_pictures).get(picture, "")


@dataclass(frozen=True, slots=True)
class Moved:
    """An old address of an article: answer 301 to `path`."""

    path: str
    article_id: str


async def _logged(article_id: str, message: str) -> None:
    log.error("article %s %s", article_id, message)


class Articles:
    def __init__(self, db: Reader) -> None:
        self.db = db
        # Told of each article left out of a list because its body is damaged; the server
        # records it against the article's file, as it does an article that breaks a page.
        self.left_out: Callable[[str, str], Awaitable[None]] = _logged

    async def full(
        self, query: Query, *, with_text: bool = True, whole: bool = False
    ) -> list[ArchivedArticle]:
        """The whole articles `query` selects from `articles a`, topics and authors read for
        all of them at once. Without `with_text`, body_text (only search and partners need
        it, and it is made from the HTML) is left empty. An article whose body is damaged is
        left out and reported, or with `whole` raises DamagedBody."""
        rows = await self.db.rows(query.select(_COLUMNS))
        nums = [int(r["num"]) for r in rows]
        topics = await self.names("article_topics", nums)
        authors = await self.names("article_authors", nums)
        found = []
        for r in rows:
            try:
                found.append(
                    _archived(r, topics.get(r["num"], []), authors.get(r["num"], []), with_text)
                )
            except DamagedBody as exc:
                if whole:
                    raise
                await self.left_out(exc.article_id, f"left out: {exc}")
        return found

    async def by_id(self, article_id: str) -> ArchivedArticle | None:
        """One full article by its id, whatever its state (partners see cancellations).
        Raises DamagedBody when its body is damaged: it is there, but cannot be read."""
        found = await self.full(of_articles().where("a.id = ?", article_id), whole=True)
        return found[0] if found else None

    async def by_path(self, path: str) -> ArchivedArticle | Moved | None:
        """The article at this URL path (any state but withdrawn before it was ever public),
        a redirect, or nothing."""
        found = await self.full(
            of_articles()
            .where("a.path = ?", path)
            .where(f"a.state != 'withdrawn' OR {WAS_PUBLIC.sql}")
            .order_by("a.state = 'withdrawn', a.num DESC")
            .page(1),
            with_text=False,  # pages show the HTML
            whole=True,
        )
        if found:
            return found[0]
        return await self.moved_from(path)

    async def showing_picture(self, path: str, limit: int = 129) -> list[str]:
        """Ids of the live stories that show the file at `path` (relative to content/): as
        lead picture or in the body, in their last good version. Only these make it public."""
        rows = await self.db.rows(
            Query("a.id", "dependencies d JOIN articles a ON a.source_file = d.file")
            .where("d.path = ?", path)
            .where("d.size >= 0")  # shown by a version read; not one a refused edit waits for
            .where(LIVE)
            .page(limit)
        )
        return [str(r["id"]) for r in rows]

    async def live_rights(self, showing: list[str] | None = None) -> list[StoryRights]:
        """Every live story's rights (or those of the stories showing the pictures at the
        paths `showing`, however many), for the documents that state the policy of every
        address (robots.txt, tdmrep.json, license.xml) and for pictures."""
        query = of_articles(
            "a.id, a.path, a.edition, a.section, a.source, a.rights, a.published, "
            "a.permissions, a.licensed_from, a.image, a.others_pictures"
        ).where(LIVE)
        shown = Query("a.id, d.path", "dependencies d JOIN articles a ON a.source_file = d.file")
        shown = shown.where("d.size >= 0").where(LIVE)
        if showing is not None:
            marks = ", ".join("?" * len(showing))
            showing_them = Condition(
                "a.source_file IN (SELECT file FROM dependencies "
                f"WHERE path IN ({marks}) AND size >= 0)",
                tuple(showing),
            )
            query, shown = query.where(showing_them), shown.where(showing_them)
        pictures: dict[str, list[str]] = {}
        for row in await self.db.rows(shown.order_by("d.path")):
            pictures.setdefault(str(row["id"]), []).append(str(row["path"]))
        return [
            StoryRights(
                str(r["id"]),
                str(r["path"]),
                str(r["edition"]),
                str(r["section"]),
                str(r["source"]),
                str(r["rights"]),
                from_iso(r["published"]),
                permissions_from_column(r["permissions"]),
                str(r["licensed_from"] or ""),
                image_from_json(r["image"]),
                tuple(pictures.get(str(r["id"]), ())),
                tuple((str(p), str(s)) for p, s in json.loads(r["others_pictures"] or "[]")),
            )
            for r in await self.db.rows(query.order_by("a.path"))
        ]

    async def showing(self, paths: list[str]) -> dict[str, list[StoryRights]]:
        """For each picture at `paths` (under content/), the rights of the live stories that
        show it: what a picture shared by several grants is what each of them grants it."""
        stories = await self.live_rights(paths) if paths else []
        return {p: [s for s in stories if p in s.pictures] for p in paths}

    async def shows_picture(self, article_id: str, path: str) -> bool:
        """Whether the story with this id (in any state) shows the file at `path`."""
        found = await self.db.one(
            Query("1", "dependencies d JOIN articles a ON a.source_file = d.file")
            .where("d.path = ?", path)
            .where("d.size >= 0")
            .where("a.id = ?", article_id)
            .page(1)
        )
        return found is not None

    async def moved_from(self, path: str) -> Moved | None:
        """Where an old address of a story that was public sends readers, if it is one."""
        moved = await self.db.one(
            Query("a.path, a.id", "url_history h JOIN articles a ON a.id = h.article_id")
            .where("h.path = ?", path)
            .where(WAS_PUBLIC)
            .page(1)
        )
        return Moved(str(moved["path"]), str(moved["id"])) if moved is not None else None

    async def latest(self, edition: str, limit: int) -> list[ArticleSummary]:
        query = of_articles().where(LIVE).where("a.edition = ?", edition)
        return await self.summaries(query.order_by(NEWEST_FIRST).page(limit))

    async def summaries(self, query: Query) -> list[ArticleSummary]:
        """Summaries of what `query` selects (SUMMARY_COLUMNS), authors read for all at once."""
        return await self.summarise(await self.db.rows(query))

    async def summarise(self, rows: list[sqlite3.Row]) -> list[ArticleSummary]:
        """Summaries from rows holding SUMMARY_COLUMNS."""
        authors = await self.names("article_authors", [int(r["num"]) for r in rows])
        return [
            ArticleSummary(
                id=r["id"],
                edition=r["edition"],
                section=r["section"],
                path=r["path"],
                title=r["title"],
                standfirst=r["standfirst"],
                published=from_iso(r["published"]),
                word_count=r["word_count"],
                state=State(r["state"]),
                image=image_from_json(r["image"]),
                authors=tuple(Author(*a) for a in authors.get(r["num"], ())),
                source=r["source"] or "",
                permissions=permissions_from_column(r["permissions"]),
                licensed_from=r["licensed_from"] or "",
            )
            for r in rows
        ]

    async def names(self, table: str, nums: list[int]) -> dict[int, list[tuple[str, str]]]:
        """(slug, name) of each article's topics or authors, in the editor's order."""
        if not nums:
            return {}
        marks = ",".join("?" * len(nums))
        out: dict[int, list[tuple[str, str]]] = {}
        for r in await self.db.rows(
            f"SELECT article_num, slug, name FROM {table} WHERE article_num IN ({marks}) "
            "ORDER BY article_num, position",
            nums,
        ):
            out.setdefault(r["article_num"], []).append((r["slug"], r["name"]))
        return out


def _archived(
    r: sqlite3.Row,
    topics: list[tuple[str, str]],
    authors: list[tuple[str, str]],
    with_text: bool,
) -> ArchivedArticle:
    fields = fields_of(r)
    article = Article(
        **fields,
        id=r["id"],
        id_given=bool(r["id_given"]),
        body_text=bodies.plain_text(fields["body_html"]) if with_text else "",
        authors=tuple(Author(*a) for a in authors),
        topics=tuple(Topic(*t) for t in topics),
    )
    return ArchivedArticle(
        article,
        State(r["state"]),
        r["version"],
        r["source_file"],
        from_iso(r["last_changed"]),
        from_iso(r["first_seen"]),
    )
