"""What one connection may hold of a serving process: a deadline for each request's line and
headers (a client sending them a byte at a time, or nothing at all, is answered 408 and let
go), and a cap on the connections open at once (past it, a new one is answered 503 and
closed at once). aiohttp has neither: 3,000 half-sent requests were once held for 73 s and
grew the process from 145 to 385 MB."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Protocol

_END_OF_HEAD = b"\r\n\r\n"


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
    open: int = 0
    timed_out: int = 0
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


class HeadDeadline:
    """The deadline of the request head being read on one connection. A head starts with the
    first byte after the connection opens or after the last request was answered; it ends
    at the blank line after the headers."""

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
        self.tail = b""  # the last bytes of the head so far: its end may be split over reads

    def start(self) -> None:
        """A head starts now (a new connection counts as one: it owes its first request)."""
        self.tail = b""
        self.timer = self.loop.call_later(self.limits.head_seconds, self._expire)

    def watch(self, data: bytes, answering: bool) -> None:
        """Bytes arrived; `answering` says a request is still being read or answered (these
        bytes are its body, or the next request pipelined behind it)."""
        if self.timer is None:
            if answering:
                return
            self.start()
        seen = self.tail + data
        if _END_OF_HEAD in seen:
            self.stop()
        else:
            self.tail = seen[-3:]

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _expire(self) -> None:
        self.timer = None
        if not self.transport.is_closing():
            self.limits.timed_out += 1
            self.transport.write(TOO_SLOW)
            self.transport.close()
