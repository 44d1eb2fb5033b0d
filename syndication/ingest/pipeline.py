"""Reading the files a plan names and handing them to the archive's writer.

plan -> read -> parse -> apply, in windows of files, so memory stays flat on a
million-file archive and a crash loses at most the window in flight (the next run picks it
up by mtime).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import hashlib
import itertools
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from syndication.archive import related
from syndication.archive.batch import Accepted, ApplyResult, Rejected, Restamped
from syndication.archive.dependencies import Needed
from syndication.archive.writer import ArchiveWriter
from syndication.config import Settings
from syndication.errors import ContentError
from syndication.ingest import files, plan
from syndication.ingest.parse import Parsed, parse_safely
from syndication.ingest.plan import Candidate
from syndication.ingest.reading import Outcome, Readers

# Bump when what a file turns into changes for the same bytes (a new rule of the editors'
# contract): every archive then reads its files again once.
PARSE_RULES = 6  # 6: `permissions:`, and others' copy and pictures kept with mining reserved
RULES_KEY = "parse_rules"
WINDOW = 1000  # files committed together: a crash loses at most this many to re-read
FREED_PASSES = 8  # rounds of files freed by files freed (a chain of moved ids) read at once
POOL_THRESHOLD = 300  # below this, a process pool costs more than it saves
CHUNK = 50  # files per task sent to a worker process
AHEAD = 2 * WINDOW // CHUNK  # tasks in flight: workers parse the next window while one is applied


def parse_file(content_dir: Path, settings: Settings, cand: Candidate) -> Outcome:
    """Read and parse one file. Runs in worker processes, so it takes and returns plain data."""
    digest: str | None = None
    try:
        data = files.read_file(content_dir, cand.file, settings.max_file_bytes)
        digest = files.content_hash(data)
        if digest == cand.known_hash:
            return Restamped(cand.file, cand.size, cand.mtime_ns)
        parsed = parse_safely(data, cand.file, content_dir, settings)
        return Accepted.of(
            cand.file,
            cand.size,
            cand.mtime_ns,
            digest,
            parsed.article,
            parsed.lines,
            _pictures_needed(content_dir, parsed),
        )
    except ContentError as error:
        return Rejected(cand.file, cand.size, cand.mtime_ns, error, digest)


def rules_fingerprint(settings: Settings) -> str:
    """What, besides a file's bytes, decides what it becomes."""
    rules = {
        "version": PARSE_RULES,
        "default_edition": settings.default_edition,
        "editions": [(e.code, e.timezone) for e in settings.editions],
        "sections": [s.slug for s in settings.sections],
        "sources": [(s.name, s.licensed_in, s.aliases) for s in settings.sources],
        "syndicate_by_default": settings.syndicate_by_default,
        "max_file_bytes": settings.max_file_bytes,
    }
    return hashlib.blake2b(json.dumps(rules).encode(), digest_size=12).hexdigest()


def _pictures_needed(content_dir: Path, parsed: Parsed) -> tuple[Needed, ...]:
    """The pictures the article shows, as they are now: its `image:` and its body's."""
    image = parsed.article.image
    needed = []
    for src in dict.fromkeys((*((image.src,) if image else ()), *parsed.pictures)):
        st = files.stat_one(content_dir, src)
        needed.append(Needed(src) if st is None or st.is_dir else Needed(src, st.size, st.mtime_ns))
    return tuple(needed)


class Ingestor:
    """Brings the archive in line with content/; owns no thread, the caller provides it."""

    def __init__(
        self,
        settings: Settings,
        writer: ArchiveWriter,
        progressed: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.content_dir = settings.content_dir.resolve()
        self.writer = writer
        self.progressed = progressed  # told as each file is read and each window written

    def full_scan(self) -> ApplyResult:
        """Every file under content/; unchanged ones (same size and mtime) cost a stat, and
        so do the images they depend on. When the rules files are read by have changed
        (sources, sections, editions in syndication.toml, or this program's own), every
        file is read again: an agency newly marked licensed-in must stop reaching partners
        whether or not its stories' files were touched."""
        rules = rules_fingerprint(self.settings)
        force_all = self.writer.meta(RULES_KEY) != rules
        forced = set() if force_all else self._stale_dependents()
        result = self._run(plan.full(self.content_dir, self.writer, forced, force_all))
        self.writer.set_meta(RULES_KEY, rules)
        return result

    def ingest_paths(self, rels: Iterable[str]) -> ApplyResult:
        """Just these paths (from the watcher); a folder stands for everything under it, and
        any other file (an image) for the articles that depend on it."""
        rels = list(rels)
        stats = {rel: files.stat_one(self.content_dir, rel) for rel in rels}
        wanted = [
            r for r, st in stats.items() if st is None or st.is_dir or files.is_article_name(r)
        ]
        force = self.writer.dependents(rels)
        folders = [r.rstrip("/") for r in wanted if (st := stats[r]) is None or st.is_dir]
        recorded = self.writer.file_rows(files=[*wanted, *force], folders=folders)
        errors = self.writer.error_stats()
        known = set(recorded) | set(errors)
        seen: dict[str, files.FileStat | None] = {}
        for rel in wanted:
            st = stats[rel]
            if st is not None and st.is_dir:
                prefix = rel.rstrip("/") + "/"
                under = files.scan(self.content_dir / rel)
                seen.update({prefix + k: v for k, v in under.items()})
                if not files.is_article_name(rel) or rel not in recorded:
                    continue
            elif st is None:
                prefix = rel.rstrip("/") + "/"
                seen.update({k: None for k in known if k.startswith(prefix)})
            seen[rel] = st
        for rel in force:
            if rel not in seen:
                seen[rel] = files.stat_one(self.content_dir, rel)
        present = {k: v for k, v in seen.items() if v is not None}
        gone = [k for k, v in seen.items() if v is None]
        return self._run(plan.chosen(present, gone, recorded, errors, force))

    def _stale_dependents(self) -> set[str]:
        """Files whose image appeared, changed or went while nobody watched."""
        force: set[str] = set()
        path_seen, now = "", (-1, 0)
        for path, file, size, mtime_ns in self.writer.recorded_dependencies():  # by path
            if path != path_seen:
                st = files.stat_one(self.content_dir, path)
                now = (-1, 0) if st is None or st.is_dir else (st.size, st.mtime_ns)
                path_seen = path
            if now != (size, mtime_ns):
                force.add(file)
        return force

    def _run(self, todo: plan.Plan) -> ApplyResult:
        """The plan applied; then the files refused for an id or address that a file it
        changed or removed held, read again (their claim may be free now), until none is
        freed: the archive follows the files as they are, whatever order they came in."""
        result = self._run_once(todo)
        freed = result.freed
        for _ in range(FREED_PASSES):
            if not freed:
                break
            seen = {rel: files.stat_one(self.content_dir, rel) for rel in sorted(freed)}
            present = {k: v for k, v in seen.items() if v is not None}
            again = self._run_once(
                plan.chosen(
                    present,
                    [k for k, v in seen.items() if v is None],
                    self.writer.file_rows(files=list(freed)),
                    self.writer.error_stats(),
                    set(freed),
                )
            )
            # What the files read again say now replaces what they said before.
            result.errors = [e for e in result.errors if e.file not in freed]
            freed = again.freed
            result.add(again)
        return result

    def _run_once(self, todo: plan.Plan) -> ApplyResult:
        result = ApplyResult()
        if todo.rejected:
            result.add(self.writer.apply(rejected=todo.rejected, withdraw_gone=False))
        defer = todo.count > related.BULK  # rank once at the end, not after each window
        pooled = todo.count >= POOL_THRESHOLD
        applied = False
        for outcomes, last in _marking_last(self._parse(todo.candidates(), pooled)):
            result.add(
                self.writer.apply(
                    accepted=[o for o in outcomes if isinstance(o, Accepted)],
                    rejected=[o for o in outcomes if isinstance(o, Rejected)],
                    touched=[o for o in outcomes if isinstance(o, Restamped)],
                    gone=todo.gone,
                    withdraw_gone=last,
                    defer_related=defer,
                )
            )
            self.progressed()
            applied = True
        if not applied:  # nothing to read: the files gone are withdrawn on their own
            result.add(self.writer.apply(gone=todo.gone, defer_related=defer))
        if defer:
            _give_back_memory()  # the parse windows are gone; ranking is long and wants room
        self.writer.refresh_related(self._rank_in_workers)
        if defer:
            self.writer.give_back_free_pages()
        return result

    def _rank_in_workers(
        self, batches: list[list[int]], total: int, counts: dict[str, int]
    ) -> Iterator[list[list[int]]]:
        """A full ranking of "More on this topic" spread over one process per core. Only a
        few batches are in flight: the writer storing rankings is slower than the workers
        making them, and a million articles' rankings waiting for it took 300 MB."""
        db = str(self.settings.db_path.resolve())
        workers = os.cpu_count() or 1
        with _pool(workers) as pool:
            pending: deque[Future[list[list[int]]]] = deque()
            for batch in batches:
                pending.append(pool.submit(related.rank_batch, db, batch, total, counts))
                if len(pending) > 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _parse(self, candidates: Iterator[Candidate], pooled: bool) -> Iterator[list[Outcome]]:
        """Parsed windows in order. With a pool, workers run ahead while the caller applies
        (and the candidates are walked as they are needed)."""
        if not pooled:  # read on a thread of its own, each file within its time
            readers = Readers(
                lambda c: parse_file(self.content_dir, self.settings, c),
                self.settings.file_read_seconds,
            )
            for batch in _batches(candidates, WINDOW):
                parsed = []
                for outcome in readers.outcomes(batch):
                    parsed.append(outcome)
                    self.progressed()
                yield parsed
            return
        with _pool(os.cpu_count() or 1) as pool:
            chunks = _batches(candidates, CHUNK)
            pending: deque[Future[list[Outcome]]] = deque()
            window: list[Outcome] = []
            while True:
                while len(pending) < AHEAD and (chunk := next(chunks, None)) is not None:
                    work = pool.submit(_parse_chunk, self.content_dir, self.settings, chunk)
                    pending.append(work)
                if not pending:
                    break
                window += pending.popleft().result()
                self.progressed()
                if len(window) >= WINDOW:
                    yield window
                    window = []
            if window:
                yield window


def _give_back_memory() -> None:
    """Return the memory freed by a large scan to the system. CPython's allocator keeps
    freed arenas, and glibc keeps freed heap, unless asked (elsewhere this does nothing)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def start_worker(ingest_pid: int) -> None:
    """In each worker: yield the CPU to the writer (the one step that cannot be parallel),
    and end when the ingest process is gone. A worker waits on a queue that its siblings
    also hold open, so if the ingest is killed (SIGKILL, OOM) it would otherwise wait
    forever."""
    os.nice(5)

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(ingest_pid, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="watch-ingest", daemon=True).start()


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: this process may hold threads (aiosqlite, the writer); forking them is unsafe
    return ProcessPoolExecutor(
        workers,
        mp_context=get_context("forkserver"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )


def _parse_chunk(content_dir: Path, settings: Settings, chunk: list[Candidate]) -> list[Outcome]:
    """In a worker process: each file within its time, as on the single-process path, so a
    read the system never answers holds one worker thread, never the whole scan."""
    readers = Readers(lambda c: parse_file(content_dir, settings, c), settings.file_read_seconds)
    return list(readers.outcomes(chunk))


def _batches(items: Iterator[Candidate], size: int) -> Iterator[list[Candidate]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _marking_last(windows: Iterator[list[Outcome]]) -> Iterator[tuple[list[Outcome], bool]]:
    """Each window, and whether it is the last: the last one withdraws the files gone, in
    the same transaction, so a move is never seen as a withdrawal and a new story."""
    current = next(windows, None)
    while current is not None:
        following = next(windows, None)
        yield current, following is None
        current = following
