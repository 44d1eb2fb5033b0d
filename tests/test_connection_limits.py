"""A serving process gives each request head a deadline and holds a bounded number of
connections: a client dripping its headers (or sending nothing) is answered 408 and let go,
and past `max_connections` a new connection is answered 503 at once, while everyone else is
answered as usual. The server here is the one `serve` runs: the app behind the lane's site,
on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.connection_limits import ConnectionLimits, HeadDeadline, SendDeadline
from syndication.web.fast_lane import LaneSite
from syndication.web.services import SERVICES
from tests.conftest import examples, sample_settings, set_clock

HEAD = b"GET /en/ HTTP/1.1\r\nHost: news.test\r\nUser-Agent: test\r\n\r\n"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[int, ConnectionLimits]]:
    app = create_app(settings, set_clock())
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    limits = app[SERVICES].connections
    site = LaneSite(
        runner, app[SERVICES].lane, "127.0.0.1", 0, reuse_port=False, limits=limits, sock=sock
    )
    await site.start()
    try:
        yield sock.getsockname()[1], limits
    finally:
        await runner.cleanup()


async def status_of(reader: asyncio.StreamReader, within: float = 5) -> int:
    line = await asyncio.wait_for(reader.readline(), within)
    return int(line.split()[1]) if line else 0


async def answered(port: int, head: bytes = HEAD) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    try:
        return await status_of(reader)
    finally:
        writer.close()


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    return sample_settings(tmp_path, request_head_seconds=0.5, max_connections=6)


async def test_a_dripping_or_silent_client_is_answered_408_and_let_go(site: Settings) -> None:
    async with serving(site) as (port, limits):
        silent = await asyncio.open_connection("127.0.0.1", port)
        drip_reader, drip_writer = await asyncio.open_connection("127.0.0.1", port)
        drip_answer = asyncio.create_task(status_of(drip_reader))  # read as it comes
        started = time.monotonic()
        for byte in HEAD[:-2]:  # all but the blank line, one byte every 20 ms
            try:
                drip_writer.write(bytes([byte]))
                await asyncio.sleep(0.02)  # pacing, the dripping itself
            except ConnectionError:
                break  # let go by the server
            if drip_answer.done() or time.monotonic() - started > 2:
                break
        assert await answered(port) == 200  # everyone else meanwhile
        assert await drip_answer == 408
        assert await status_of(silent[0]) == 408
        assert time.monotonic() - started < 2.5
        assert limits.timed_out == 2
        for writer in (drip_writer, silent[1]):
            writer.close()


async def test_the_deadline_is_the_heads_alone(site: Settings) -> None:
    """Idle between requests is keep-alive's business, and a body after a whole head is the
    request's: neither is cut by the head's deadline."""
    async with serving(site) as (port, limits):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):
            writer.write(HEAD)
            assert await status_of(reader) == 200
            await reader.readuntil(b"</html>")
            await asyncio.sleep(0.8)  # longer than the head's deadline, idle
        body = b"name=nobody&password=wrong"
        writer.write(
            b"POST /desk/login HTTP/1.1\r\nHost: news.test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for part in (body[:5], body[5:]):
            await asyncio.sleep(0.4)  # a body slower than a head may be
            writer.write(part)
        assert await status_of(reader) in (303, 401, 403, 404, 429)
        assert limits.timed_out == 0
        writer.close()


async def test_past_the_cap_a_connection_is_answered_503_at_once(site: Settings) -> None:
    async with serving(site.with_overrides(request_head_seconds=30)) as (port, limits):
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(6)]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await status_of(reader, within=1) == 503
        assert limits.turned_away == 1
        held[0][1].close()
        await held[0][1].wait_closed()
        for _ in range(50):  # the server counts the closed one out as it sees it go
            if limits.open < 6:
                break
            await asyncio.sleep(0.01)
        assert await answered(port) == 200
        for _, held_writer in held[1:]:
            held_writer.close()
        writer.close()


async def test_at_the_cap_an_idle_keep_alive_connection_makes_room(site: Settings) -> None:
    """Clients holding connections idle between requests never keep a new one out: the
    one idle longest is closed for it. Only connections all in use turn one away."""
    async with serving(site.with_overrides(request_head_seconds=30)) as (port, limits):
        idle = []
        for _ in range(6):  # each asks once and keeps its connection open
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(HEAD)
            assert await status_of(reader) == 200
            await reader.readuntil(b"</html>")
            idle.append((reader, writer))
        assert await answered(port) == 200  # room made
        assert limits.idle_closed == 1 and limits.turned_away == 0
        assert await idle[0][0].read() == b""  # the one idle longest was let go
        for _, writer in idle:
            writer.close()


class Transport(asyncio.Transport):
    """Where a deadline's 408 would be written: kept, to look at."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


POST_HEAD = b"POST /websub HTTP/1.1\r\nHost: news.test\r\nContent-Length: 9\r\n\r\n"


@settings(max_examples=examples(500), deadline=None)
@given(
    head=st.sampled_from([HEAD, b"GET / HTTP/1.0\r\n\r\n", b"\r\n\r\n", POST_HEAD]),
    cuts=st.lists(st.integers(0, 120), max_size=6),
    before=st.binary(max_size=8),
    after=st.binary(max_size=12).filter(lambda b: b"\r\n\r\n" not in b),
)
def test_a_heads_end_is_found_however_its_bytes_are_split(
    head: bytes, cuts: list[int], before: bytes, after: bytes
) -> None:
    """The deadline runs exactly while a head is unfinished, wherever the reads split the
    bytes: it stops at the blank line that ends a head, and starts again for the bytes
    after it and its body (a next head)."""

    async def feed() -> None:
        loop = asyncio.get_running_loop()
        deadline = HeadDeadline(ConnectionLimits(60, 10), Transport(), loop)
        deadline.start()
        data = before + head + after
        points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
        seen = b""
        for start, end in itertools.pairwise(points):
            deadline.watch(data[start:end])
            seen += data[start:end]
            assert (deadline.timer is not None) == head_unfinished(seen), (seen, points)
        deadline.stop()

    asyncio.run(feed())


def head_unfinished(seen: bytes) -> bool:
    """What the deadline should say, worked out another way: heads one after another, each
    followed by as many bytes of body as its Content-Length says; a head is unfinished when
    bytes follow the last of these (or none came yet: a new connection owes its first)."""
    rest, first = seen, True
    while (end := rest.find(b"\r\n\r\n")) >= 0:
        head, rest = rest[:end], rest[end + 4 :]
        first = False
        length = re.search(rb"Content-Length: (\d+)", head)
        body = int(length[1]) if length else 0
        if len(rest) <= body:
            return False
        rest = rest[body:]
    return rest != b"" or first


async def read_all(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server sends until it closes the connection (or `within` passes)."""
    got = b""
    try:
        async with asyncio.timeout(within):
            while chunk := await reader.read(65536):
                got += chunk
    except (TimeoutError, ConnectionError):
        pass
    return got


async def test_a_next_head_left_unfinished_behind_a_whole_one_gets_its_own_deadline(
    site: Settings,
) -> None:
    async with serving(site) as (port, limits):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(HEAD + b"GET /en/ HTTP/1.1\r\nHost: ne")  # one read: a head and a half
        got = await read_all(reader, 5)
        assert got.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in got, got[-300:]
        assert limits.timed_out == 1
        writer.close()


async def test_a_body_that_comes_too_slowly_is_answered_408(site: Settings) -> None:
    async with serving(site.with_overrides(request_body_seconds=0.5)) as (port, limits):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        body = b"hub.mode=subscribe&hub.topic=x&hub.callback=y"
        writer.write(
            b"POST /websub HTTP/1.1\r\nHost: news.test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:3]
        )
        got = await read_all(reader, 5)  # the rest never comes
        assert got.startswith(b"HTTP/1.1 408"), got[:200]
        assert b"too slowly" in got and limits.bodies_timed_out == 1
        writer.close()


async def test_a_client_that_takes_none_of_its_answers_is_let_go(site: Settings) -> None:
    async with serving(site.with_overrides(send_stall_seconds=0.5)) as (port, limits):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once
        sock.connect(("127.0.0.1", port))
        sock.setblocking(False)
        _, writer = await asyncio.open_connection(sock=sock)
        writer.write(HEAD * 400)  # asks for 400 front pages and reads none of them
        for _ in range(200):  # until the server gives up on it (0.5 s once its buffer is full)
            if limits.sends_stalled:
                break
            await asyncio.sleep(0.05)
        assert limits.sends_stalled == 1
        assert await answered(port) == 200  # everyone else is answered meanwhile
        writer.close()


async def test_a_next_head_left_unfinished_behind_a_body_gets_its_own_deadline(
    site: Settings,
) -> None:
    async with serving(site) as (port, limits):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /websub HTTP/1.1\r\nHost: news.test\r\nContent-Length: 3\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nabcGET /healthz HTTP/1.1\r\nHo"
        )
        got = await read_all(reader, 5)
        assert b"HTTP/1.1 408" in got and limits.timed_out == 1, got[-300:]
        writer.close()


async def test_a_client_pipelining_thousands_of_requests_and_reading_them_is_answered(
    site: Settings,
) -> None:
    """While the server answers pipelined requests it stops reading; the head it has not
    read yet is not the client's delay."""
    async with serving(site) as (port, limits):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = b"GET /healthz HTTP/1.1\r\nHost: news.test\r\n\r\n"
        writer.write(request * 3000)
        got = b""
        async with asyncio.timeout(60):
            while got.count(b"HTTP/1.1 200") < 3000:
                chunk = await reader.read(65536)
                assert chunk, f"closed after {got.count(b'HTTP/1.1 200')} answers"
                got += chunk
        assert limits.timed_out == 0 and limits.sends_stalled == 0
        writer.close()


class Buffered(Transport):
    """A transport whose unsent bytes and reading the test sets."""

    def __init__(self, waiting: int, reading: bool = True) -> None:
        super().__init__()
        self.waiting = waiting
        self.reading = reading
        self.aborted = False

    def get_write_buffer_size(self) -> int:
        return self.waiting

    def is_reading(self) -> bool:
        return self.reading

    def abort(self) -> None:
        self.aborted = self.closed = True


async def test_a_client_reading_slowly_but_steadily_is_never_cut() -> None:
    """While writing is paused, a client that takes some bytes within every period keeps
    its connection however long it takes; one that takes none for a period loses it."""
    limits = ConnectionLimits(60, 10, send_stall_seconds=0.05)
    transport = Buffered(waiting=900_000)
    timers = Timers()  # each period's end is called by the test: no race with a busy machine
    send = SendDeadline(limits, transport, timers)  # type: ignore[arg-type]
    send.paused()
    for _ in range(6):  # six periods, reading a little in each
        transport.waiting -= 4096
        timers.end_of_period(0.05)
    assert not transport.aborted and limits.sends_stalled == 0
    timers.end_of_period(0.05)  # now it reads nothing for a whole period
    assert transport.aborted and limits.sends_stalled == 1


class Timers:
    """The one method of an event loop the deadlines use, with time moved by the test."""

    def __init__(self) -> None:
        self.pending: list[Timer] = []

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(seconds, callback)
        self.pending.append(timer)
        return timer

    def end_of_period(self, seconds: float) -> None:
        """Run the timer set for `seconds` (exactly one must be waiting)."""
        due = [timer for timer in self.pending if not timer.cancelled]
        self.pending = []
        assert len(due) == 1 and due[0].seconds == seconds
        due[0].callback()


@dataclass
class Timer:
    seconds: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


async def test_a_head_the_server_has_not_read_yet_is_not_late() -> None:
    """Answering pipelined requests, the server stops reading: the head waiting in the
    socket meanwhile is timed again, not refused; once reading, a late head is refused."""
    limits = ConnectionLimits(0.05, 10)
    transport = Buffered(waiting=0, reading=False)
    head = HeadDeadline(limits, transport, asyncio.get_running_loop())
    head.start()
    head.watch(b"GET / HTTP/1.1\r\nHo")
    await asyncio.sleep(0.2)
    assert not transport.closed and limits.timed_out == 0
    transport.reading = True
    await asyncio.sleep(0.1)
    assert transport.closed and limits.timed_out == 1 and transport.sent.startswith(b"HTTP/1.1 408")
