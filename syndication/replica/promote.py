"""`syndication promote`: a replica's copy becomes the primary's archive.

Stop following (the replica's server holds its copy's writer lock; it is asked to stop),
check the copy, number the changes to come above any the old primary may have given out
after the copy's last transaction (so partners' cursors go on), take the writer lock and
ingest content/ (what the copy missed of the editors' files comes back as new changes).
Then `syndication serve` on the same --db runs the new primary.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time

from syndication.archive.backup import number_changes_after
from syndication.archive.lock import lock_file, writer_lock, writing
from syndication.archive.schema import Access, connect, transaction
from syndication.archive.writer import ArchiveWriter
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import ArchiveError
from syndication.ingest.pipeline import Ingestor
from syndication.replica.litestream import read_txid, txid_file

STOP_SECONDS = 40.0


def promote(settings: Settings, clock: Clock) -> str:
    db = settings.db_path
    if not db.exists() or read_txid(db) is None:
        raise ArchiveError(f"{db} is not a replica's copy (no {txid_file(db).name} beside it)")
    _stop_following(settings, clock)
    try:
        conn = connect(db, Access.READER)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"the copy {db} cannot be read: {exc}") from None
    if check != "ok":
        raise ArchiveError(f"the copy {db} is damaged ({check}); promote another replica")
    with writing(db, "promote", clock) as conn:
        with transaction(conn):
            number_changes_after(conn, 0, clock.now())
        writer = ArchiveWriter(conn, clock)
        result = Ingestor(settings, writer).full_scan()
        result.add(writer.promote_due())
        head = writer.last_seq()
    txid_file(db).unlink()  # a primary's archive now: `serve --replica` will refuse it
    return (
        f"promoted {db}: {result.published} published, {result.updated} updated, "
        f"{result.withdrawn} withdrawn from content/; changes go on from {head}. "
        f"Start the primary: syndication serve --db {db}"
    )


def _stop_following(settings: Settings, clock: Clock) -> None:
    """Ask the replica's server (it holds the copy's lock) to stop, and wait until it has."""
    deadline = time.monotonic() + STOP_SECONDS
    asked = False
    while True:
        try:
            with writer_lock(settings.db_path, "promote", clock):
                return
        except ArchiveError:
            if time.monotonic() > deadline:
                raise
        if not asked:
            pid = _replica_pid(settings)
            if pid is None:
                raise ArchiveError(
                    f"{settings.db_path} is held by a process that is not a replica; stop it first"
                )
            os.kill(pid, signal.SIGTERM)
            asked = True
        time.sleep(0.1)


def _replica_pid(settings: Settings) -> int | None:
    try:
        said = json.loads(lock_file(settings.db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(said, dict) or said.get("command") != "serve --replica":
        return None
    pid = said.get("pid")
    return pid if isinstance(pid, int) and pid > 0 else None
