"""The embedded WebSub hub: verified subscriptions, signed deliveries, retries, refusals."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sqlite3
import threading
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, make_settings, set_clock
from tests.live import Server, serving
from tests.waiting import until, until_async

Client = TestClient[Any, Any]
TOPIC = "http://news.test/en/world/feed.atom"


@dataclass
class Subscriber:
    """A feed reader's WebSub endpoint: confirms what it asked for, records deliveries."""

    url: str = ""
    wanted: bool = True
    checks: list[dict[str, str]] = field(default_factory=list)
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            self.checks.append(dict(request.query))
            if not self.wanted:
                return web.Response(status=404)
            return web.Response(text=request.query["hub.challenge"])
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503)
        self.deliveries.append((dict(request.headers), await request.read()))
        return web.Response(status=204)


@pytest.fixture
async def hub_site(
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> tuple[Client, Subscriber, Settings]:
    subscriber = Subscriber()
    app = web.Application()
    app.router.add_route("*", "/callback", subscriber.handle)
    server = await aiohttp_server(app)
    subscriber.url = str(server.make_url("/callback"))
    settings = make_settings(
        tmp_path,
        base_url="http://news.test",
        websub_allow_private_callbacks=True,  # the subscriber is on 127.0.0.1
        websub_retry_seconds=0.05,
        websub_min_lease_seconds=1,
    )
    (settings.content_dir / "world").mkdir()
    client = await aiohttp_client(create_app(settings, set_clock()))
    return client, subscriber, settings


async def subscribe(client: Client, callback: str, **extra: str) -> int:
    form = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": callback, **extra}
    return (await client.post("/websub", data=form)).status


async def publish(client: Client, settings: Settings, name: str, title: str) -> None:
    (settings.content_dir / "world" / f"{name}.md").write_text(article_text(title=title))
    await client.app[SERVICES].ingest.ingest_paths({f"world/{name}.md"})


async def test_subscribe_verify_and_receive_signed_updates(
    hub_site: tuple[Client, Subscriber, Settings],
) -> None:
    client, subscriber, settings = hub_site
    feed = await client.get("/en/world/feed.atom")
    assert '<http://news.test/websub>; rel="hub"' in feed.headers["Link"]

    assert (
        await subscribe(
            client, subscriber.url, **{"hub.secret": "s3cret", "hub.lease_seconds": "600"}
        )
        == 202
    )
    await until_async(lambda: subscriber.checks)
    check = subscriber.checks[0]
    assert (check["hub.mode"], check["hub.topic"], check["hub.lease_seconds"]) == (
        "subscribe",
        TOPIC,
        "600",
    )
    db = sqlite3.connect(settings.db_path)
    await until_async(lambda: db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 1)

    await publish(client, settings, "a", "Harbour pilots vote on new rota")
    await until_async(lambda: subscriber.deliveries)
    headers, body = subscriber.deliveries[0]
    assert b"Harbour pilots vote on new rota" in body
    assert headers["Content-Type"].startswith("application/atom+xml")
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature"] == expected
    assert f'<{TOPIC}>; rel="self"' in headers["Link"]

    form = {"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.callback": subscriber.url}
    assert (await client.post("/websub", data=form)).status == 202
    await until_async(lambda: db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 0)
    assert subscriber.checks[-1]["hub.mode"] == "unsubscribe"
    await publish(client, settings, "b", "Second story after leaving")
    await client.app[SERVICES].hub.settled()  # whatever the change set going has ended
    assert len(subscriber.deliveries) == 1
    db.close()


async def test_a_failing_subscriber_gets_the_update_on_a_retry(
    hub_site: tuple[Client, Subscriber, Settings],
) -> None:
    client, subscriber, settings = hub_site
    assert await subscribe(client, subscriber.url) == 202
    db = sqlite3.connect(settings.db_path)
    await until_async(lambda: db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 1)
    subscriber.fail_next = 2
    await publish(client, settings, "a", "Ferry timetable changes")
    await until_async(lambda: subscriber.deliveries)
    assert b"Ferry timetable changes" in subscriber.deliveries[0][1]
    await until_async(lambda: db.execute("SELECT delivered FROM subscriptions").fetchone()[0] == 1)
    db.close()


async def test_an_unconfirmed_subscription_does_not_count(
    hub_site: tuple[Client, Subscriber, Settings],
) -> None:
    client, subscriber, settings = hub_site
    subscriber.wanted = False  # someone subscribed a callback that never asked for it
    assert await subscribe(client, subscriber.url) == 202
    await until_async(lambda: subscriber.checks)
    await client.app[SERVICES].hub.settled()  # the hub has decided on the answer
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 0
    db.close()


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"hub.mode": "watch"}, "hub.mode"),
        ({"hub.topic": "http://elsewhere.example/feed"}, "hub.topic"),
        ({"hub.topic": "http://news.test/en/nowhere/feed.atom"}, "hub.topic"),
        ({"hub.callback": "ftp://127.0.0.1/x"}, "http or https"),
        ({"hub.callback": "http://127.0.0.1:9/x"}, "not a public address"),
        ({"hub.callback": "http://[::1]:9/x"}, "not a public address"),
        ({"hub.callback": "http://169.254.169.254/latest"}, "not a public address"),
        ({"hub.callback": "http://10.1.2.3/x"}, "not a public address"),
        ({"hub.callback": "http://localhost:9/x"}, "not a public address"),
        ({"hub.secret": "x" * 200}, "hub.secret"),
        ({"hub.lease_seconds": "soon"}, "hub.lease_seconds"),
    ],
)
async def test_bad_requests_and_private_callbacks_are_refused(
    tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[Client]],
    form: dict[str, str],
    says: str,
) -> None:
    settings = make_settings(tmp_path, base_url="http://news.test")  # private callbacks: no
    client = await aiohttp_client(create_app(settings, set_clock()))
    good = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "http://93.184.216.34/cb"}
    response = await client.post("/websub", data={**good, **form})
    assert response.status == 400
    assert response.content_type == "text/plain"  # WebSub 5.1.2: the error as plain text
    said = await response.text()
    assert says in said
    if "localhost" in form.get("hub.callback", ""):  # no name lookups through the hub
        assert "127.0.0.1" not in said and "::1" not in said


async def test_a_callback_answering_without_end_is_read_for_a_few_kilobytes(
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        total = 0
        try:
            for _ in range(10_000):  # 640 MB if it were all read
                await response.write(b"x" * 65536)
                total += 65536
        except ConnectionError:  # the hub hung up
            pass
        finally:  # or the server cancelled this handler when it did
            sent.append(total)
        return response

    callback_app = web.Application()
    callback_app.router.add_get("/cb", endless)
    server = await aiohttp_server(callback_app)
    settings = make_settings(
        tmp_path, base_url="http://news.test", websub_allow_private_callbacks=True
    )
    client = await aiohttp_client(create_app(settings, set_clock()))
    form = {
        "hub.mode": "subscribe",
        "hub.topic": TOPIC,
        "hub.callback": str(server.make_url("/cb")),
    }
    assert (await client.post("/websub", data=form)).status == 202
    await until_async(lambda: sent, 20)
    assert sent[0] < 64 * 1024 * 1024  # the hub stopped reading; socket buffers took the rest
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 0
    db.close()


@pytest.mark.processes
def test_a_subscription_outlives_a_hub_restart(tmp_path: Path) -> None:
    """Over real HTTP: subscribe to `syndication serve`, restart it, still get updates,
    then unsubscribe."""
    received: list[tuple[str, str, bytes]] = []  # (callback path, signature, body)

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = dict(parse_qsl(urlsplit(self.path).query))
            body = query["hub.challenge"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((urlsplit(self.path).path, self.headers["X-Hub-Signature"], body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    callback_server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=callback_server.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{callback_server.server_address[1]}/cb"
    witness = callback.replace("/cb", "/witness")  # stays subscribed: says a change went out
    (tmp_path / "content" / "world").mkdir(parents=True)
    # The site's address stays the same across the restart (the topic is under it), while
    # each run serves on a port the kernel picks.
    env = {
        "SYNDICATION_WEBSUB_ALLOW_PRIVATE_CALLBACKS": "true",
        "SYNDICATION_BASE_URL": "http://news.test",
    }
    topic = "http://news.test/en/world/feed.atom"

    def post(server: Server, mode: str, to: str = callback) -> int:
        form = urlencode(
            {
                "hub.mode": mode,
                "hub.topic": topic,
                "hub.callback": to,
                "hub.secret": "kept-across-restarts",
            }
        ).encode()
        with urllib.request.urlopen(server.base + "/websub", data=form, timeout=5) as reply:
            return int(reply.status)

    def story(name: str, title: str) -> None:
        (tmp_path / "content" / "world" / f"{name}.md").write_text(article_text(title=title))

    def subscribed() -> set[str]:
        with contextlib.closing(sqlite3.connect(tmp_path / "syndication.db")) as db:
            return {row[0] for row in db.execute("SELECT callback FROM subscriptions")}

    def got(path: str, title: bytes) -> bool:
        return any(p == path and title in body for p, _, body in received)

    with serving(tmp_path, env=env) as server:
        assert post(server, "subscribe") == 202
        until(lambda: subscribed() == {callback}, 10, "the subscription confirmed and kept")
        story("a", "Before the restart")
        until(lambda: got("/cb", b"Before the restart"), 10, "the update before the restart")
    with serving(tmp_path, env=env) as server:
        story("b", "After the restart")
        until(lambda: got("/cb", b"After the restart"), 10, "the update after the restart")
        _, signature, body = received[-1]
        expected = hmac.new(b"kept-across-restarts", body, hashlib.sha256).hexdigest()
        assert signature == f"sha256={expected}"
        assert post(server, "unsubscribe") == 202
        assert post(server, "subscribe", witness) == 202
        until(lambda: subscribed() == {witness}, 10, "one callback left, the other come")
        story("c", "After leaving")
        # The witness's copy says the change went out, to everyone subscribed at once.
        until(lambda: got("/witness", b"After leaving"), 10, "the witness's update")
        assert not got("/cb", b"After leaving")
    callback_server.shutdown()


async def test_the_hub_keeps_at_most_its_caps_of_subscriptions(
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    subscriber = Subscriber()
    callback_app = web.Application()
    callback_app.router.add_route("*", "/cb/{n}", subscriber.handle)
    server = await aiohttp_server(callback_app)
    settings = make_settings(
        tmp_path,
        base_url="http://news.test",
        websub_allow_private_callbacks=True,
        websub_max_per_host=2,
    )
    client = await aiohttp_client(create_app(settings, set_clock()))
    db = sqlite3.connect(settings.db_path)

    async def subscribe_n(n: int) -> int:
        url = str(server.make_url(f"/cb/{n}"))
        form = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": url}
        return (await client.post("/websub", data=form)).status

    assert [await subscribe_n(1), await subscribe_n(2)] == [202, 202]
    await until_async(lambda: db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 2)
    third = await client.post(
        "/websub",
        data={
            "hub.mode": "subscribe",
            "hub.topic": TOPIC,
            "hub.callback": str(server.make_url("/cb/3")),
        },
    )
    assert third.status == 429 and "2 callbacks on this host" in await third.text()
    assert await subscribe_n(1) == 202  # a renewal is always let through
    db.close()


async def test_the_hub_connects_only_to_the_public_addresses_it_resolved() -> None:
    """DNS rebinding: a name checked public, then answered with 127.0.0.1, is never
    connected to, because the connection uses what the resolver let through."""
    from syndication.web.outbound import PublicOnly

    resolver = PublicOnly()
    try:
        with pytest.raises(OSError, match="not on a public address"):
            await resolver.resolve("localhost", 80)
        with pytest.raises(OSError):
            await resolver.resolve("10.1.2.3", 80)
        (found,) = await resolver.resolve("93.184.216.34", 80)
        assert found["host"] == "93.184.216.34"
    finally:
        await resolver.close()
