"""Files are read on a thread of their own, never on the one that writes the archive: a read
that hangs in the operating system (a stalled network or FUSE file system; a FIFO before
files were opened without blocking) once held the one writer thread for good, and with it
ingest, the partner API's delivery log and the archive's lock. The writer waits for each
file a bounded time; past it, the file is refused with a line saying so (its last good
version stays up), the stuck reader is left behind, and a fresh one reads the rest."""

from __future__ import annotations

import contextlib
import os
import queue
import select
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from syndication.archive.batch import Accepted, Rejected, Restamped
from syndication.errors import ContentError
from syndication.ingest.plan import Candidate

Outcome = Accepted | Rejected | Restamped
T = TypeVar("T")


class Mailbox(Generic[T]):
    """A one-way queue between threads whose timed wait measures no clock: it waits on a
    pipe with select(), whose timeout is a length of time, where a timed lock waits for a
    moment on the monotonic clock (which libfaketime, moving the clock in CI, moves a year
    away). Its pipe is closed when the mailbox is dropped, which is after both threads
    (each holds it) are done with it."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._read, self._write = os.pipe()

    def put(self, item: T) -> None:
        self._items.append(item)
        os.write(self._write, b"x")  # the writing thread holds the mailbox: never closed yet

    def get(self, timeout: float) -> T:
        """The next item; queue.Empty when none comes within `timeout` seconds."""
        ready, _, _ = select.select([self._read], [], [], timeout)
        if not ready:
            raise queue.Empty
        os.read(self._read, 1)
        return self._items.popleft()

    def __del__(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


class Readers:
    """Reads candidates in order on daemon threads (a stuck one never holds up the
    process's exit); counts the readers left behind."""

    def __init__(self, parse: Callable[[Candidate], Outcome], seconds: float) -> None:
        self.parse = parse
        self.seconds = seconds
        self.left_behind = 0

    def outcomes(self, candidates: list[Candidate]) -> Iterator[Outcome]:
        """Each candidate's outcome, in order; a read past the time allowed is refused."""
        start = 0
        while start < len(candidates):
            done: Mailbox[Outcome | BaseException] = Mailbox()
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
        self, candidates: list[Candidate], done: Mailbox[Outcome | BaseException]
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
