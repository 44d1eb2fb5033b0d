"""The secrets preview links and the desk's sessions are signed with, kept in the archive (so
every process serving it, replicas included, checks the same signatures); settings may give
the preview links' own."""

from __future__ import annotations

import secrets
import sqlite3

NAME = "preview_secret"
DESK = "desk_secret"


def ensure_secret(conn: sqlite3.Connection, name: str = NAME) -> str:
    """The archive's secret of that name, made the first time it is needed."""
    conn.execute(
        "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)", (name, secrets.token_hex(32))
    )
    return str(conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()[0])
