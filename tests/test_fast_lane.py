"""The fast lane answers repeat requests for cached pages and feeds exactly as aiohttp does.

Each check runs `syndication serve` on 127.0.0.1 and talks HTTP/1.1 over real sockets: the
first request for a target is aiohttp's (the lane learns it), the same request again is the
lane's, and the two answers must be the same but for the Date header.
"""

from __future__ import annotations

import gzip
import http.client
import re
import shutil
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from syndication.validity_periods import Period
from syndication.web.fast_lane import AVAILABLE, parse
from syndication.web.response_cache import Rendered
from tests.conftest import article_text, set_clock
from tests.live import REPO, Server, serving, syndication

ARTICLE = "/en/world/2022/01/27/coastal-states-deliver-written-reply-in-fishing-rights-dispute"
TARGETS = [
    "/en/world/feed.atom",
    "/en/world/feed.rss",
    "/en/feed.json",
    "/en/topic/port-averne/feed.atom",
    "/en/",
    "/en/world/",
    ARTICLE,
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("lane")
    shutil.copytree(REPO / "content", work / "content")
    with serving(work) as running:
        yield running


def _port(server: Server) -> int:
    return int(server.base.rsplit(":", 1)[1])


def _answer(
    server: Server, target: str, headers: dict[str, str], method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)
    try:
        conn.request(method, target, headers=headers)
        reply = conn.getresponse()
        fields = {k: v for k, v in reply.getheaders() if k != "Date"}
        return reply.status, fields, reply.read()
    finally:
        conn.close()


def _lane_answers(server: Server) -> float:
    metrics = server.get("/metrics").body
    found = re.search(r"^syndication_fast_lane_answers_total (\S+)$", metrics, re.M)
    assert found is not None
    return float(found[1])


def test_the_lane_is_available_with_this_aiohttp() -> None:
    assert AVAILABLE


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.processes
def test_the_lane_answers_as_aiohttp_does(server: Server, target: str) -> None:
    first = _answer(server, target, {})
    assert first[0] == 200
    etag, modified = first[1]["ETag"], first[1]["Last-Modified"]
    variants: list[tuple[str, dict[str, str]]] = [
        ("GET", {}),
        ("GET", {"Accept-Encoding": "gzip, deflate, br"}),
        ("GET", {"Accept-Encoding": "gzip;q=0"}),
        ("GET", {"If-None-Match": etag}),
        # the identity copy's tag, asking for gzip: another variant, the whole answer
        ("GET", {"If-None-Match": f'"other", {etag}', "Accept-Encoding": "gzip"}),
        ("GET", {"If-None-Match": etag[:-1] + '-gzip"', "Accept-Encoding": "gzip"}),
        ("GET", {"If-Modified-Since": modified}),
        ("GET", {"If-None-Match": '"stale"', "If-Modified-Since": modified}),
        ("HEAD", {}),
        ("HEAD", {"Accept-Encoding": "gzip"}),
    ]
    for n, (method, headers) in enumerate(variants):
        # A query string of its own: the first request is aiohttp's, the second the lane's.
        own = f"{target}?v={n}"
        by_aiohttp = _answer(server, own, headers, method)
        before = _lane_answers(server)
        by_lane = _answer(server, own, headers, method)
        assert _lane_answers(server) == before + 1, (own, method, headers)
        assert by_lane == by_aiohttp, (own, method, headers)
        assert by_lane[0] == (304 if "If-" in "".join(headers) and n not in (4, 7) else 200)


@pytest.mark.processes
def test_feed_readers_subscriber_counts_are_heard_in_the_lane_too(server: Server) -> None:
    feed = "/fr/world/feed.rss"
    agent = "Feedbin feed-id:{id} - {n} subscribers"
    for n in (4, 9):  # aiohttp answers the first, the lane the second
        _answer(server, feed, {"User-Agent": agent.format(id=7, n=n)})
    before = _lane_answers(server)
    _answer(server, feed, {"User-Agent": agent.format(id=8, n=2)})  # the same feed, http vs https
    assert _lane_answers(server) == before + 1
    metrics = server.get("/metrics").body
    line = 'syndication_feed_subscribers{feed="/fr/world/feed.rss",service="Feedbin"} 11.0'
    assert line in metrics.splitlines(), metrics[-2000:]


@pytest.mark.processes
def test_a_change_is_never_answered_from_old_bytes(server: Server) -> None:
    feed = "/en/world/feed.atom"
    before = _answer(server, feed, {})
    assert _answer(server, feed, {}) == before  # learned, answered by the lane
    story = server.workdir / "content" / "world" / "lane-story.md"
    story.write_text(article_text(title="Late ferry to the lane", published="2026-11-01T08:00:00Z"))
    server.wait_for(feed, 200, contains="Late ferry to the lane")
    after = _answer(server, feed, {"If-None-Match": before[1]["ETag"]})
    assert after[0] == 200 and b"Late ferry to the lane" in after[2]
    story.unlink()
    server.wait_for(feed, 200, contains="at:deleted-entry")


@pytest.mark.processes
def test_private_answers_never_go_through_the_lane(server: Server) -> None:
    added = syndication("partners", "add", "Lane", "--sections", "world", cwd=server.workdir)
    key = re.search(r"^key: (\S+)$", added.stdout, re.M)
    assert key is not None
    auth = {"Authorization": f"Bearer {key[1]}"}
    for target in ("/api/v1/changes?limit=5", "/api/v1/feeds/en/world.atom"):
        assert _answer(server, target, auth)[0] == 200
        before = _lane_answers(server)
        again = _answer(server, target, auth)
        assert again[0] == 200 and again[1]["Cache-Control"] == "private, no-store"
        assert _lane_answers(server) == before
        assert _answer(server, target, {})[0] == 401  # the key is still asked for


def _exchange(server: Server, chunks: list[bytes], replies: int) -> list[bytes]:
    """Send `chunks` on one connection (a pause between them); read `replies` answers."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(0.05)  # so that each chunk arrives as a read of its own, as on a network
        data = b""
        while data.count(b"HTTP/1.1 ") < replies or not _complete(data, replies):
            more = sock.recv(65536)
            if not more:
                break
            data += more
    return [b"HTTP/1.1 " + part for part in data.split(b"HTTP/1.1 ")[1:]]


def _complete(data: bytes, replies: int) -> bool:
    answers = data.split(b"HTTP/1.1 ")[1:]
    if len(answers) < replies:
        return False
    last = answers[-1]
    head, _, body = last.partition(b"\r\n\r\n")
    length = re.search(rb"Content-Length: (\d+)", head)
    return b"\r\n\r\n" in last and (length is None or len(body) >= int(length[1]))


@pytest.mark.processes
def test_split_pipelined_and_posted_requests_are_answered_in_order(server: Server) -> None:
    get = b"GET /en/world/feed.atom HTTP/1.1\r\nHost: x\r\n\r\n"
    _answer(server, "/en/world/feed.atom", {})  # learned
    # Split over two reads: aiohttp reassembles it; later requests still answered.
    split = _exchange(server, [get[:20], get[20:], get], 2)
    assert [r.split(b"\r\n")[0] for r in split] == [b"HTTP/1.1 200 OK"] * 2
    # Two requests in one read: both answered, in order.
    robots = b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    both = _exchange(server, [get + robots], 2)
    assert b"<feed" in both[0] and b"Sitemap:" in both[1]
    # A POST with a body, then GETs on the same connection.
    post = b"POST /websub HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na=b"
    mixed = _exchange(server, [post, get, robots], 3)
    assert mixed[0].startswith(b"HTTP/1.1 400") and b"<feed" in mixed[1]
    assert b"Sitemap:" in mixed[2]


@pytest.mark.processes
def test_http_1_0_and_connection_close_are_aiohttp_s(server: Server) -> None:
    _answer(server, "/robots.txt", {})
    before = _lane_answers(server)
    for request in (
        b"GET /robots.txt HTTP/1.0\r\n\r\n",
        b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
            sock.sendall(request)
            answer = b""
            while more := sock.recv(65536):  # both end the connection after the answer
                answer += more
        assert re.match(rb"HTTP/1\.[01] 200 OK\r\n", answer) and b"Sitemap: " in answer
    assert _lane_answers(server) == before


def test_the_parser_hands_anything_unusual_to_aiohttp() -> None:
    plain = parse(b'GET /en/ HTTP/1.1\r\nHost: x\r\nIf-None-Match: "a"\r\n\r\n')
    assert plain is not None and plain.target == "/en/" and plain.headers[b"if-none-match"] == '"a"'
    for data in (
        b"GET /en/ HTTP/1.1\r\nHost: x\r\n",  # not whole yet
        b"GET /en/ HTTP/1.1\r\n\r\n",  # no Host: aiohttp answers 400
        b"GET /en/ HTTP/1.1\r\n\r\nGET /fr/ HTTP/1.1\r\n\r\n",  # two at once
        b"POST /en/ HTTP/1.1\r\n\r\n",
        b"GET /en/ HTTP/1.0\r\n\r\n",
        b"GET http://x/en/ HTTP/1.1\r\n\r\n",  # absolute form
        b"GET /en/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        b"GET /en/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET /en/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        b"GET /en/ HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        b"GET /en/ HTTP/1.1\r\nNo colon here\r\n\r\n",
        b'GET /en/ HTTP/1.1\r\nIf-None-Match: "a"\r\nIf-None-Match: "b"\r\n\r\n',
    ):
        assert parse(data) is None, data


@pytest.mark.processes
def test_the_date_header_is_current(server: Server) -> None:
    _answer(server, "/robots.txt", {})
    conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)
    conn.request("GET", "/robots.txt")
    reply = conn.getresponse()
    reply.read()
    conn.close()
    sent = parsedate_to_datetime(reply.getheader("Date", ""))
    assert abs((datetime.now(UTC) - sent).total_seconds()) < 3
    assert reply.getheader("Server", "").startswith("Python/")


def test_an_entry_past_its_freshness_is_not_current() -> None:
    now = set_clock().time()
    page = Rendered.of(b"x", "text/html", "public", (), 5, frozenset())
    assert page.current(5, now) and not page.current(6, now)
    page.period = Period(0, now - 1)  # e.g. an article page after midnight
    assert not page.current(5, now)


@pytest.mark.processes
def test_a_connection_busy_in_the_lane_is_kept_and_an_idle_one_closed(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    with serving(tmp_path, env={"SYNDICATION_KEEPALIVE_SECONDS": "1"}) as short:
        get = b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        with socket.create_connection(("127.0.0.1", _port(short)), timeout=5) as sock:
            # 3 s of requests 0.3 s apart, all but the first the lane's: time passing is what
            # is tested (aiohttp's keep-alive timer, on the monotonic clock, not the calendar)
            for _ in range(10):
                sock.sendall(get)
                assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
                time.sleep(0.3)
            assert _lane_answers(short) >= 9
            sock.settimeout(3)
            assert sock.recv(65536) == b""  # then idle for more than a second: closed


@pytest.mark.processes
def test_with_the_lane_off_aiohttp_answers_every_request_alike(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    with serving(tmp_path, env={"SYNDICATION_FAST_LANE": "false"}) as off:
        answers = [
            _answer(off, "/en/world/feed.atom", {"Accept-Encoding": "gzip"}) for _ in range(3)
        ]
        assert _lane_answers(off) == 0  # every one was aiohttp's
        assert answers[0][0] == 200 and answers[0] == answers[1] == answers[2]
        assert gzip.decompress(answers[0][2]).startswith(b"<?xml")
