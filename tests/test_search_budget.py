"""A search has a budget: its own connection, so a slow one never holds back the pages'
queries; a time limit inside SQLite (the progress handler), answered as "too broad"; a
statement stopped when its reader leaves or its request is cancelled; snippets cut in one
pass whatever a body repeats; prefixes of at least three letters. Generated hostile queries
on a hostile archive are each answered, in time, never with a 500."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.archive.queries import Archive
from syndication.archive.schema import open_writer
from syndication.archive.search import MIN_PREFIX, fts_query
from syndication.archive.search_budget import ReaderLeft, SearchBusy, TooBroad
from syndication.archive.writer import ArchiveWriter
from syndication.clock import SetClock
from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import Newsroom, article_text, examples, make_settings, set_clock
from tests.test_hostile_site import bearer, partner_key

Client = TestClient[Any, Any]
# A statement that runs as long as it is let: SQLite counting to a billion.
ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
REPEATED = "harbour"


def hostile_room(room: Newsroom, stories: int = 300) -> None:
    """Short stories of few words (prefix and OR queries match most of them), and one body
    repeating one word 20,000 times, within every limit."""
    words = ["mist", "salt", "net", "boat", "oar", "moss", "sand", "bell", "ore", "mast"]
    for n in range(stories):
        body = " ".join(words[(n + k) % len(words)] for k in range(12))
        room.write(
            f"world/s{n}.md",
            article_text(title=f"Story {n} {words[n % 10]}", published="2026-11-20T09:00:00Z",
                         body=body),
        )  # fmt: skip
    room.write(
        "world/repeat.md",
        article_text(title="Repeat", published="2026-11-21T09:00:00Z",
                     body=(REPEATED + " ") * 20_000),
    )  # fmt: skip
    room.scan()


@pytest.fixture
async def archive(newsroom: Newsroom) -> AsyncIterator[Archive]:
    hostile_room(newsroom, stories=20)
    async with Archive.open(newsroom.settings.db_path, search_seconds=0.2) as opened:
        yield opened


async def test_a_search_past_its_budget_is_stopped_and_the_pages_are_not_held(
    archive: Archive,
) -> None:
    search = archive.search

    async def endless() -> None:
        async with search.budget.turn():
            await search.db.rows(ENDLESS)

    started = time.monotonic()
    task = asyncio.create_task(endless())
    await asyncio.sleep(0.02)  # pacing: the endless statement is running on its thread
    pinged = time.monotonic()
    assert await archive.ping()  # the pages' connection answers meanwhile
    assert time.monotonic() - pinged < 0.1
    with pytest.raises(TooBroad):
        await task
    assert time.monotonic() - started < 1.0
    assert search.budget.stopped == 1


async def test_a_search_whose_reader_left_is_stopped(archive: Archive) -> None:
    search = archive.search
    left = time.monotonic() + 0.05
    with pytest.raises(ReaderLeft):
        async with search.budget.turn(gone=lambda: time.monotonic() > left):
            await search.db.rows(ENDLESS)
    assert time.monotonic() - left < 0.15  # well before the budget's 0.2 s


async def test_a_cancelled_search_leaves_nothing_running(archive: Archive) -> None:
    search = archive.search
    search.budget.seconds = 30  # only the cancellation can stop it

    async def endless() -> None:
        async with search.budget.turn():
            await search.db.rows(ENDLESS)

    task = asyncio.create_task(endless())
    await asyncio.sleep(0.05)  # pacing: running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    assert await search.db.value("SELECT 1") == 1  # not queued behind the endless one
    assert time.monotonic() - started < 0.5


async def test_searches_waiting_too_long_for_their_turn_are_turned_away(
    archive: Archive,
) -> None:
    search = archive.search
    search.budget.seconds = 0.05
    holding = asyncio.Event()

    async def hold() -> None:
        async with search.budget.turn():
            holding.set()
            await asyncio.sleep(0.8)  # pacing: a turn held longer than others wait

    task = asyncio.create_task(hold())
    await holding.wait()
    with pytest.raises(SearchBusy):
        async with search.budget.turn():
            pass
    await task


async def test_a_body_repeating_a_word_costs_one_pass(archive: Archive) -> None:
    archive.search.budget.seconds = 5
    started = time.monotonic()
    hits, _ = await archive.search.hits("en", REPEATED, 1, 10)
    assert [h.article.title for h in hits] == ["Repeat"]
    assert hits[0].snippet_html.count("<mark>") <= 24
    assert time.monotonic() - started < 0.5  # FTS5's snippet() took seconds


def test_a_prefix_needs_three_letters() -> None:
    assert fts_query("ha*") == '"ha"'
    assert fts_query("har*") == '"har"*'
    assert MIN_PREFIX == 3


WORDS = ["m", "s", "n", "b", "o", "ma", "mo", "sa", "mis", "boa", "harbour", "salt", "net"]
QUERY_WORDS = st.sampled_from([*WORDS, "OR", "NOT", "AND", "NEAR", "-", '"', "*", "(", ")"])


@st.composite
def hostile_queries(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(QUERY_WORDS, st.sampled_from(["", "*", " OR", " -"])),
                          min_size=1, max_size=12))  # fmt: skip
    return " ".join(word + suffix for word, suffix in parts)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("hostile-search")
    site = make_settings(root, search_budget_ms=150)
    clock = set_clock()
    room = Newsroom(site, ArchiveWriter(open_writer(site.db_path, clock), clock), clock)
    hostile_room(room)
    room.writer.conn.close()
    return site


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=hostile_queries(), page=st.sampled_from([1, 2, 9]))
def test_any_query_on_a_hostile_archive_is_answered_in_time(
    hostile_site: Settings, query: str, page: int
) -> None:
    async def ask() -> tuple[int, float]:
        async with one_client(hostile_site) as client:
            started = time.monotonic()
            answer = await client.get("/en/search", params={"q": query, "page": str(page)})
            await answer.read()
            return answer.status, time.monotonic() - started

    status, took = asyncio.run(ask())
    assert status in (200, 422, 503), (query, status)
    assert took < 0.15 * 5 + 1.0, (query, took)  # the budget, and the page around it


@contextlib.asynccontextmanager
async def one_client(site: Settings) -> AsyncIterator[Client]:
    """The app on its own server for one example (each example has its own loop)."""
    client = TestClient(TestServer(create_app(site, set_clock())))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_a_too_broad_search_is_a_page_that_says_so(
    newsroom: Newsroom, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    hostile_room(newsroom, stories=150)
    client = await aiohttp_client(create_app(newsroom.settings, clock))
    client.app[SERVICES].archive.search.budget.seconds = 0  # every statement overruns it
    answer = await client.get("/en/search", params={"q": "mist"})
    assert answer.status == 422
    assert "matches too much" in await answer.text()
    assert answer.headers["Cache-Control"] == "no-store"
    suggest = await client.get("/en/search/suggest", params={"q": "story mi"})
    assert suggest.status == 422


async def test_a_partners_search_has_the_same_budget(
    newsroom: Newsroom, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    """The partner API's `q` is searched on the search connection, within the budget: a
    partner's query never stalls the reads either."""
    hostile_room(newsroom, stories=150)
    client = await aiohttp_client(create_app(newsroom.settings, clock))
    key = bearer(partner_key(newsroom.settings, ["world"]))
    found = await client.get("/api/v1/items", params={"q": "mist", "limit": "5"}, headers=key)
    assert found.status == 200 and len((await found.json())["items"]) == 5
    client.app[SERVICES].archive.search.budget.seconds = 0  # every statement overruns it
    refused = await client.get("/api/v1/items", params={"q": "mist"}, headers=key)
    assert refused.status == 422 and "matches too much" in (await refused.json())["error"]
