"""The fast lane: repeat requests for cached pages and feeds answered before aiohttp parses them.

A feed poll whose answer is a current entry of the response cache costs aiohttp about 50 us
(a request object, routing, the middleware, a response object) where nginx answers the same
from memory in 12. This protocol sits in front of aiohttp's on each connection. When a
request arrives whole and alone, is a plain HTTP/1.1 GET or HEAD of a target aiohttp has
already answered from the cache with a public entry, and that entry is still current, the
lane writes the stored bytes itself, deciding 304 and gzip by the same rules
(conditional.py). Everything else (the first request for a URL, anything after a change,
the partner API, a request with a body or split over two reads) goes to aiohttp untouched,
and a connection that once carried such a request stays with aiohttp.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, cast

from aiohttp import web
from aiohttp.http import SERVER_SOFTWARE
from aiohttp.web_protocol import RequestHandler

from syndication.web.conditional import gzip_ok, unchanged_for
from syndication.web.connection_limits import (
    TOO_MANY,
    ConnectionLimits,
    HeadDeadline,
    SendDeadline,
)
from syndication.web.request_stats import RequestStats
from syndication.web.response_cache import ChangeSequence, Rendered, ResponseCache

LEARNED_BYTES_SHARE = 16  # of response_cache_mb, for the request targets the lane remembers
LEARNED_OVERHEAD = 400  # bytes of one remembered target beyond its strings
MAX_TARGET = 1024  # longer request targets are left to aiohttp, never remembered
# What the lane reads of aiohttp's connection handler to know it is idle, and to tell it the
# connection is in use. If a release of aiohttp renames them the lane stays shut.
_HANDLER_STATE = ("_messages", "_request_in_progress", "_next_keepalive_close_time")
AVAILABLE = all(hasattr(RequestHandler, name) for name in _HANDLER_STATE)
# Requests with these headers are aiohttp's: a body, a protocol switch, a connection to end.
_REFUSED = frozenset((b"content-length", b"transfer-encoding", b"upgrade", b"expect"))
_READ = frozenset(
    (b"host", b"if-none-match", b"if-modified-since", b"accept-encoding", b"user-agent")
)
_STATUS = {200: b"HTTP/1.1 200 OK\r\n", 304: b"HTTP/1.1 304 Not Modified\r\n"}
_SERVER = f"Server: {SERVER_SOFTWARE}\r\n\r\n"


@dataclass(slots=True)
class LearnedTarget:
    """A request target aiohttp answered from a cache entry: the lane answers it next time."""

    entry: weakref.ref[Rendered]
    route: str  # for /metrics, as the middleware names it
    path: str  # for the access log, as aiohttp decodes it
    query: str


def _weight(target: str, learned: LearnedTarget) -> int:
    return len(target) + len(learned.path) + len(learned.query) + LEARNED_OVERHEAD


@dataclass(slots=True)
class PlainRequest:
    """A request the lane may answer: method, raw target and the headers it reads."""

    method: str
    target: str
    headers: dict[bytes, str]


def parse(data: bytes) -> PlainRequest | None:
    """`data` as one whole plain GET or HEAD, or None when aiohttp must see it."""
    end = data.find(b"\r\n\r\n")
    if end == -1 or end + 4 != len(data):
        return None  # partial, pipelined, or with a body
    lines = data[:end].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[0] not in (b"GET", b"HEAD") or parts[2] != b"HTTP/1.1":
        return None
    if not parts[1].startswith(b"/"):
        return None
    headers: dict[bytes, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            return None  # malformed or folded: aiohttp answers 400
        name = name.lower()
        if name in _REFUSED:
            return None
        if name == b"connection" and value.strip().lower() != b"keep-alive":
            return None
        if name in _READ:
            if name in headers:
                return None  # repeated: let aiohttp combine them
            headers[name] = value.strip().decode("latin-1")
    if b"host" not in headers:
        return None  # HTTP/1.1 requires it: aiohttp answers 400
    target = parts[1].decode("utf-8", "surrogateescape")  # as aiohttp's parser decodes it
    return PlainRequest(parts[0].decode(), target, headers)


class FastLane:
    """What one serving process has learned, and the answering from it."""

    def __init__(
        self,
        sequence: ChangeSequence,
        cache: ResponseCache,
        stats: RequestStats,
        access_log: logging.Logger | None,
        max_bytes: int,
        *,
        on: bool = True,
    ) -> None:
        # off by the `fast_lane` setting, or when this aiohttp lacks what the lane reads
        self.on = on and AVAILABLE
        self.sequence = sequence
        self.cache = cache
        self.stats = stats
        self.access_log = access_log
        self.targets: OrderedDict[str, LearnedTarget] = OrderedDict()
        # The remembered targets are counted, within a share of the cache's budget: 25,000
        # distinct query strings once grew a process by 680 MB that no figure showed.
        self.bytes = 0
        self.max_bytes = max_bytes
        self.answered = 0
        self._date = (0, b"")

    def learn(self, request: web.Request, rendered: Rendered) -> None:
        """Remember that aiohttp answered this target from this entry (public ones only)."""
        if not self.on or not rendered.cache_control.startswith("public"):
            return
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "(no route)"
        target = request.raw_path
        if len(target) > MAX_TARGET:
            return
        learned = LearnedTarget(weakref.ref(rendered), route, request.path, request.query_string)
        replaced = self.targets.pop(target, None)
        if replaced is not None:
            self.bytes -= _weight(target, replaced)
        self.targets[target] = learned
        self.bytes += _weight(target, learned)
        while self.bytes > self.max_bytes and self.targets:
            old, dropped = self.targets.popitem(last=False)
            self.bytes -= _weight(old, dropped)

    def answer(self, request: PlainRequest, transport: asyncio.Transport) -> bool:
        """Write the answer to `request` if the lane has it; False leaves it to aiohttp."""
        started = time.perf_counter()
        learned = self.targets.get(request.target)
        if learned is None or not self.sequence.pushed:
            return False
        rendered = learned.entry()
        if rendered is None or not rendered.current(self.sequence.seq, self.cache.clock.time()):
            return False
        headers = request.headers
        gzipped = gzip_ok(headers.get(b"accept-encoding", ""))
        unchanged = unchanged_for(
            headers.get(b"if-none-match"), headers.get(b"if-modified-since"), rendered, gzipped
        )
        head = rendered.wire.get((gzipped, unchanged)) or _wire(rendered, gzipped, unchanged)
        body = rendered.gzipped if gzipped else rendered.body
        sent = b"" if unchanged or request.method == "HEAD" else body
        transport.writelines((head, self._date_line(), sent))
        status = 304 if unchanged else 200
        self.answered += 1
        self.cache.hits += 1
        self.stats.record(learned.route, request.method, status, time.perf_counter() - started)
        self.stats.audience.heard(learned.path, headers.get(b"user-agent", b""))
        if self.access_log is not None:
            self._log(request, learned, transport, status, len(sent), started)
        return True

    def _date_line(self) -> bytes:
        now = int(self.cache.clock.time())
        if self._date[0] != now:
            self._date = (now, f"Date: {formatdate(now, usegmt=True)}\r\n{_SERVER}".encode())
        return self._date[1]

    def _log(
        self,
        request: PlainRequest,
        learned: LearnedTarget,
        transport: asyncio.Transport,
        status: int,
        length: int,
        started: float,
    ) -> None:
        """The line JsonAccessLogger writes for the same request (access_log.py)."""
        peer = transport.get_extra_info("peername")
        line = {
            "at": self.cache.clock.now().isoformat(timespec="milliseconds"),
            "remote": peer[0] if peer else None,
            "method": request.method,
            "path": learned.path,
            "query": learned.query,
            "status": status,
            "bytes": length,
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "agent": request.headers.get(b"user-agent", ""),
        }
        assert self.access_log is not None
        self.access_log.info(json.dumps(line, separators=(",", ":")))


def _wire(rendered: Rendered, gzipped: bool, unchanged: bool) -> bytes:
    """Status line and headers as aiohttp writes them for this entry, but Date and Server."""
    fields = dict(rendered.headers[gzipped, unchanged])
    if not unchanged:
        fields["Content-Length"] = str(len(rendered.gzipped if gzipped else rendered.body))
    lines = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    wire = _STATUS[304 if unchanged else 200] + lines.encode("latin-1")
    rendered.wire[gzipped, unchanged] = wire
    return wire


LANE = web.AppKey("lane", FastLane)


class LaneProtocol(asyncio.Protocol):
    """One connection: the lane's answers, or aiohttp's RequestHandler for the rest."""

    def __init__(self, inner: RequestHandler, lane: FastLane, limits: ConnectionLimits) -> None:
        self.inner = inner
        self.lane = lane
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.head: HeadDeadline | None = None  # None: turned away, aiohttp never saw it
        self.send: SendDeadline | None = None
        self.plain = lane.on  # every request so far came whole, alone, without a body
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        if not self.limits.admit(self):
            self.transport.write(TOO_MANY)
            self.transport.close()
            return
        self.head = HeadDeadline(self.limits, self.transport, self.loop)
        self.head.start()
        self.send = SendDeadline(self.limits, self.transport, self.loop)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.head is None:
            return
        self.limits.active(self)
        self.head.watch(data)
        if self.plain:
            request = parse(data)
            if request is None:
                self.plain = False
            elif self._idle() and self.lane.answer(request, self.transport):  # type: ignore[arg-type]
                # In use, not idle: aiohttp would otherwise close it after keepalive_timeout.
                inner = self.inner
                inner._next_keepalive_close_time = self.loop.time() + inner.keepalive_timeout
                return
        self.inner.data_received(data)

    def is_idle(self) -> bool:
        """Between requests: nothing being read, answered or sent (keep-alive)."""
        return self.head is not None and self.head.timer is None and AVAILABLE and self._idle()

    def close_idle(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _busy(self) -> bool:
        """aiohttp is reading or answering a request, or holds one waiting."""
        return bool(self.inner._request_in_progress or self.inner._messages)

    def _idle(self) -> bool:
        """Nothing of aiohttp's is in progress or waiting, and nothing is left unsent."""
        transport = self.transport
        return (
            not self._busy()
            and transport is not None
            and not transport.is_closing()
            and transport.get_write_buffer_size() == 0
        )

    def eof_received(self) -> None:
        if self.head is not None:
            self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.limits.release(self)
        if self.head is not None and self.send is not None:
            self.head.stop()
            self.send.stop()
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.head is not None and self.send is not None:
            self.send.paused()
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.head is not None and self.send is not None:
            self.send.stop()
            self.inner.resume_writing()


class LaneSite(web.BaseSite):
    """A TCP site whose connections start in the lane (cf. aiohttp's TCPSite)."""

    def __init__(
        self,
        runner: web.AppRunner,
        lane: FastLane,
        host: str,
        port: int,
        *,
        reuse_port: bool,
        limits: ConnectionLimits,
        sock: socket.socket | None = None,  # already bound (`serve --port 0`)
    ) -> None:
        super().__init__(runner)
        self.app_runner = runner
        self.lane = lane
        self.limits = limits
        self.host = host
        self.port = port
        self.reuse_port = reuse_port
        self.sock = sock

    @property
    def name(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        await super().start()
        handlers = self.app_runner.server
        assert handlers is not None
        lane, limits = self.lane, self.limits
        where: dict[str, Any] = (
            {"sock": self.sock}
            if self.sock is not None
            else {"host": self.host, "port": self.port, "reuse_port": self.reuse_port}
        )
        self._server = await asyncio.get_running_loop().create_server(
            lambda: LaneProtocol(handlers(), lane, limits), **where
        )
