"""Where the site was last served from, kept in the archive: a command run beside `serve
--port 8090` (`preview`, `editors add`) prints links to port 8090, not to a default that
answers nothing. Only when `base_url` is not set, which names the site's address itself."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from syndication.config import Settings

NAME = "served_at"


def record(conn: sqlite3.Connection, settings: Settings) -> None:
    if not settings.base_url:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (NAME, settings.site_url)
            )


def linked(conn: sqlite3.Connection, settings: Settings) -> Settings:
    """`settings` whose links name the address the site was last served on."""
    if settings.base_url:
        return settings
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (NAME,)).fetchone()
    return replace(settings, base_url=str(row[0])) if row else settings
