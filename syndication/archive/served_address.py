"""Where the site was last served from, kept in the archive: a command run beside `serve
--port 8090` (`preview`, `editors add`) prints links to port 8090, not to a default that
answers nothing. Only while that server runs, and only when `base_url` is not set, which
names the site's address itself."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from syndication.config import Settings

NAME = "served_at"


def record(conn: sqlite3.Connection, settings: Settings) -> None:
    """A server started: its address, or none when `base_url` names the site's own."""
    with conn:
        if settings.base_url:
            conn.execute("DELETE FROM meta WHERE name = ?", (NAME,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (NAME, settings.site_url)
            )


def forget(conn: sqlite3.Connection, settings: Settings) -> None:
    """The server stopped: its address no longer answers (a later one's is left alone), and
    a link to it would hand a preview's token to whatever listens there next."""
    with conn:
        conn.execute("DELETE FROM meta WHERE name = ? AND value = ?", (NAME, settings.site_url))


def linked(conn: sqlite3.Connection, settings: Settings) -> Settings:
    """`settings` whose links name the address the site was last served on."""
    if settings.base_url:
        return settings
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (NAME,)).fetchone()
    return replace(settings, base_url=str(row[0])) if row else settings
