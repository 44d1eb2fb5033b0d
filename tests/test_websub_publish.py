"""WebSub, publisher side: feeds advertise the hubs, and every change pings them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from lxml import etree

from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, make_settings, set_clock
from tests.waiting import until_async

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_changes_ping_the_hub_for_every_feed_they_alter(
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    pings: list[dict[str, str]] = []
    failures_left = [1]  # the hub fails once: the ping must be retried

    async def hub(request: web.Request) -> web.Response:
        if failures_left[0]:
            failures_left[0] -= 1
            return web.Response(status=503)
        pings.append(dict(await request.post()))
        return web.Response(status=204)

    hub_app = web.Application()
    hub_app.router.add_post("/hub", hub)
    hub_server = await aiohttp_server(hub_app)
    hub_url = str(hub_server.make_url("/hub"))

    settings = make_settings(tmp_path, websub_hubs=(hub_url,), base_url="http://news.test")
    (settings.content_dir / "world").mkdir()
    client = await aiohttp_client(create_app(settings, set_clock()))
    client.app[SERVICES].pinger.backoff = 0.01

    feed = await client.get("/en/feed.atom")
    assert f'<{hub_url}>; rel="hub"' in feed.headers["Link"]
    root = etree.fromstring(await feed.read())
    ours = "http://news.test/websub"  # the embedded hub first, then the configured one
    assert [e.get("href") for e in root.findall(f"{ATOM}link[@rel='hub']")] == [ours, hub_url]
    rss = etree.fromstring(await (await client.get("/en/feed.rss")).read())
    hubs = [e.get("href") for e in rss.findall(f"channel/{ATOM}link[@rel='hub']")]
    assert hubs == [ours, hub_url]

    (settings.content_dir / "world" / "a.md").write_text(
        article_text(topics="[Energy]", authors="[Ines Varga]")
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/a.md"})
    await until_async(lambda: len(pings) >= 12, 5, "a ping for each of the 12 feeds")
    urls = sorted(p["hub.url"] for p in pings)
    assert all(p["hub.mode"] == "publish" for p in pings)
    expected = sorted(
        f"http://news.test{scope}/feed.{fmt}"
        for scope in ("/en", "/en/world", "/en/topic/energy", "/en/author/ines-varga")
        for fmt in ("atom", "rss", "json")
    )
    assert urls == expected
    assert client.app[SERVICES].pinger.failed == 0
