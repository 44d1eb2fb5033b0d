"""The partner API on the sample site: keys, entitlements, rights, the change feed, embargo."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, set_clock
from tests.ninjs_check import assert_ninjs

Client = TestClient[Any, Any]
WIRE = "Coastal states deliver written reply in fishing-rights dispute"
AGENCY_PHOTO = "Island ferry fares to fall by a fifth from January"
TIME_CAPSULE_YEAR = "2099"


def add_partners(settings: Settings) -> dict[str, str]:
    conn = open_writer(settings.db_path, set_clock())
    store = PartnerStore(conn, set_clock())
    keys = {
        "coast": store.add("Coast Weekly", ["world", "business"], ["en"])[1],
        "science": store.add("Science Digest", ["science"], embargo_access=True)[1],
        "science-late": store.add("Lab Notes", ["science"])[1],
        "tiny": store.add("Tiny Blog", ["world"], rate_per_min=2)[1],
    }
    conn.close()
    return keys


@pytest.fixture
async def api(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> tuple[Client, dict[str, str]]:
    keys = add_partners(site)
    return await aiohttp_client(create_app(site, set_clock())), keys


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def pull_all(
    client: Client, key: str, cursor: str = "", limit: int = 50
) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = await client.get("/api/v1/changes" + query, headers=bearer(key))
        assert response.status == 200, await response.text()
        assert response.headers["Cache-Control"] == "private, no-store"
        body = await response.json()
        for item in body["items"]:
            assert_ninjs(item)
        items += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items, cursor


def headline(item: dict[str, Any]) -> str:
    return str(item["headlines"][0]["value"])


def live_titles(settings: Settings, sections: tuple[str, ...], edition: str | None) -> set[str]:
    db = sqlite3.connect(settings.db_path)
    marks = ",".join("?" * len(sections))
    rows = db.execute(
        f"SELECT title FROM articles WHERE state = 'live' AND syndication = 1 "
        f"AND section IN ({marks}) AND (? IS NULL OR edition = ?)",
        (*sections, edition, edition),
    ).fetchall()
    db.close()
    return {r[0] for r in rows}


async def test_keys_are_required_checked_and_revocable(
    api: tuple[Client, dict[str, str]], site: Settings
) -> None:
    client, keys = api
    missing = await client.get("/api/v1/changes")
    assert missing.status == 401
    assert "Bearer" in missing.headers["WWW-Authenticate"]
    assert "Basic" in missing.headers["WWW-Authenticate"]
    assert await missing.json() == {
        "ok": False,
        "error": "An API key is needed: send `Authorization: Bearer <key>`.",
        "status": 401,
    }
    wrong = await client.get("/api/v1/changes", headers=bearer(keys["coast"] + "x"))
    assert wrong.status == 401 and (await wrong.json())["error"] == "This API key is not valid."
    basic = base64.b64encode(f"importer:{keys['coast']}".encode()).decode()
    ok = await client.get("/api/v1/changes", headers={"Authorization": f"Basic {basic}"})
    assert ok.status == 200

    conn = open_writer(site.db_path, set_clock())
    PartnerStore(conn, set_clock()).revoke("Coast Weekly")
    revoked = await client.get("/api/v1/changes", headers=bearer(keys["coast"]))
    assert revoked.status == 401 and "revoked" in (await revoked.json())["error"]
    _, new_key = PartnerStore(conn, set_clock()).rotate("Coast Weekly")
    conn.close()
    assert (await client.get("/api/v1/changes", headers=bearer(keys["coast"]))).status == 401
    assert (await client.get("/api/v1/changes", headers=bearer(new_key))).status == 200


async def test_a_section_not_entitled_is_forbidden(api: tuple[Client, dict[str, str]]) -> None:
    client, keys = api
    response = await client.get("/api/v1/items?section=culture", headers=bearer(keys["coast"]))
    assert response.status == 403
    body = await response.json()
    assert body["status"] == 403 and "culture" in body["error"]
    assert (
        await client.get("/api/v1/items?section=nope", headers=bearer(keys["coast"]))
    ).status == 404


async def test_pulling_from_the_start_gets_each_entitled_article_once(
    api: tuple[Client, dict[str, str]], site: Settings
) -> None:
    client, keys = api
    items, _ = await pull_all(client, keys["coast"], limit=3)
    titles = [headline(i) for i in items]
    assert len(titles) == len(set(titles))
    assert set(titles) == live_titles(site, ("world", "business"), "en")
    assert WIRE not in titles  # licensed in: never passed on
    assert all(i["pubStatus"] == "usable" and i["language"] == "en" for i in items)

    ferry = next(i for i in items if headline(i) == AGENCY_PHOTO)
    assert "associations" not in ferry  # the agency's picture stays with us
    with_picture = [i for i in items if "associations" in i]
    assert with_picture, "staff pictures travel with their stories"
    picture = with_picture[0]["associations"][0]
    assert picture["type"] == "picture" and picture["copyrightHolder"]
    assert picture["renditions"][0]["href"].startswith("http://news.test/media/")
    first = items[0]
    assert first["copyrightNotice"] and first["usageTerms"] and first["by"]
    assert {b["contentType"] for b in first["bodies"]} == {"text/html", "text/plain"}

    conn = open_writer(site.db_path, set_clock())
    logged = PartnerStore(conn, set_clock()).deliveries("Coast Weekly", limit=1000)
    conn.close()
    assert len(logged) == len(items) and {d.channel for d in logged} == {"changes"}


async def test_embargo_access_sees_scheduled_stories_early(
    api: tuple[Client, dict[str, str]],
) -> None:
    client, keys = api
    early, _ = await pull_all(client, keys["science"])
    withheld = [i for i in early if i["pubStatus"] == "withheld"]
    assert len(withheld) == 1 and withheld[0]["embargoedUntil"].startswith(TIME_CAPSULE_YEAR)
    late, _ = await pull_all(client, keys["science-late"])
    assert all(i["pubStatus"] == "usable" for i in late)
    assert {headline(i) for i in late} == {headline(i) for i in early} - {headline(withheld[0])}


async def test_a_withdrawn_or_unsyndicated_story_is_canceled_for_those_who_had_it(
    api: tuple[Client, dict[str, str]], site: Settings
) -> None:
    client, keys = api
    held, coast_cursor = await pull_all(client, keys["coast"])
    _, tiny_cursor = await pull_all(client, keys["tiny"])
    held_versions = {i["uri"]: i["version"] for i in held}
    file = site.content_dir / "business" / "2026-11-25-island-ferry-fares-fall.md"
    text = file.read_text()
    file.write_text(
        text.replace("authors: [Dmitri Lambert]", "authors: [Dmitri Lambert]\nsyndication: false")
    )
    await client.app[SERVICES].ingest.ingest_paths(
        {"business/2026-11-25-island-ferry-fares-fall.md"}
    )
    world = site.content_dir / "world" / "2024-06-08-night-ferry-returns.md"
    world.unlink()
    await client.app[SERVICES].ingest.ingest_paths({"world/2024-06-08-night-ferry-returns.md"})

    after, _ = await pull_all(client, keys["coast"], coast_cursor)
    assert [i["pubStatus"] for i in after] == ["canceled", "canceled"]
    assert all("headlines" not in i and "bodies" not in i for i in after)
    tiny_after, _ = await pull_all(client, keys["tiny"], tiny_cursor)
    assert [i["pubStatus"] for i in tiny_after] == ["canceled"]  # it never had the business one
    # A cancellation is a new version: a client keying on (uri, version) does not drop it.
    assert all(int(i["version"]) > int(held_versions[i["uri"]]) for i in after)
    # The withdrawn story stays answerable by id to a partner that had it, as canceled, also
    # after the cancellation was delivered; to one that never had it, it is unknown.
    (withdrawn_id,) = (
        sqlite3.connect(site.db_path)
        .execute(
            "SELECT id FROM articles WHERE source_file = 'world/2024-06-08-night-ferry-returns.md'"
        )
        .fetchone()
    )
    for _ in range(2):
        one = await client.get(f"/api/v1/items/{withdrawn_id}", headers=bearer(keys["coast"]))
        assert one.status == 200 and (await one.json())["pubStatus"] == "canceled"
    never = await client.get(f"/api/v1/items/{withdrawn_id}", headers=bearer(keys["science"]))
    assert never.status == 404


async def test_a_long_poll_returns_when_something_arrives(
    api: tuple[Client, dict[str, str]], site: Settings
) -> None:
    client, keys = api
    _, cursor = await pull_all(client, keys["coast"])
    started = time.monotonic()
    idle = await client.get(
        f"/api/v1/changes?cursor={cursor}&wait=1", headers=bearer(keys["coast"])
    )
    assert (await idle.json())["items"] == [] and time.monotonic() - started >= 0.9

    # The story lands while the poll waits for it: the poll's wait is watched, not timed.
    sequence = client.app[SERVICES].sequence
    polling, wait_beyond = asyncio.Event(), sequence.wait_beyond

    async def watched(seq: int, seconds: float) -> int:
        polling.set()
        return await wait_beyond(seq, seconds)

    sequence.wait_beyond = watched  # type: ignore[method-assign]

    async def publish_soon() -> None:
        await asyncio.wait_for(polling.wait(), 10)
        path = site.content_dir / "world" / "fresh.md"
        path.write_text(
            article_text(title="Harbour lights switched on", published="2026-11-27T09:00:00+01:00")
        )
        await client.app[SERVICES].ingest.ingest_paths({"world/fresh.md"})

    task = asyncio.create_task(publish_soon())
    started = time.monotonic()
    waited = await client.get(
        f"/api/v1/changes?cursor={cursor}&wait=20", headers=bearer(keys["coast"])
    )
    body = await waited.json()
    await task
    assert time.monotonic() - started < 5
    assert [headline(i) for i in body["items"]] == ["Harbour lights switched on"]


async def test_rate_limits_and_bad_requests(api: tuple[Client, dict[str, str]]) -> None:
    client, keys = api
    for _ in range(2):
        assert (await client.get("/api/v1/items", headers=bearer(keys["tiny"]))).status == 200
    limited = await client.get("/api/v1/items", headers=bearer(keys["tiny"]))
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Limit"] == "2"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert (await limited.json())["status"] == 429

    for query in ("cursor=nonsense", "limit=0", "limit=1000", "wait=31", "cursor=%ZZ"):
        response = await client.get(f"/api/v1/changes?{query}", headers=bearer(keys["coast"]))
        assert response.status == 400, query
        assert (await response.json())["status"] == 400
    for query in ("since=yesterday", "since=2026-01-01T00:00:00"):
        response = await client.get(f"/api/v1/items?{query}", headers=bearer(keys["coast"]))
        assert response.status == 400, query


async def test_items_filter_and_one_item(
    api: tuple[Client, dict[str, str]], site: Settings
) -> None:
    client, keys = api
    response = await client.get(
        "/api/v1/items?section=business&limit=2", headers=bearer(keys["coast"])
    )
    body = await response.json()
    assert len(body["items"]) == 2 and body["has_more"] is True
    for item in body["items"]:
        assert_ninjs(item)
    uri = body["items"][0]["uri"]
    article_id = uri.rsplit(":", 1)[1]
    one = await client.get(f"/api/v1/items/{article_id}", headers=bearer(keys["coast"]))
    assert one.status == 200 and (await one.json())["uri"] == uri
    elsewhere = await client.get(f"/api/v1/items/{article_id}", headers=bearer(keys["science"]))
    assert elsewhere.status == 404
    searched = await client.get("/api/v1/items?q=ferry", headers=bearer(keys["coast"]))
    titles = {headline(i) for i in (await searched.json())["items"]}
    assert (
        AGENCY_PHOTO in titles and "Night ferry to the islands returns after four years" in titles
    )
    recent = await client.get(
        "/api/v1/items?since=2099-01-01T00:00:00Z", headers=bearer(keys["coast"])
    )
    assert (await recent.json())["items"] == []


@pytest.mark.parametrize("path", ["/api/v1/changes", "/api/v1/items", "/api/v1/items/x"])
async def test_every_api_error_is_json(api: tuple[Client, dict[str, str]], path: str) -> None:
    client, _ = api
    response = await client.get(path)
    assert response.content_type == "application/json"
    assert (await response.json())["ok"] is False


def test_partner_keys_are_stored_only_as_hashes(tmp_path: Path) -> None:
    conn = open_writer(tmp_path / "a.db", set_clock())
    _, key = PartnerStore(conn, set_clock()).add("Someone", ["world"])
    stored = conn.execute("SELECT * FROM partners").fetchall()
    conn.close()
    assert key not in repr(stored) and key[:8] in repr(stored)


async def test_full_text_partner_feeds_carry_rights_and_only_pictures_that_may_travel(
    api: tuple[Client, dict[str, str]],
) -> None:
    import feedparser

    client, keys = api
    basic = base64.b64encode(f"importer:{keys['coast']}".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}
    for fmt in ("atom", "rss"):
        response = await client.get(f"/api/v1/feeds/en/business.{fmt}", headers=auth)
        assert response.status == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        parsed = feedparser.parse(await response.read())
        assert parsed.bozo == 0, parsed.bozo_exception
        titles = [e.title for e in parsed.entries]
        assert AGENCY_PHOTO in titles and titles
        for entry in parsed.entries:
            assert entry.get("rights"), entry.title  # Atom rights / RSS dc:rights
            assert len(entry.content[0].value) > len(entry.summary)  # the whole text
        ferry = next(e for e in parsed.entries if e.title == AGENCY_PHOTO)
        assert not ferry.get("media_content") and not ferry.get("enclosures")
        world = feedparser.parse(
            await (await client.get(f"/api/v1/feeds/en/world.{fmt}", headers=auth)).read()
        )
        assert WIRE not in [e.title for e in world.entries] and world.entries
    assert (await client.get("/api/v1/feeds/en/culture.atom", headers=auth)).status == 403
    assert (await client.get("/api/v1/feeds/xx/world.rss", headers=auth)).status == 404
    assert (await client.get("/api/v1/feeds/en/world.rss")).status == 401
