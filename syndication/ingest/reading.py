"""Files are read on a thread of their own, never on the one that writes the archive: a read
that hangs in the operating system (a stalled network or FUSE file system; a FIFO before
files were opened without blocking) once held the one writer thread for good, and with it
ingest, the partner API's delivery log and the archive's lock. The writer waits for each
file a bounded time; past it, the file is refused with a line saying so (its last good
version stays up), the stuck reader is left behind, and a fresh one reads the rest."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from syndication.archive.batch import Accepted, Rejected, Touched
from syndication.errors import ContentError
from syndication.ingest.plan import Candidate

Outcome = Accepted | Rejected | Touched

READ_SECONDS = 30.0  # what one file's read and parse may take before it is given up


class Readers:
    """Reads candidates in order on daemon threads (a stuck one never holds up the
    process's exit); counts the readers left behind."""

    def __init__(
        self, parse: Callable[[Candidate], Outcome], seconds: float = READ_SECONDS
    ) -> None:
        self.parse = parse
        self.seconds = seconds
        self.left_behind = 0

    def outcomes(self, candidates: list[Candidate]) -> Iterator[Outcome]:
        """Each candidate's outcome, in order; a read past the time allowed is refused."""
        start = 0
        while start < len(candidates):
            done: queue.SimpleQueue[Outcome | BaseException] = queue.SimpleQueue()
            rest = candidates[start:]
            threading.Thread(
                target=self._read_all, args=(rest, done), name="read-files", daemon=True
            ).start()
            for candidate in rest:
                try:
                    got = done.get(timeout=self.seconds)
                except queue.Empty:
                    self.left_behind += 1
                    yield self._given_up(candidate)
                    start += 1
                    break  # that reader is stuck: a new one reads what follows
                if isinstance(got, BaseException):
                    raise got
                yield got
                start += 1

    def _read_all(
        self, candidates: list[Candidate], done: queue.SimpleQueue[Outcome | BaseException]
    ) -> None:
        for candidate in candidates:
            try:
                done.put(self.parse(candidate))
            except BaseException as exc:  # handed to the writer's thread, raised there
                done.put(exc)
                return

    def _given_up(self, candidate: Candidate) -> Outcome:
        error = ContentError(
            candidate.file,
            f"could not be read within {self.seconds:g} s (a stalled file system or device?); "
            "it is read again when it changes",
        )
        return Rejected(candidate.file, candidate.size, candidate.mtime_ns, error, None)
