"""Editors' accounts for the desk: a name and an argon2id hash, kept in the archive (so a
backup and every replica carry them). `syndication editors` writes them; the desk reads."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime

from argon2 import PasswordHasher

from syndication.archive.column_values import to_iso
from syndication.errors import SyndicationError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; an unbounded one is a way to waste its time
HASHER = PasswordHasher()  # argon2id with the library's defaults (RFC 9106's second choice)


def checked_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise SyndicationError(
            f"{name!r} cannot be an editor's name: use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    return name


def checked_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise SyndicationError(f"a password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def add(
    conn: sqlite3.Connection, name: str, password: str, now: datetime, *, replace: bool = False
) -> None:
    """Add an editor, or with `replace` set a new password (which ends their sessions)."""
    name, hashed = checked_name(name), HASHER.hash(checked_password(password))
    exists = conn.execute("SELECT 1 FROM editors WHERE name = ?", (name,)).fetchone()
    if exists and not replace:
        raise SyndicationError(
            f"there is already an editor {name!r}; --replace sets a new password"
        )
    conn.execute(
        "INSERT OR REPLACE INTO editors (name, password_hash, added) VALUES (?, ?, ?)",
        (name, hashed, to_iso(now)),
    )


def remove(conn: sqlite3.Connection, name: str) -> None:
    if not conn.execute("DELETE FROM editors WHERE name = ?", (name,)).rowcount:
        raise SyndicationError(f"there is no editor {name!r}")


def names(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT name, added FROM editors ORDER BY name")]
