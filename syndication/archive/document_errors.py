"""Errors found while writing a document, recorded against the article's file.

A page or feed that left an article out (see publish/broken_articles.py) says so where editors look:
`syndication status` lists it with the other ingest errors, until the file is saved again.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from syndication.archive.column_values import to_iso


def record_left_out(conn: sqlite3.Connection, article: str, message: str, now: datetime) -> None:
    """`article` is an id or an address. The file's size and mtime are kept as the archive
    knows them, so the next scan does not read it again and clear the error unseen."""
    conn.execute(
        "INSERT OR REPLACE INTO ingest_errors (file, line, field, message, at, size, mtime_ns) "
        "SELECT s.file, NULL, '', ?, ?, s.size, s.mtime_ns FROM articles a "
        "JOIN files s ON s.file = a.source_file WHERE a.id = ? OR a.path = ? LIMIT 1",
        (message, to_iso(now), article, article),
    )
