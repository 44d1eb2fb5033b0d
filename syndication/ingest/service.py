"""The writer side of a running server: a full scan at start, then watch and schedule.

Everything that writes runs on one thread (`self._thread`), so the archive has exactly one
writer however many events arrive; the event loop only waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import watchfiles

from syndication.archive.batch import ApplyResult
from syndication.archive.fanout import ChangeFanOut, Committed
from syndication.archive.lock import writing
from syndication.archive.schema import transaction
from syndication.archive.storage import storage_errors
from syndication.archive.writer import ArchiveWriter
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import ArchiveError
from syndication.ingest import files, health
from syndication.ingest.health import WriteHealth
from syndication.ingest.imageinfo import MEDIA_TYPES
from syndication.ingest.pipeline import Ingestor

log = logging.getLogger("syndication.ingest")
T = TypeVar("T")
MAX_SLEEP = 60.0  # re-check the schedule at least this often (clock changes, missed wakes)
STOP_SECONDS = 10.0  # at a stop, how long the writer may take to finish what it is doing
FIRST_RETRY, LAST_RETRY = 0.25, 30.0  # seconds between attempts to write a failed batch
# What a full disk, an I/O error or a lock held too long raise: worth trying again.
RETRYABLE = (sqlite3.OperationalError, sqlite3.DatabaseError, ArchiveError, OSError)


class IngestService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self._writer: ArchiveWriter | None = None
        self._lock = contextlib.ExitStack()  # the archive's writer lock, held while running
        self._ingestor: Ingestor | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._work = asyncio.Event()
        self._pending: set[str] = set()  # changed paths not yet in the archive
        self._scan_owed = False  # the first scan could not be written; do it again
        self.health = WriteHealth(os.getpid())
        self.changes = ChangeFanOut()  # told of each batch committed after the first scan
        self.caught_up = False
        self.last_seq = 0
        self.first_scan = Committed(0)  # what the start-up scan did, for later subscribers
        # The writer's progress, for the watchdog: when its task began (None: idle), when it
        # last got on (a task begun, a file parsed, a window written), whether it is stuck.
        self._busy_since: float | None = None
        self._progress_at = time.monotonic()
        self.stalled = False
        self._stopped = False
        self.abandoned = False  # stop() gave up waiting for a writer that never got on

    async def _on_writer(self, fn: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            self._busy_since = self._progress_at = time.monotonic()
            try:
                return fn(*args)
            finally:
                self._busy_since = None

        return await asyncio.get_running_loop().run_in_executor(self._thread, run)

    def progressed(self) -> None:
        """Called by the writer's work as it gets on (each file parsed, window written)."""
        self._progress_at = time.monotonic()

    async def start(self) -> ApplyResult:
        """Open the archive, scan content/ fully, then watch it and run the schedule. A scan
        that cannot be written (disk full) is retried in the background: the site serves
        the archive as it is, and /readyz says why it is not ready."""
        # Watched from the first step: a scan held by the system at start (a stat on a hung
        # network folder) shows in `status` though the server does not listen yet.
        self._tasks = [asyncio.create_task(self._watch_progress(), name="ingest-watchdog")]
        self._writer = await self._on_writer(self._open)
        self._ingestor = Ingestor(self.settings, self._writer, self.progressed)
        try:
            result = await self._on_writer(self._scan)
        except RETRYABLE as exc:
            self._failed(exc)
            self._scan_owed = True
            self._work.set()
            result = ApplyResult()
        else:
            self._report("scan", result)
            self._recovered()
            self.caught_up = True
        # kept for the server's life, so its counts only: a first ingest of a million
        # files changed a million articles, whose ids nobody subscribed yet can use
        self.first_scan = Committed(result.seq, (), result.outcomes())
        self._tasks += [
            asyncio.create_task(self._watch(), name="ingest-watch"),
            asyncio.create_task(self._drain(), name="ingest-drain"),
            asyncio.create_task(self._schedule(), name="ingest-schedule"),
        ]
        return result

    def _open(self) -> ArchiveWriter:
        """Take the writer lock and the writer connection for as long as the service runs."""
        conn = self._lock.enter_context(writing(self.settings.db_path, "serve", self.clock))
        return ArchiveWriter(conn, self.clock)

    def _scan(self) -> ApplyResult:
        assert self._ingestor is not None and self._writer is not None
        result = self._ingestor.full_scan()
        result.add(self._writer.promote_due())
        return result

    async def stop(self) -> None:
        """Stop watching and scheduling, let the writer finish its task (STOP_SECONDS at
        most), then close the archive and release the lock. A writer that does not finish
        (a read the system never answers) is abandoned: `abandoned` says so, and the server
        ends the process, which releases the lock (serve.py). Stopping twice is stopping once."""
        if self._stopped:  # (not _stop: the watcher sets that one too as it ends)
            return
        self._stopped = True
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await asyncio.wait_for(self._on_writer(self._lock.close), STOP_SECONDS)
        except TimeoutError:
            log.error("the archive's writer is still busy after %g s; stopping without it",
                      STOP_SECONDS)  # fmt: skip
            self.abandoned = True
            self._thread.shutdown(wait=False, cancel_futures=True)
        else:
            self._thread.shutdown(wait=True)
        health.clear(self.settings.db_path)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in one transaction on the archive's one writer (delivery logs...)."""

        def run() -> T:
            assert self._writer is not None, "start() first"
            with storage_errors(), transaction(self._writer.conn) as conn:
                return fn(conn)

        return await self._on_writer(run)

    async def ingest_paths(self, rels: set[str]) -> ApplyResult:
        assert self._ingestor is not None, "start() first"
        result = await self._on_writer(self._ingestor.ingest_paths, rels)
        self._report("change", result)
        self._wake.set()  # a new scheduled article may be due sooner than the one we sleep for
        return result

    def recheck_schedule(self) -> None:
        """Look at once at what is due, not at the next planned wake: after the clock was
        set (tests move theirs instead of waiting), or anything else that moves a due time."""
        self._wake.set()

    def queue(self, rels: set[str]) -> None:
        """Paths to bring into the archive; the drain loop does it, retrying until it lands."""
        self._pending |= rels
        self._work.set()

    async def _watch(self) -> None:
        root = self.settings.content_dir.resolve()
        async for events in watchfiles.awatch(
            root,
            debounce=self.settings.watch_debounce_ms,
            step=50,
            stop_event=self._stop,
            watch_filter=None,
            recursive=True,
        ):
            rels = {_relative(Path(path), root) for _, path in events}
            rels = {r for r in rels if r and _wanted(root, r)}
            if rels:
                self.queue(rels)

    async def _drain(self) -> None:
        """Apply queued changes; a batch that cannot be written (disk full, I/O error, the
        archive locked too long) is kept and retried with growing waits, never dropped."""
        wait = FIRST_RETRY
        while not self._stop.is_set():
            await self._work.wait()
            self._work.clear()
            while (self._pending or self._scan_owed) and not self._stop.is_set():
                rels, self._pending = self._pending, set()
                scan = self._scan_owed
                try:
                    if scan:
                        self._report("scan", await self._on_writer(self._scan))
                        self._scan_owed, self.caught_up = False, True
                    else:
                        await self.ingest_paths(rels)
                except RETRYABLE as exc:
                    if not scan:
                        self._pending |= rels
                    self._failed(exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), timeout=wait)
                    wait = min(wait * 2, LAST_RETRY)
                    continue
                except Exception:  # a bug: the next change or start-up scan tries again
                    log.exception("ingest of %d changed paths failed", len(rels))
                self._recovered()
                wait = FIRST_RETRY

    async def _schedule(self) -> None:
        assert self._writer is not None
        while not self._stop.is_set():
            delay = MAX_SLEEP
            try:
                due = await self._on_writer(self._writer.next_due)
                if due is not None:
                    delay = min(MAX_SLEEP, max(0.0, (due - self.clock.now()).total_seconds()))
            except RETRYABLE as exc:
                self._failed(exc)
                delay = FIRST_RETRY * 4
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            try:
                promoted = await self._on_writer(self._writer.promote_due)
            except RETRYABLE as exc:
                self._failed(exc)
                continue
            if promoted.published:
                self._report("schedule", promoted)

    async def _watch_progress(self) -> None:
        """A writer that gets no further on its task for `writer_stall_seconds` is reported
        stuck (/readyz 503, `status`), and no longer once it gets on."""
        limit = self.settings.writer_stall_seconds
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=min(1.0, limit / 4))
            idle = self._busy_since is None
            stuck_for = time.monotonic() - self._progress_at
            if not self.stalled and not idle and stuck_for > limit:
                self.stalled = True
                self._failed(WriterStalled(f"the writer has got no further for {stuck_for:.0f} s"))
            elif self.stalled and (idle or stuck_for <= limit):
                self.stalled = False
                self._recovered()

    def _failed(self, exc: BaseException) -> None:
        reason = str(exc) or type(exc).__name__
        if self.health.ok:
            log.error("the archive cannot be written (%s); retrying until it can", reason)
        waiting = len(self._pending) + int(self._scan_owed)
        self.health = WriteHealth(
            os.getpid(),
            self.health.failing_since or f"{self.clock.now():%Y-%m-%dT%H:%M:%SZ}",
            reason,
            waiting,
            self.health.attempts + 1,
        )
        health.publish(self.settings.db_path, self.health)

    def _recovered(self) -> None:
        if not self.health.ok:
            log.warning("the archive can be written again after %d attempts", self.health.attempts)
        self.health = WriteHealth(os.getpid())
        health.publish(self.settings.db_path, self.health)

    def _report(self, why: str, result: ApplyResult) -> None:
        if result.published or result.updated or result.withdrawn or result.errors:
            log.info(
                "%s: %d published, %d updated, %d withdrawn, %d errors",
                why,
                result.published,
                result.updated,
                result.withdrawn,
                len(result.errors),
            )
        for error in result.errors:
            log.warning("%s", error.format())
        self.last_seq = max(self.last_seq, result.seq)
        self.changes.publish(Committed.of(result))


class WriterStalled(Exception):
    """The writer's task has got no further for longer than `writer_stall_seconds`."""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return ""


def _wanted(root: Path, rel: str) -> bool:
    """Article files, images (articles depend on them), and folders (a moved or deleted
    folder reports only its own path)."""
    if any(part.startswith(".") for part in rel.split("/")):
        return False
    name = rel.rsplit("/", 1)[-1]
    if files.is_article_name(name) or Path(name).suffix.lower() in MEDIA_TYPES:
        return True
    return not (root / rel).is_file()
