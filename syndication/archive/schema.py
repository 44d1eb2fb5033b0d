"""Opening the archive file and bringing its schema up to date with numbered migrations.

Each file migrations/NNNN_name.sql moves the schema from version NNNN-1 to NNNN; the
version lives in PRAGMA user_version, so a database knows what it is without a side table.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from syndication.archive import bodies
from syndication.clock import Clock
from syndication.errors import ArchiveError

_MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")

# WAL lets readers run beside the writer; NORMAL sync is safe in WAL (a power cut may lose the
# last transactions, never corrupt the file), and the files in content/ can always be re-read.
# 16 KiB pages: a row holding a compressed body is most of a 4 KiB page, so that size left
# a fifth of the articles table empty; 16 KiB packs four or five rows a page. It takes effect
# when the file is made (an archive made before keeps its pages until a VACUUM).
WRITER_PRAGMAS = (
    "PRAGMA page_size = 16384",
    # A new archive can give pages freed by index merges back (writer.give_back_free_pages);
    # one made before keeps reusing them, as this cannot change once tables exist.
    "PRAGMA auto_vacuum = INCREMENTAL",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA cache_size = -32000",
    "PRAGMA temp_store = MEMORY",
)
READER_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA cache_size = -16000",
    "PRAGMA query_only = ON",
)
# A reader process's few small writes (delivery log, subscriptions): the writer's rules for
# what a transaction may do, without the settings that belong to the file's one writer.
APPENDER_PRAGMAS = (
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


# The change sequence: the last change logged, or where a restore or a promotion moved the
# numbering to (sqlite_sequence), so no cursor a partner holds is ever ahead of it.
CHANGE_HEAD = (
    "SELECT max(coalesce((SELECT max(seq) FROM changes), 0), "
    "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0))"
)


class Access(Enum):
    """What a connection may do to the archive (not to be confused with the processes' roles
    in web/app.py); each kind has its pragmas, and is opened only by `connect`."""

    WRITER = "writer"  # the one read-write connection (serve's writer, ingest, restore)
    APPENDER = "appender"  # a reader process's small writes
    READER = "reader"  # read-only: queries, check, backups, ranking workers


_PRAGMAS = {
    Access.WRITER: WRITER_PRAGMAS,
    Access.APPENDER: APPENDER_PRAGMAS,
    Access.READER: READER_PRAGMAS,
}


def connect(path: Path, access: Access) -> sqlite3.Connection:
    """A connection to the archive for `access`, with its pragmas. Usable from any thread (the
    callers keep each to one thread at a time); autocommit, so transaction() decides. The
    readers' async connection (queries.Archive.open) applies the same READER_PRAGMAS."""
    if access is Access.READER:
        conn = sqlite3.connect(reader_uri(path), uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in _PRAGMAS[access]:
        conn.execute(pragma)
    bodies.register(conn)
    return conn


def read_value(path: Path, sql: str) -> Any:
    """The first column of the first row `sql` gives, read on a reader connection; None when
    the archive is missing or unreadable, or the query gives no row."""
    if not path.exists():
        return None
    try:
        conn = connect(path, Access.READER)
        try:
            row = conn.execute(sql).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, in order."""
    found = []
    folder = resources.files("syndication.archive") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if entry.name.endswith(".sql") and not match:  # skipped, its change would be missing
            raise ArchiveError(
                f"migration {entry.name} is not named NNNN_name.sql (four digits, then "
                "lowercase letters, digits and _)"
            )
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise ArchiveError(f"migration {name} is out of sequence; expected {expected:04d}")
    return found


LATEST_VERSION = len(migrations())


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (the write lock is taken at
    once, so a transaction never fails half-way for want of it)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def open_writer(path: Path, clock: Clock) -> sqlite3.Connection:
    """The single read-write connection, with the schema migrated to the latest version."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path, Access.WRITER)
        migrate(conn, clock)
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open the archive {path}: {exc}") from None
    return conn


def migrate(conn: sqlite3.Connection, clock: Clock) -> int:
    """Apply pending migrations, each in its own transaction; returns the final version.
    A migration that needs the time reads it as `clock_ms()` (Unix milliseconds), never
    SQLite's own reading of the time, so that it too follows the clock it was handed."""
    conn.create_function("clock_ms", 0, lambda: int(clock.time() * 1000))
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > LATEST_VERSION:
        raise ArchiveError(
            f"the archive has schema version {current}, newer than this program ({LATEST_VERSION})"
        )
    # A migration may rebuild a table other tables point at; with foreign keys on, dropping
    # the old one would cascade-delete their rows. SQLite's recipe: keys off, check, commit.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version, name, sql in migrations()[current:]:
            with transaction(conn):
                for statement in split_statements(sql):
                    conn.execute(statement)
                if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise ArchiveError(f"migration {name} would break a foreign key")
                conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return max(current, LATEST_VERSION)


def split_statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def reader_uri(path: Path, *, copy: bool = False) -> str:
    """A read-only connection's URI. A replica's copy (`copy`) is opened immutable: it takes
    no lock, since Litestream needs an exclusive one to apply each transaction and an open
    connection to a file in WAL mode holds a shared lock as long as it lives. Its readers
    reopen after each transaction applied, and a build that spans one is made again
    (web/cached_routes.py)."""
    if copy:
        return f"file:{path.resolve()}?mode=ro&immutable=1"
    return f"file:{path.resolve()}?mode=ro"
