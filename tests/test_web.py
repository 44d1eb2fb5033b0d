"""The site over HTTP: home, article pages, old addresses, withdrawals, images, errors."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from syndication.clock import SetClock
from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import PNG_1x1, article_text, make_settings
from tests.waiting import until_async

Client = TestClient[Any, Any]


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path)
    content = settings.content_dir
    (content / "world").mkdir()
    (content / "world" / "pic.png").write_bytes(PNG_1x1)
    (content / "world" / "live.md").write_text(
        article_text(
            title="Harbour reopens",
            standfirst="Repairs are done",
            authors="[Ines Varga]",
            body="First paragraph.\n\n## Sub-heading\n\nSecond <script>x()</script> paragraph.",
            image="{src: pic.png, alt: The breakwater, caption: Waves on the wall, credit: Staff}",
            corrections="[{date: 2024-03-02, text: A date was wrong.}]",
            rights="'© 2024 The Harbour Ledger'",
        )
    )
    (content / "world" / "draft.md").write_text(article_text(title="Secret draft", status="draft"))
    (content / "world" / "gone.md").write_text(
        article_text(title="Pulled story", status="withdrawn")
    )
    (content / "world" / "later.md").write_text(
        article_text(title="Future", published="2099-01-01")
    )
    (content / "world" / "fr.md").write_text(article_text(title="Le port rouvre", edition="fr"))
    (tmp_path / "outside.png").write_bytes(PNG_1x1)
    return settings


@pytest.fixture
async def client(
    site: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(site, clock))


async def test_healthz(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json()) == {"ok": True, "pid": os.getpid()}


async def test_home_lists_only_live_articles_of_the_edition(client: Client) -> None:
    response = await client.get("/")
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    assert "Harbour reopens" in html and '<html lang="en">' in html
    for hidden in ("Secret draft", "Pulled story", "Future", "Le port rouvre"):
        assert hidden not in html
    french = await (await client.get("/fr/")).text()
    assert "Le port rouvre" in french and '<html lang="fr">' in french


async def test_a_scheduled_story_goes_live_when_its_time_comes(
    site: Settings, clock: SetClock, client: Client
) -> None:
    """Not on any page or feed before its time; then everywhere, by the writer's schedule,
    as soon as the clock reaches it (the clock is moved, and the writer told to look)."""
    when = clock.now() + timedelta(hours=2)
    (site.content_dir / "world" / "soon.md").write_text(
        article_text(title="Coming soon", published=when.isoformat())
    )
    services = client.app[SERVICES]
    assert services.ingest is not None
    await services.ingest.ingest_paths({"world/soon.md"})
    path = f"/en/world/{when.astimezone(ZoneInfo('Europe/Luxembourg')):%Y/%m/%d}/coming-soon"
    assert (await client.get(path)).status == 404
    assert "Coming soon" not in await (await client.get("/en/world/feed.atom")).text()
    clock.advance(timedelta(hours=2))
    services.ingest.recheck_schedule()
    await until_async(lambda: _status(client, path, 200), 5, "the story live at its time")
    for where in ("/", "/en/world/feed.atom", "/en/feed.rss"):
        assert "Coming soon" in await (await client.get(where)).text(), where


async def test_every_answer_is_dated_by_the_apps_clock(clock: SetClock, client: Client) -> None:
    """Date, like Last-Modified, comes from the clock the app was given (not the system's),
    so Last-Modified is never after the Date beside it (RFC 9110 8.8.2)."""
    clock.set(datetime(2031, 6, 1, 12, 0, 30, tzinfo=UTC))
    for path in ("/en/", "/en/feed.atom", "/robots.txt", "/no-such-page", "/healthz"):
        answer = await client.get(path)
        assert answer.headers["Date"] == "Sun, 01 Jun 2031 12:00:30 GMT", path
        if "Last-Modified" in answer.headers:
            modified = parsedate_to_datetime(answer.headers["Last-Modified"])
            assert modified <= parsedate_to_datetime(answer.headers["Date"]), path


async def _status(client: Client, path: str, status: int) -> bool:
    return (await client.get(path)).status == status


async def test_article_page(client: Client) -> None:
    response = await client.get("/en/world/2024/03/01/harbour-reopens")
    assert response.status == 200
    html = await response.text()
    assert "<h1>Harbour reopens</h1>" in html
    assert "Repairs are done" in html and "1 min." in html
    assert 'By <a href="/en/author/ines-varga/">Ines Varga</a>' in html
    assert "01.03.2024" in html
    assert "<h2>Sub-heading</h2>" in html and "<script>x()" not in html
    assert 'src="/media/world/pic.png?v=' in html and 'width="1" height="1"' in html
    assert "Photo credit: Staff" in html and "A date was wrong." in html
    assert "© 2024 The Harbour Ledger" in html
    assert (
        '<link rel="canonical" href="http://testserver/en/world/2024/03/01/harbour-reopens">'
        in html
    )


async def test_old_address_answers_301(site: Settings, client: Client) -> None:
    service_path = site.content_dir / "world" / "live.md"
    service_path.write_text(article_text(title="Harbour reopens at last"))
    from syndication.web.services import SERVICES

    await client.app[SERVICES].ingest.ingest_paths({"world/live.md"})
    response = await client.get("/en/world/2024/03/01/harbour-reopens", allow_redirects=False)
    assert response.status == 301
    assert response.headers["Location"] == "/en/world/2024/03/01/harbour-reopens-at-last"
    assert (await client.get(response.headers["Location"])).status == 200


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/en/world/2024/03/01/pulled-story", 404, "Page not found"),  # never public
        ("/en/world/2024/03/01/secret-draft", 404, "Page not found"),
        ("/en/world/2099/01/01/future", 404, "Page not found"),
        ("/en/world/2024/03/01/no-such-story", 404, "Page not found"),
        ("/de/", 404, "Page not found"),
        ("/nowhere", 404, "Page not found"),
    ],
)
async def test_errors_have_html_bodies(client: Client, path: str, status: int, words: str) -> None:
    response = await client.get(path)
    assert response.status == status and response.content_type == "text/html"
    html = await response.text()
    assert words in html and "<!DOCTYPE html>" in html
    assert "Pulled story" not in html  # a withdrawn page says so, and shows no content


async def test_a_story_withdrawn_after_it_was_public_answers_410(
    site: Settings, client: Client
) -> None:
    from syndication.web.services import SERVICES

    live = site.content_dir / "world" / "live.md"
    live.write_text(
        live.read_text().replace(
            "title: Harbour reopens", "title: Harbour reopens\nstatus: withdrawn"
        )
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/live.md"})
    response = await client.get("/en/world/2024/03/01/harbour-reopens")
    assert response.status == 410 and "withdrawn" in await response.text()


async def test_wrong_method_is_405(client: Client) -> None:
    response = await client.post("/")
    assert response.status == 405 and "Allow" in response.headers


async def test_media_serves_images_from_content_only(site: Settings, client: Client) -> None:
    (site.content_dir / "world" / "link.png").symlink_to(site.content_dir.parent / "outside.png")
    loop = site.content_dir / "world" / "loop.png"
    loop.symlink_to(loop)  # a link that leads back to itself: Path.resolve raises RuntimeError
    ok = await client.get("/media/world/pic.png")
    assert ok.status == 200 and ok.content_type == "image/png"
    assert "max-age" in ok.headers["Cache-Control"]
    for bad in (
        "/media/../outside.png",
        "/media/%2e%2e/outside.png",
        "/media/world/%2e%2e/%2e%2e/outside.png",
        "/media/world/live.md",
        "/media/nope.png",
        "/media/world/link.png",
        "/media/world/loop.png",
    ):
        assert (await client.get(bad)).status == 404, bad


async def test_static_stylesheet(client: Client) -> None:
    response = await client.get("/static/site.css")
    assert response.status == 200 and response.content_type == "text/css"
    assert (await client.get("/static/..%2fhtml.py")).status == 404


async def test_pages_name_their_stylesheet_and_scripts_by_digest_kept_for_good(
    client: Client,
) -> None:
    page = await (await client.get("/en/")).text()
    named = re.search(r'href="(/static/site\.css\?v=([0-9a-f]+))"', page)
    assert named is not None, "the page names its stylesheet with the digest of its bytes"
    by_digest = await client.get(named[1], headers={"Accept-Encoding": "gzip"})
    assert by_digest.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert by_digest.headers["Content-Encoding"] == "gzip"  # read back by the client
    assert "body" in await by_digest.text()
    # by name alone, or by a digest of other bytes (last release's): an hour, not a year
    for stale in ("/static/site.css", "/static/site.css?v=0123456789ab"):
        reply = await client.get(stale)
        assert reply.headers["Cache-Control"] == "public, max-age=3600", stale
    again = await client.get(named[1], headers={"If-None-Match": by_digest.headers["ETag"]})
    assert again.status == 304
    search = await (await client.get("/en/search")).text()
    assert re.search(r'src="/static/suggest\.js\?v=[0-9a-f]+"', search)
    script = await client.get("/static/suggest.js", headers={"Accept-Encoding": "gzip"})
    assert script.content_type == "text/javascript"
    assert script.headers["Content-Encoding"] == "gzip"
    logo = await client.get("/static/logo.png")  # pictures go as they are
    assert logo.content_type == "image/png" and "Content-Encoding" not in logo.headers
