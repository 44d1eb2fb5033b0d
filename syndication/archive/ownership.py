"""Which file owns an id or an address: one rule and one wording, for the writer and `check`.

The file already published keeps what it has; a newcomer claiming it is refused. An id an
editor added to an article that already had one assigned is an alias of that article.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from syndication.errors import ContentError

Claim = tuple[str, str]  # ("id", an id) or ("address", a path)


def id_clash(file: str, article_id: str, owner: str, lines: dict[str, int]) -> ContentError:
    return ContentError(
        file,
        f"the id {article_id!r} is already used by {owner}; give this article its own id",
        line=lines.get("id"),
        field="id",
        held_by=owner,
    )


def address_clash(file: str, path: str, owner: str, lines: dict[str, int]) -> ContentError:
    field = "slug" if "slug" in lines else "title"
    return ContentError(
        file,
        f"{owner} already has the address {path}; change the title or add a `slug`",
        line=lines.get(field),
        field=field,
        held_by=owner,
    )


def address_owner(conn: sqlite3.Connection, path: str, other_than: str) -> str | None:
    """The file of another present, not withdrawn article at this address."""
    row = conn.execute(
        "SELECT source_file FROM articles WHERE path = ? AND id != ? AND file_gone = 0 "
        "AND state != 'withdrawn'",
        (path, other_than),
    ).fetchone()
    return str(row[0]) if row else None


def resolve(conn: sqlite3.Connection, article_id: str) -> str:
    """The article an id names: itself, or the one it is an alias of."""
    row = conn.execute("SELECT article_id FROM id_aliases WHERE alias = ?", (article_id,))
    found = row.fetchone()
    return str(found[0]) if found else article_id


def add_alias(conn: sqlite3.Connection, alias: str, article_id: str) -> None:
    """`alias` names `article_id` from now on, in translations too."""
    conn.execute(
        "INSERT OR REPLACE INTO id_aliases (alias, article_id) VALUES (?, ?)", (alias, article_id)
    )
    conn.execute(
        "UPDATE articles SET translation_of = ? WHERE translation_of = ?", (article_id, alias)
    )


def recorded_files(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of each file the archive read as it is now (none with an error)."""
    rows = conn.execute(
        "SELECT file, size, mtime_ns FROM files WHERE file NOT IN (SELECT file FROM ingest_errors)"
    )
    return {str(file): (int(size), int(mtime_ns)) for file, size, mtime_ns in rows}


def recorded_claims(conn: sqlite3.Connection) -> Iterator[tuple[str, Claim]]:
    """(file, claim) for what each present file holds in the archive: the id it gave, the
    ids added to it later (aliases), and its address unless it is withdrawn."""
    rows = conn.execute(
        "SELECT id, id_given, path, state, source_file FROM articles WHERE file_gone = 0"
    )
    for article_id, id_given, path, state, file in rows:
        if id_given:
            yield str(file), ("id", str(article_id))
        if state != "withdrawn":
            yield str(file), ("address", str(path))
    aliases = conn.execute(
        "SELECT i.alias, a.source_file FROM id_aliases i "
        "JOIN articles a ON a.id = i.article_id WHERE a.file_gone = 0"
    )
    for alias, file in aliases:
        yield str(file), ("id", str(alias))
