"""The articles table's row, declared once.

Each column a file's parse fills is one line below: its name (the Article field of the same
name), how the field is written into the row and how the row gives it back. The writer's
INSERT and UPDATE, a parse worker's row (`batch.Accepted`) and the Article the site reads
back (`articles.Articles.full`) are all made from this table, so a new front-matter field is
a line here and its migration, and `tests/test_article_row.py` checks that every field
written is read back equal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndication.archive import bodies
from syndication.archive.column_values import (
    corrections_from_json,
    corrections_to_json,
    from_iso,
    image_from_json,
    image_to_json,
    permissions_from_column,
    permissions_to_json,
    to_iso,
)
from syndication.model import Article, Placement, Status


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    write: Callable[[Article], object]
    read: Callable[[sqlite3.Row], object]


def _text(name: str) -> Column:
    return Column(name, lambda a: getattr(a, name), lambda r: r[name])


def _moment(name: str) -> Column:
    def write(article: Article) -> str | None:
        value: datetime | None = getattr(article, name)
        return to_iso(value) if value else None

    return Column(name, write, lambda r: from_iso(r[name]) if r[name] else None)


COLUMNS: tuple[Column, ...] = (
    _text("edition"),
    _text("section"),
    _text("slug"),
    _text("path"),
    _text("title"),
    _text("standfirst"),
    # kept compressed (archive/bodies.py); the plain text is made from it when read
    Column(
        "body_html",
        lambda a: bodies.compressed(a.body_html),
        lambda r: bodies.body_html(r["body_html"], r["id"]),
    ),
    _text("word_count"),
    Column("published", lambda a: to_iso(a.published), lambda r: from_iso(r["published"])),
    _moment("updated"),
    Column("status", lambda a: a.status.value, lambda r: Status(r["status"])),
    _text("source"),
    _text("rights"),
    Column("syndication", lambda a: int(a.syndication), lambda r: bool(r["syndication"])),
    _text("original_url"),
    _text("translation_of"),  # the writer resolves an alias of the id it names
    Column("image", lambda a: image_to_json(a.image), lambda r: image_from_json(r["image"])),
    Column(
        "corrections",
        lambda a: corrections_to_json(a.corrections),
        lambda r: corrections_from_json(r["corrections"]),
    ),
    Column(
        "placement",
        lambda a: a.placement.value if a.placement else None,
        lambda r: Placement(r["placement"]) if r["placement"] else None,
    ),
    _moment("placement_until"),
    Column(
        "aliases",
        lambda a: json.dumps(list(a.aliases)) if a.aliases else None,
        lambda r: tuple(json.loads(r["aliases"])) if r["aliases"] else (),
    ),
    Column("alert", lambda a: int(a.alert), lambda r: bool(r["alert"])),
    Column(
        "permissions",
        lambda a: permissions_to_json(a.permissions),
        lambda r: permissions_from_column(r["permissions"]),
    ),
    Column("licensed_from", lambda a: a.licensed_from or None, lambda r: r["licensed_from"] or ""),
    Column(
        "others_pictures",
        lambda a: json.dumps([list(p) for p in a.others_pictures]) if a.others_pictures else None,
        lambda r: tuple((str(p), str(s)) for p, s in json.loads(r["others_pictures"] or "[]")),
    ),
)
ARTICLE_COLUMNS = tuple(c.name for c in COLUMNS)
# What the row holds of an Article besides these: set by the archive or read from elsewhere.
NOT_IN_THE_ROW = frozenset({"id", "id_given", "body_text", "authors", "topics"})


def row_of(article: Article) -> tuple[object, ...]:
    """The values of ARTICLE_COLUMNS for `article`, in their order."""
    return tuple(column.write(article) for column in COLUMNS)


def fields_of(row: sqlite3.Row) -> dict[str, Any]:
    """The Article fields a row of `articles` (all of ARTICLE_COLUMNS selected) gives back."""
    return {column.name: column.read(row) for column in COLUMNS}
