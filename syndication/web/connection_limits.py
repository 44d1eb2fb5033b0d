"""What one connection may hold of a serving process: a deadline for each request's line and
headers (a client sending them a byte at a time, or nothing at all, is answered 408 and let
go; a next head begun behind a whole one included), a deadline for taking an answer (a
client that reads none of it for `send_stall_seconds` is closed), and a cap on the
connections open at once (past it, a new one is answered 503 and closed at once). aiohttp
has none of these: 3,000 half-sent requests were once held for 73 s and grew the process
from 145 to 385 MB. A body's own deadline is web/request_body.py's."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import re
import sys
import termios
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Protocol

_END_OF_HEAD = b"\r\n\r\n"
HEAD_KEPT = 65_536  # bytes of one head looked at for a body (aiohttp refuses longer heads)
# A head that announces a body: the bytes after it are that body, not a next head.
_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*([0-9]{1,15})[ \t]*\r?$")
_CHUNKED = re.compile(rb"(?im)^transfer-encoding[ \t]*:")
_LAST_CHUNK = b"\r\n0\r\n\r\n"  # a chunked body's end (with no trailers, as clients send)


def _answer(status: str, message: str, extra: str = "") -> bytes:
    body = json.dumps({"ok": False, "error": message, "status": int(status[:3])}).encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
        f"{extra}Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


TOO_SLOW = _answer("408 Request Timeout", "The request's line and headers came too slowly.")
TOO_MANY = _answer(
    "503 Service Unavailable", "Too many connections are open; try again.", "Retry-After: 1\r\n"
)


@dataclass(slots=True)
class ConnectionLimits:
    """The limits of one serving process (settings `request_head_seconds` and
    `max_connections`), and what they have counted."""

    head_seconds: float
    max_connections: int
    send_stall_seconds: float = 60.0
    open: int = 0
    timed_out: int = 0
    bodies_timed_out: int = 0
    sends_stalled: int = 0
    turned_away: int = 0
    idle_closed: int = 0
    # The open connections, the longest since its last request first: at the cap, the
    # oldest one idle between requests (keep-alive) is closed to make room (a client opens
    # another when it needs it), so idle connections never keep everyone else out.
    by_activity: dict[Idle, None] = field(default_factory=dict)

    def admit(self, connection: Idle) -> bool:
        """Count a new connection in; False when it is one too many and none is idle."""
        self.open += 1
        if self.open > self.max_connections:
            oldest_idle = next((c for c in self.by_activity if c.is_idle()), None)
            if oldest_idle is None:
                self.turned_away += 1
                return False
            self.idle_closed += 1
            self.by_activity.pop(oldest_idle, None)
            oldest_idle.close_idle()
        self.by_activity[connection] = None
        return True

    def active(self, connection: Idle) -> None:
        """A request began on `connection`: it goes to the end of the line."""
        self.by_activity.pop(connection, None)
        self.by_activity[connection] = None

    def release(self, connection: Idle) -> None:
        self.open -= 1
        self.by_activity.pop(connection, None)


class Idle(Protocol):
    """A connection that can say it waits for its next request, and be closed then."""

    def is_idle(self) -> bool: ...

    def close_idle(self) -> None: ...


class _ConnectionDeadline(ABC):
    """A timer on one connection: set by `_wait`, calling `_expire` unless `stop`ped."""

    def __init__(
        self,
        limits: ConnectionLimits,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.limits = limits
        self.transport = transport
        self.loop = loop
        self.timer: asyncio.TimerHandle | None = None

    def _wait(self, seconds: float) -> None:
        self.timer = self.loop.call_later(seconds, self._expire)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    @abstractmethod
    def _expire(self) -> None:
        """What the deadline does when it passes (each deadline says it)."""


class HeadDeadline(_ConnectionDeadline):
    """The deadline of the request head being read on one connection. A head starts with the
    first byte after the connection opens, after the last request was answered, or after a
    whole head with no body in the same read (a pipelined next one); it ends at the blank
    line after the headers."""

    seen = b""  # the head so far (its first HEAD_KEPT bytes and its last three)
    body_left: int | None = 0  # of the last head's body: bytes to come (None: chunked)
    chunk_tail = b""  # a chunked body's last bytes: its end may be split over reads

    def start(self) -> None:
        """A head starts now (a new connection counts as one: it owes its first request)."""
        self.seen = b""
        self._wait(self.limits.head_seconds)

    def watch(self, data: bytes) -> None:
        """Bytes arrived: the last head's body while it lasts (by its Content-Length, or to
        a chunked body's last chunk), and after it the next request's head, timed whether
        or not the one before is answered yet."""
        while data:
            if self.timer is None:
                data = self._through_body(data)
                if not data:
                    return
                self.start()
            rest = self.seen + data
            end = rest.find(_END_OF_HEAD)
            if end < 0:
                self.seen = rest if len(rest) <= HEAD_KEPT else rest[: HEAD_KEPT - 3] + rest[-3:]
                return
            head, data = rest[:end], rest[end + len(_END_OF_HEAD) :]
            self.stop()
            self.seen = b""
            length = _LENGTH.search(head)
            chunked = _CHUNKED.search(head) is not None
            self.body_left = None if chunked else int(length[1]) if length else 0
            self.chunk_tail = b"\r\n" if chunked else b""  # its first chunk-size line too

    def _through_body(self, data: bytes) -> bytes:
        """`data` less what belongs to the body being received; what follows it."""
        if self.body_left is None:  # chunked: up to the last chunk
            seen = self.chunk_tail + data
            end = seen.find(_LAST_CHUNK)
            if end < 0:
                self.chunk_tail = seen[-(len(_LAST_CHUNK) - 1) :]
                return b""
            self.body_left = 0
            return seen[end + len(_LAST_CHUNK) :]
        taken = min(self.body_left, len(data))
        self.body_left -= taken
        return data[taken:]

    def _expire(self) -> None:
        self.timer = None
        if self.transport.is_closing():
            return
        if not self.transport.is_reading():
            # The server stopped reading (answering pipelined requests first): what the
            # client sent waits in the socket, so the client is not late. Timed again.
            self._wait(self.limits.head_seconds)
            return
        self.limits.timed_out += 1
        self.transport.write(TOO_SLOW)
        self.transport.close()


class SendDeadline(_ConnectionDeadline):
    """A client must keep taking what it is sent: while the transport's buffer is full
    (writing paused), it must take some of it within each `send_stall_seconds`, or the
    connection is dropped (aborted: what is buffered could never be delivered). A client
    that reads, however slowly, is never cut."""

    buffered = 0  # what waited to be sent when the client was last seen to read

    def paused(self) -> None:
        self.stop()
        self.buffered = self._unsent()
        self._wait(self.limits.send_stall_seconds)

    def _unsent(self) -> int:
        """Bytes written to the client it has not taken: in the transport's buffer and in
        the kernel's send queue. The kernel's queue matters: it is megabytes on a fast
        link, and the kernel tells the transport it may write again only once a large part
        of it is free, so a client reading steadily can leave the transport's own buffer
        unchanged for many seconds."""
        waiting = self.transport.get_write_buffer_size()
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                queued = bytearray(4)
                fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, queued)
                waiting += int.from_bytes(queued, sys.byteorder)
        return waiting

    def _expire(self) -> None:
        self.timer = None
        if self.transport.is_closing():
            return
        waiting = self._unsent()
        if waiting != self.buffered:  # it took some (or more was queued: looked at again)
            self.buffered = waiting
            self._wait(self.limits.send_stall_seconds)
            return
        self.limits.sends_stalled += 1
        self.transport.abort()
