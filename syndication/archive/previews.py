"""The secret preview links are signed with, kept in the archive (so every process serving
it, replicas included, checks the same signatures) unless settings give one."""

from __future__ import annotations

import secrets
import sqlite3

NAME = "preview_secret"


def ensure_secret(conn: sqlite3.Connection) -> str:
    """The archive's preview secret, made the first time a link is asked for."""
    conn.execute(
        "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)", (NAME, secrets.token_hex(32))
    )
    return str(conn.execute("SELECT value FROM meta WHERE name = ?", (NAME,)).fetchone()[0])
