"""Online backup of a live archive through SQLite's backup API (safe while the writer runs),
and restoring one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from syndication.archive import bodies
from syndication.archive.archive_files import check_backup_destination, check_backup_source
from syndication.archive.schema import LATEST_VERSION, Access, connect, migrate, read_value
from syndication.clock import Clock
from syndication.errors import ArchiveError


def backup(source: Path, dest: Path) -> int:
    """Copy `source` to `dest` page by page; returns the pages copied. An earlier backup at
    `dest` is replaced; anything else there is refused (archive_files.check_backup_destination)."""
    if not source.exists():
        raise ArchiveError(f"there is no archive at {source}")
    check_backup_destination(source, dest)
    return _whole_copy(source, dest)


def _whole_copy(source: Path, dest: Path) -> int:
    """`source` copied to `dest` (written beside it, then moved into place); the pages."""
    partial = dest.with_name(dest.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        return _copy(source, partial, dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ArchiveError(f"cannot write the backup {dest}: {exc.strerror}") from None


def _copy(source: Path, partial: Path, dest: Path) -> int:
    src = connect(source, Access.READER)
    try:
        out = sqlite3.connect(partial)  # the copy being written: not an archive in use yet
        bodies.register(out)  # its check reads the plain-text column
        try:
            src.backup(out, pages=4096)
            check = out.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise ArchiveError(f"the backup failed its integrity check: {check}")
            pages = int(out.execute("PRAGMA page_count").fetchone()[0])
        finally:
            out.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise ArchiveError(f"the backup to {dest} failed: {exc}") from None
    finally:
        src.close()
    partial.replace(dest)  # a reader of `dest` never sees a half-written backup
    # an earlier backup's, empty (archive_files.in_use): not this one's
    for suffix in ("-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    return pages


def _head(db: Path) -> int:
    """The last change number the archive being replaced handed out (0 if unreadable)."""
    return int(read_value(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'") or 0)


def number_changes_after(conn: sqlite3.Connection, replaced_head: int, now: datetime) -> None:
    """Changes made after a restore are numbered above every change the replaced archive
    made, and above the time of the restore in milliseconds (the start of any archive made
    since): every cursor a partner holds is then before them, and nothing is skipped."""
    restored = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
    row = restored.fetchone()
    now_ms = int(now.timestamp() * 1000)
    start = max(replaced_head, now_ms, int(row[0]) if row else 0)
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'changes'")
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('changes', ?)", (start,))


def restore(backup_file: Path, dest: Path, clock: Clock, *, replace: bool = False) -> int:
    """Make `dest` the archive `backup_file` holds, migrated to this program's schema;
    returns its article count. An existing `dest` is replaced only when asked: the server
    must be stopped first (a running writer would keep its old file open)."""
    check_backup_source(backup_file, dest)
    if dest.exists() and not replace:
        raise ArchiveError(f"{dest} exists; stop the server and pass --replace to overwrite it")
    try:
        src = connect(backup_file, Access.READER)
        try:
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
            check = src.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{backup_file} is not an archive: {exc}") from None
    if check != "ok" or "articles" not in tables or version < 1:
        raise ArchiveError(f"{backup_file} is not a sound archive (integrity: {check})")
    if version > LATEST_VERSION:
        raise ArchiveError(f"{backup_file} is from a newer version of this program")
    partial = dest.with_name(dest.name + ".restoring")
    _whole_copy(backup_file, partial)  # a file of our own, beside the archive
    replaced_head = _head(dest) if dest.exists() else 0
    conn = sqlite3.connect(partial, isolation_level=None)  # the copy, migrated before it moves
    bodies.register(conn)
    try:
        migrate(conn, clock)
        number_changes_after(conn, replaced_head, clock.now())
        count = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    partial.replace(dest)
    return count
