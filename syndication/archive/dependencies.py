"""Files an article's file depends on: its image, or the image its error is waiting for.

When one of them appears, changes or disappears, the article's file is read again: putting
back a missing picture republishes the story without touching the Markdown.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from syndication.model import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Needed:
    """A file needed, as it was when the article was read (size -1: it was missing)."""

    path: str
    size: int = -1
    mtime_ns: int = 0


def replace(conn: sqlite3.Connection, file: str, needs: Iterable[Needed]) -> None:
    """What an accepted file depends on now."""
    conn.execute("DELETE FROM dependencies WHERE file = ?", (file,))
    add(conn, file, needs)


def add(conn: sqlite3.Connection, file: str, needs: Iterable[Needed]) -> None:
    """More a file waits for (its last good version still depends on what it had)."""
    conn.executemany(
        "INSERT OR REPLACE INTO dependencies (path, file, size, mtime_ns) VALUES (?, ?, ?, ?)",
        [(n.path, file, n.size, n.mtime_ns) for n in needs],
    )


def forget(conn: sqlite3.Connection, file: str) -> None:
    conn.execute("DELETE FROM dependencies WHERE file = ?", (file,))


def dependents(conn: sqlite3.Connection, paths: Iterable[str]) -> set[str]:
    """Files that depend on any of these paths, or on anything under them (a folder)."""
    paths = sorted(set(paths))
    found = {
        str(r[0])
        for r in conn.execute(
            "SELECT file FROM dependencies WHERE path IN (SELECT value FROM json_each(?))",
            (json.dumps(paths),),
        )
    }
    for folder in paths:  # a range on the primary key: paths under "folder/"
        found.update(
            str(r[0])
            for r in conn.execute(
                "SELECT file FROM dependencies WHERE path >= ? AND path < ?",
                (folder + "/", folder + "0"),
            )
        )
    return found


def recorded(conn: sqlite3.Connection) -> Iterator[tuple[str, str, int, int]]:
    """(path, file, size, mtime_ns) of every dependency, for the scan at start, which
    writes nothing while it goes through them."""
    for r in conn.execute("SELECT path, file, size, mtime_ns FROM dependencies ORDER BY path"):
        yield str(r[0]), str(r[1]), int(r[2]), int(r[3])
