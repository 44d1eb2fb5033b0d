"""What hostile or careless files can no longer do to the site, the feeds and partners."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from syndication.archive import bodies
from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.clock import SetClock
from syndication.config import Settings
from syndication.model import Source
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, make_settings, set_clock
from tests.waiting import until_async

Client = TestClient[Any, Any]
LICENSED = "Coastal states answer on fishing rights"
OWN = "Harbour pilots vote on a new rota"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    settings = make_settings(
        tmp_path,
        base_url="http://news.test",
        websub_allow_private_callbacks=True,
        websub_retry_seconds=0.05,
    )
    world = settings.content_dir / "world"
    world.mkdir()
    (world / "own.md").write_text(article_text(title=OWN, topics="[Ports]", authors="[Ines]"))
    # No `source:`, but the rights line says whose copy it is.
    (world / "wire.md").write_text(
        article_text(
            title=LICENSED,
            published="2024-03-02T09:00:00+01:00",
            rights="'© 2026 Continental Press Agency, licensed for this publication only'",
        )
    )
    return settings


def partner_key(settings: Settings, sections: list[str]) -> str:
    conn = open_writer(settings.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Coast Weekly", sections, ["en"])[1]
    conn.close()
    return key


@pytest.fixture
async def client(
    site: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(site, clock))


async def test_licensed_in_copy_named_only_in_its_rights_never_reaches_a_partner(
    site: Settings, client: Client
) -> None:
    key = partner_key(site, ["world"])
    changes = await (await client.get("/api/v1/changes", headers=bearer(key))).json()
    items = await (await client.get("/api/v1/items", headers=bearer(key))).json()
    feed = await (await client.get("/api/v1/feeds/en/world.atom", headers=bearer(key))).text()
    for got in (str(changes), str(items), feed):
        assert OWN in got and LICENSED not in got
    (wire_id,) = [
        r[0]
        for r in sqlite3.connect(site.db_path).execute(
            "SELECT id FROM articles WHERE title = ?", (LICENSED,)
        )
    ]
    assert (await client.get(f"/api/v1/items/{wire_id}", headers=bearer(key))).status == 404
    public = await (await client.get("/en/world/feed.atom")).text()
    assert LICENSED in public  # our readers may read it; partners may not republish it


async def test_marking_a_source_licensed_in_cancels_its_stories_for_partners(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    (site.content_dir / "world" / "own.md").write_text(
        article_text(title=OWN, source="Harbour Ledger Staff")
    )
    first = await aiohttp_client(create_app(site, set_clock()))
    key = partner_key(site, ["world"])
    pulled = await (await first.get("/api/v1/changes", headers=bearer(key))).json()
    assert [i["headlines"][0]["value"] for i in pulled["items"]] == [OWN]
    await first.close()
    relicensed = Source("Harbour Ledger Staff", licensed_in=True)
    again = make_settings(
        site.content_dir.parent,
        base_url="http://news.test",
        sources=(site.sources[0], relicensed),
    )
    second = await aiohttp_client(create_app(again, set_clock()))  # the files did not change
    later = await second.get(f"/api/v1/changes?cursor={pulled['next_cursor']}", headers=bearer(key))
    assert [i["pubStatus"] for i in (await later.json())["items"]] == ["canceled"]


async def test_a_story_never_public_leaves_no_trace_when_deleted(
    site: Settings, client: Client
) -> None:
    later = site.content_dir / "world" / "later.md"
    later.write_text(
        article_text(
            title="Merger talks collapse",
            published="2099-01-01",
            topics="[Secret merger]",
            authors="[Deep Throat]",
        )
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/later.md"})
    later.unlink()
    await client.app[SERVICES].ingest.ingest_paths({"world/later.md"})
    for path in (
        "/en/world/2099/01/01/merger-talks-collapse",
        "/en/topic/secret-merger/",
        "/en/author/deep-throat/",
        "/en/topic/secret-merger/feed.atom",
        "/en/author/deep-throat/feed.json",
    ):
        response = await client.get(path)
        assert response.status == 404, path
        assert "Merger" not in await response.text()
    for path in ("/en/world/feed.atom", "/sitemap.xml", "/en/"):
        assert "merger" not in (await (await client.get(path)).text()).lower()


async def test_an_unreadable_article_in_the_archive_is_left_out_not_a_500(
    site: Settings, client: Client
) -> None:
    """An archive written before ingest refused control characters may hold one."""
    db = sqlite3.connect(site.db_path)
    bodies.register(db)  # as the program's connections have it: a changed headline is re-indexed
    db.execute("UPDATE articles SET title = 'Broken \x01 headline' WHERE title = ?", (OWN,))
    db.commit()
    await client.app[SERVICES].ingest.ingest_paths({"world/nothing.md"})  # move the change sequence
    for path in (
        "/en/world/feed.atom",
        "/en/world/feed.rss",
        "/en/feed.atom",
        "/en/topic/ports/feed.rss",
        "/en/",
        "/en/world/",
    ):
        response = await client.get(path)
        assert response.status == 200, path
        body = await response.read()
        assert b"\x01" not in body and b"Broken" not in body, path
        if path.endswith((".atom", ".rss")):
            parsed = feedparser.parse(body)
            others = [] if "/topic/" in path else [LICENSED]  # the topic was the broken one's
            assert not parsed.bozo and [e.title for e in parsed.entries] == others
    errors = db.execute("SELECT file, message FROM ingest_errors").fetchall()
    db.close()
    assert errors and {f for f, _ in errors} == {"world/own.md"}
    assert "left out of" in errors[0][1]


async def test_a_story_that_breaks_pages_is_a_503_on_its_own_and_left_out_of_others(
    site: Settings, client: Client
) -> None:
    quay = "Quay lights repaired"
    (site.content_dir / "world" / "quay.md").write_text(
        article_text(title=quay, published="2024-03-03T09:00:00+01:00", topics="[Ports]")
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/quay.md"})
    db = sqlite3.connect(site.db_path)
    bodies.register(db)  # as the program's connections have it: a changed headline is re-indexed
    broken_page, quay_page = (
        db.execute("SELECT path FROM articles WHERE title = ?", (title,)).fetchone()[0]
        for title in (OWN, quay)
    )
    related = "SELECT count(*) FROM related JOIN articles a ON a.num = related.article_num "
    related += "JOIN articles r ON r.num = related.related_num WHERE a.title = ? AND r.title = ?"
    assert db.execute(related, (quay, OWN)).fetchone()[0] == 1  # "More on this topic"
    db.execute("UPDATE articles SET title = 'Broken \x01 headline' WHERE title = ?", (OWN,))
    db.commit()
    await client.app[SERVICES].ingest.ingest_paths({"world/nothing.md"})  # move the change sequence
    response = await client.get(broken_page)
    assert response.status == 503 and "cannot be shown" in await response.text()
    response = await client.get(quay_page)
    page = await response.text()
    assert response.status == 200 and quay in page and "Broken" not in page
    errors = db.execute("SELECT file, message FROM ingest_errors").fetchall()
    db.close()
    assert {f for f, _ in errors} == {"world/own.md"} and "left out of" in errors[0][1]


def damage_body_on_disk(db_path: Path, title: str) -> tuple[str, str]:
    """Overwrite 8 bytes in the middle of a story's stored body in the archive's file, as a
    bad disk or copy would: SQLite's pages stay sound. Its (id, path)."""
    db = sqlite3.connect(db_path)
    stored, article_id, path = db.execute(
        "SELECT body_html, id, path FROM articles WHERE title = ?", (title,)
    ).fetchone()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the body's page in the file, not the WAL
    db.close()
    raw = db_path.read_bytes()
    at = raw.find(stored)
    assert at > 0 and raw.find(stored, at + 1) == -1, "the body is found once in the file"
    with db_path.open("r+b") as file:
        file.seek(at + len(stored) // 2)
        file.write(b"\x5a" * 8)
    return article_id, path


async def test_a_body_damaged_on_disk_is_left_out_and_its_own_address_is_a_503(
    site: Settings, client: Client
) -> None:
    key = partner_key(site, ["world"])
    (site.content_dir / "world" / "own.md").write_text(
        article_text(title=OWN, topics="[Ports]", body="The pilots meet on Monday to vote.")
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/own.md"})  # a body of its own
    article_id, page = damage_body_on_disk(site.db_path, OWN)
    db = sqlite3.connect(site.db_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)  # SQLite cannot tell
    await client.app[SERVICES].ingest.ingest_paths({"world/nothing.md"})  # move the change sequence
    # What carries bodies leaves the story out, rather than garble or drop the document. Lists
    # of headlines and search results still link it (their words are sound): its page says
    # it cannot be shown.
    for path in ("/en/world/feed.atom", "/en/feed.rss", "/en/feed.json"):
        response = await client.get(path)
        body = await response.text()
        assert response.status == 200 and OWN not in body and LICENSED in body, path
    for path in ("/en/", "/en/world/", "/en/topic/ports/", "/en/search?q=pilots",
                 "/en/search?q=pilot*", "/en/search?q=vote"):  # fmt: skip
        response = await client.get(path)  # ranked, and walked newest first
        assert response.status == 200 and OWN in await response.text(), path
    for path in (page, f"/api/v1/items/{article_id}"):
        response = await client.get(path, headers=bearer(key))
        assert response.status == 503, path
        assert "cannot be shown" in await response.text(), path
        assert response.headers["Cache-Control"] in ("no-store", "private, no-store"), path
    listed = await (await client.get("/api/v1/items", headers=bearer(key))).json()
    assert listed["items"] == []  # the partner's only story, left out rather than garbled
    errors = db.execute("SELECT DISTINCT file, message FROM ingest_errors").fetchall()
    db.close()
    assert {f for f, _ in errors} == {"world/own.md"}
    assert all("damaged" in message and "restore" in message for _, message in errors), errors
    # An edit to the story replaces the damaged body: its page is back, its feeds too.
    (site.content_dir / "world" / "own.md").write_text(
        article_text(title=OWN, topics="[Ports]", body="The pilots vote on Tuesday instead.")
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/own.md"})
    assert "on Tuesday instead" in await (await client.get(page)).text()
    assert OWN in await (await client.get("/en/world/feed.atom")).text()


@pytest.fixture
async def callback(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> tuple[str, list[bytes]]:
    received: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.Response(text=request.query["hub.challenge"])
        received.append(await request.read())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/cb", handle)
    server = await aiohttp_server(app)
    return str(server.make_url("/cb")), received


async def test_partners_subscribe_to_their_own_feed_with_their_key(
    site: Settings, client: Client, callback: tuple[str, list[bytes]]
) -> None:
    url, received = callback
    key = partner_key(site, ["world"])
    topic = "http://news.test/api/v1/feeds/en/world.atom"
    form = {"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": url}
    anonymous = await client.post("/websub", data=form)
    assert anonymous.status == 401 and "API key" in await anonymous.text()
    other = await client.post(
        "/websub",
        data={**form, "hub.topic": topic.replace("world", "culture")},
        headers=bearer(key),
    )
    assert other.status == 403
    assert (await client.post("/websub", data=form, headers=bearer(key))).status == 202
    db = sqlite3.connect(site.db_path)
    bodies.register(db)  # as the program's connections have it: a changed headline is re-indexed
    await until_async(lambda: db.execute("SELECT count(*) FROM subscriptions").fetchone()[0])
    (site.content_dir / "world" / "new.md").write_text(
        article_text(title="Pilots accept the rota", published="2024-03-03")
    )
    (site.content_dir / "world" / "wire2.md").write_text(
        article_text(title="Agency copy on the talks", source="CPA", published="2024-03-04")
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/new.md", "world/wire2.md"})
    # The watcher may see the two files in separate batches: one delivery each, or one.
    await until_async(lambda: any(b"Pilots accept the rota" in body for body in received))
    await client.app[SERVICES].hub.settled()  # every delivery the change set going has ended
    body = next(body for body in received if b"Pilots accept the rota" in body)
    assert OWN.encode() in body
    assert not any(LICENSED.encode() in b or b"Agency copy" in b for b in received)
    # The hub logged the delivery once the callback had answered.
    logged = db.execute("SELECT DISTINCT channel FROM deliveries").fetchall()
    db.close()
    assert ("websub",) in logged
