"""The response cache: rendered bytes (identity and gzip) with a strong ETag per URL.

An entry remembers the change sequence it reflects and the articles it shows. When the
sequence moves, the entry is rebuilt only if a changed article was in it or belongs to its
scope now; otherwise it is simply marked current. A conditional GET that matches a current
entry is answered from memory: the clock below knows the sequence without asking SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime

from syndication.archive.queries import Archive, Commit
from syndication.clock import Clock
from syndication.validity_periods import ALWAYS, Period
from syndication.web import cors

UNDATED = datetime.fromtimestamp(0, UTC)  # until `dated_by_commit` gives the date


@dataclass(slots=True, weakref_slot=True)  # the fast lane refers to entries weakly
class Rendered:
    body: bytes
    etag: str  # strong, quoted, of the identity bytes; the gzip variant appends "-gzip"
    content_type: str
    cache_control: str
    links: tuple[str, ...]  # Link header values
    seq: int
    article_ids: frozenset[str] = field(default_factory=frozenset)
    # Given when the entry is kept (`dated_by_commit`, `_dated_by_bytes`): when its bytes
    # last changed, to the second, and whether no other version of it can carry that second.
    last_modified: datetime = UNDATED
    date_exact: bool = True
    # Response headers worked out once, not on every request: [gzipped][not_modified].
    headers: dict[tuple[bool, bool], dict[str, str]] = field(default_factory=dict)
    # When the bytes are right if nothing changes: a page whose "From our online archive"
    # line depends on today's date is right from midnight until the next.
    period: Period = ALWAYS
    # What a shared cache in front is told: its tags and lifetime (edge/tags.py).
    edge: tuple[tuple[str, str], ...] = ()
    # What it says of its copy's rights policy (publish/machine_rights.py).
    rights: tuple[tuple[str, str], ...] = ()
    _gzipped: bytes | None = None
    # The bytes the fast lane writes before Date and Server: [gzipped][not_modified].
    wire: dict[tuple[bool, bool], bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        common = {
            "Last-Modified": format_datetime(self.last_modified, usegmt=True),
            "Cache-Control": self.cache_control,
            "Vary": "Accept-Encoding",
            **cors.SHARED,
        }
        if self.links:
            common["Link"] = ", ".join(self.links)
        common.update(self.rights)
        common.update(self.edge)
        for gzipped in (False, True):
            tag = {"ETag": self.gzip_etag if gzipped else self.etag}
            # A 304 repeats only what RFC 9110 asks for; the client keeps the rest.
            self.headers[gzipped, True] = {
                **tag,
                "Cache-Control": self.cache_control,
                "Vary": "Accept-Encoding",
                **cors.SHARED,
            }
            full = {**tag, **common, "Content-Type": self.content_type}
            if gzipped:
                full["Content-Encoding"] = "gzip"
            self.headers[gzipped, False] = full

    @classmethod
    def of(
        cls,
        body: bytes,
        content_type: str,
        cache_control: str,
        links: tuple[str, ...],
        seq: int,
        article_ids: frozenset[str],
    ) -> Rendered:
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        return cls(
            body,
            f'"{digest}"',
            content_type,
            cache_control,
            links,
            seq,
            article_ids,
        )

    @property
    def gzipped(self) -> bytes:
        """Compressed when first asked for, not when built: a rebuild after a change is on
        the path of the change's visibility, and half its time was gzip for a full-text
        feed. (Two first requests at once may both compress; they get the same bytes.)"""
        if self._gzipped is None:
            # level 4: within 3% of level 6's size at a third of its time
            self._gzipped = gzip.compress(self.body, compresslevel=4, mtime=0)
        return self._gzipped

    def current(self, seq: int, now: float) -> bool:
        """Whether this entry may answer for change sequence `seq` at `now` (Unix time)."""
        return self.seq >= seq and now < self.period.end

    @property
    def weight(self) -> int:
        """Bytes this entry holds or will: the body, its gzip (about a third of it, made on
        first request) and the headers and bookkeeping around them."""
        return len(self.body) + len(self.body) // 3 + ENTRY_OVERHEAD

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'

    def stating(self, rights: dict[str, str], links: tuple[str, ...]) -> Rendered:
        """With the headers and Link values that state its rights policy."""
        return replace(
            self, rights=tuple(rights.items()), links=(*self.links, *links), headers={}, wire={}
        )

    def tagged(self, edge: dict[str, str]) -> Rendered:
        return replace(self, edge=tuple(edge.items()), headers={}, wire={})

    def dated(self, last_modified: datetime, exact: bool) -> Rendered:
        if last_modified == self.last_modified and exact == self.date_exact:
            return self
        return replace(
            self,
            last_modified=last_modified,
            date_exact=exact,
            headers={},
            wire={},
        )


def dated_by_commit(entry: Rendered, commit: Commit, settled: bool, now: float) -> Rendered:
    """A new build's Last-Modified: the archive's last commit before the build began (its
    bytes reflect that commit or a later one), or the start of the entry's period when that
    is later. HTTP dates count whole seconds, so the date is exact (a copy dated that second
    is this one) only when no other version of the answer can share it: the commit was alone
    in its second, none landed while the build ran (`settled`), and it is not the second the
    period began."""
    start = int(entry.period.start)
    second = int(commit.at.timestamp())
    when = min(max(second, start), int(now))
    # the second the period began is shared with versions built before a commit in it
    exact = settled and (commit.alone if second > start else second < start)
    return entry.dated(datetime.fromtimestamp(when, UTC), exact)


def _dated_by_bytes(fresh: Rendered, previous: Rendered | None) -> Rendered:
    """One rule for validators: an answer's Last-Modified is when its bytes last changed.
    Rebuilt to the same bytes (the ETag says so), it keeps the date it had; rebuilt to other
    bytes in the same second as the old ones' date, the date is no longer exact, so
    If-Modified-Since alone never gets a 304 for bytes the client has not seen."""
    if previous is None:
        return fresh
    if previous.etag == fresh.etag:
        return fresh.dated(previous.last_modified, previous.date_exact)
    if fresh.last_modified > previous.last_modified:
        return fresh
    return fresh.dated(previous.last_modified, exact=False)


class ChangeSequence:
    """The current change sequence. Pushed by the in-process writer when there is one;
    otherwise read from the archive at most every `interval` seconds."""

    def __init__(self, archive: Archive, interval: float = 0.25) -> None:
        self.archive = archive
        self.interval = interval
        self.seq = 0
        self.pushed = False
        self._read_at = 0.0
        self._moved = asyncio.Event()  # set, and replaced, each time a push moves the sequence
        self._commit: tuple[int, Commit] | None = None  # the last commit read, at a sequence
        self.beside_writer = False  # the archive's writer runs in this process and pushes

    def push(self, seq: int) -> None:
        self.pushed = True
        if seq > self.seq:
            self.seq = seq
            self._moved.set()
            self._moved = asyncio.Event()

    async def current(self) -> int:
        if not self.pushed and time.monotonic() - self._read_at > self.interval:
            self.seq = await self.archive.current_seq()
            self._read_at = time.monotonic()
        return self.seq

    async def last_commit(self) -> Commit:
        """The archive's last commit. In the writer's process (its commits push the clock as
        they land) it is read once per sequence; a commit not yet pushed makes it stale for
        a moment, which `dated_by_commit` sees as a commit landing during the build. A reader
        process, whose clock lags by up to `interval`, reads it every time."""
        if self.beside_writer and self._commit is not None and self._commit[0] == self.seq:
            return self._commit[1]
        return await self.read_commit()

    async def read_commit(self) -> Commit:
        """The archive's last commit, read now."""
        commit = await self.archive.last_commit()
        self._commit = (self.seq, commit)
        return commit

    async def wait_beyond(self, seq: int, seconds: float) -> int:
        """Wait until the sequence passes `seq` or `seconds` pass (long polls)."""
        deadline = time.monotonic() + seconds
        while (now := await self.current()) <= seq:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self.pushed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._moved.wait(), left)
            else:
                await asyncio.sleep(min(self.interval, left))
        return now


ENTRY_OVERHEAD = 3000  # header dicts, ETags, the key and the ids of the articles shown


class ResponseCache:
    """Rendered responses by URL, the least recently used dropped beyond `max_bytes`: a
    million-article archive has more pages than memory, and a reader process must stay
    within its budget however many different URLs crawlers ask for."""

    def __init__(self, max_bytes: int, clock: Clock) -> None:
        self.max_bytes = max_bytes
        self.clock = clock  # an entry is current only within its period
        self.bytes = 0
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        # One lock per key being built, with how many wait on it; gone when the last leaves,
        # so 20,000 requests for made-up URLs (answered 404, never cached) leave nothing.
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        self.hits = 0
        self.builds = 0

    def peek(self, key: str) -> Rendered | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    async def get(
        self,
        key: str,
        seq: int,
        still_valid: Callable[[Rendered], Awaitable[bool]],
        build: Callable[[int], Awaitable[Rendered]],
    ) -> Rendered:
        """The entry for `key` as of `seq`, revalidated or rebuilt once however many ask."""
        entry = self.peek(key)
        if entry is not None and entry.current(seq, self.clock.time()):
            self.hits += 1
            return entry
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                entry = self.peek(key)
                now = self.clock.time()
                if entry is not None and entry.current(seq, now):
                    self.hits += 1
                    return entry
                if entry is not None and now < entry.period.end and await still_valid(entry):
                    entry.seq = seq
                    self.hits += 1
                    return entry
                fresh = _dated_by_bytes(await build(seq), entry)
                self.builds += 1
                self._keep(key, fresh)
                return fresh
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    def _keep(self, key: str, entry: Rendered) -> None:
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self.bytes -= replaced.weight
        self._entries[key] = entry
        self.bytes += entry.weight
        while self.bytes > self.max_bytes and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.weight

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
