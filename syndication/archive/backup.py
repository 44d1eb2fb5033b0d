"""Online backup of a live archive through SQLite's backup API (safe while the writer runs)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from syndication.archive.schema import reader_uri
from syndication.errors import ArchiveError


def backup(source: Path, dest: Path) -> int:
    """Copy `source` to `dest` page by page; returns the pages copied. `dest` is replaced."""
    if not source.exists():
        raise ArchiveError(f"there is no archive at {source}")
    if dest.resolve() == source.resolve():
        raise ArchiveError("the backup must go to another file than the archive itself")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(reader_uri(source), uri=True)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out, pages=4096)
            check = out.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise ArchiveError(f"the backup failed its integrity check: {check}")
            pages = int(out.execute("PRAGMA page_count").fetchone()[0])
        finally:
            out.close()
    except sqlite3.Error as exc:
        raise ArchiveError(f"backup failed: {exc}") from None
    finally:
        src.close()
    partial.replace(dest)  # a reader of `dest` never sees a half-written backup
    return pages
