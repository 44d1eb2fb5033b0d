"""A token bucket per partner: `rate` requests a minute on average, bursts up to `rate`.

The buckets live in a small file that every serving process of one archive maps (in a
RAM-backed runtime folder), each bucket locked while it is updated: with `serve --workers 2`
a partner limited to 10 a minute gets 10, not 10 from each process.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import mmap
import os
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SLOT = struct.Struct("dd")  # tokens, and when they were counted (time.monotonic: system-wide)
SLOTS = 65_536  # partner ids beyond this share the last one


@dataclass(slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        """RateLimit fields as the IETF httpapi draft and most APIs spell them."""
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    """Buckets in `path`, shared by every process that opens it."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < SLOT.size * SLOTS:
            os.ftruncate(self._fd, SLOT.size * SLOTS)  # sparse: a page a partner in use
        self._map = mmap.mmap(self._fd, SLOT.size * SLOTS)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)

    def take(self, partner_id: int, per_minute: int) -> Verdict:
        offset = min(max(partner_id, 0), SLOTS - 1) * SLOT.size
        with self._locked(offset):
            now = self.clock()
            rate = per_minute / 60.0
            tokens, then = SLOT.unpack_from(self._map, offset)
            # A new bucket, one from before a reboot, or bytes no bucket leaves: full again.
            if not (0.0 < then <= now and 0.0 <= tokens <= per_minute):
                tokens, then = float(per_minute), now
            tokens = min(float(per_minute), tokens + (now - then) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            SLOT.pack_into(self._map, offset, tokens, now)
        return Verdict(
            allowed=allowed,
            limit=per_minute,
            remaining=int(tokens),
            reset=math.ceil((per_minute - tokens) / rate),
            retry_after=0 if allowed else math.ceil((1.0 - tokens) / rate),
        )

    @contextlib.contextmanager
    def _locked(self, offset: int) -> Iterator[None]:
        """One bucket, locked against the other processes while it is read and written."""
        fcntl.lockf(self._fd, fcntl.LOCK_EX, SLOT.size, offset)
        try:
            yield
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, SLOT.size, offset)
