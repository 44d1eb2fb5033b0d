"""A preview link shows the version of the story it was made for, and only while the story
waits: an edit, a publication or a withdrawal ends it for good (the story going back to
draft makes a new version, which needs a new link), and a story that later takes the id of
a deleted draft is never opened by the draft's old link."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient

from syndication.clock import SetClock
from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.previews import preview_url
from syndication.web.services import SERVICES
from tests.conftest import article_text, make_settings

Client = TestClient[Any, Any]
SECRET = "a preview secret of the tests"
DRAFT = "world/plan.md"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    made = make_settings(tmp_path, preview_secret=SECRET)
    (made.content_dir / "world").mkdir()
    return made


@pytest.fixture
async def client(
    settings: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(settings, clock))


async def save(client: Client, settings: Settings, rel: str, text: str | None) -> None:
    path = settings.content_dir / rel
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    await ingest.ingest_paths({rel})


async def link(client: Client, settings: Settings, clock: SetClock, story_id: str) -> str:
    archived = await client.app[SERVICES].archive.articles.by_id(story_id)
    assert archived is not None
    made = preview_url(settings, SECRET, story_id, archived.version, 48, clock.now())
    return urlsplit(made).path


async def status(client: Client, path: str) -> int:
    return (await client.get(path)).status


def draft(title: str = "Quay plan goes to the council", **fields: str) -> str:
    return article_text(title=title, id="quay-plan", status="draft", **fields)


async def test_an_edit_publication_or_withdrawal_ends_a_preview_link_for_good(
    client: Client, settings: Settings, clock: SetClock
) -> None:
    await save(client, settings, DRAFT, draft())
    first = await link(client, settings, clock, "quay-plan")
    shown = await client.get(first)
    assert shown.status == 200 and 'class="preview-mark"' in await shown.text()  # marked
    await save(client, settings, DRAFT, draft(standfirst="A first look."))
    ended = await client.get(first)
    assert ended.status == 410  # an earlier version: said so, not "withdrawn"
    text = await ended.text()
    assert (
        "<h1>Preview ended</h1>" in text and "earlier version" in text and "withdrawn" not in text
    )
    second = await link(client, settings, clock, "quay-plan")
    assert await status(client, second) == 200
    await save(client, settings, DRAFT, article_text(title="Quay plan goes to the council",
                                                      id="quay-plan"))  # fmt: skip
    published = await client.get(second, allow_redirects=False)
    assert published.status == 303  # published: the link leads to the page readers see
    assert published.headers["Location"].endswith("/quay-plan-goes-to-the-council")
    public = await client.get(published.headers["Location"])
    assert public.status == 200 and "preview-mark" not in await public.text()
    await save(client, settings, DRAFT, draft())  # back to draft, as it was
    assert await status(client, second) == 410  # still ended, for good
    third = await link(client, settings, clock, "quay-plan")
    assert await status(client, third) == 200
    withdrawn = article_text(
        title="Quay plan goes to the council", id="quay-plan", status="withdrawn"
    )
    await save(client, settings, DRAFT, withdrawn)
    assert await status(client, third) == 410  # withdrawn


async def test_a_deleted_drafts_link_never_opens_the_story_that_takes_its_id(
    client: Client, settings: Settings, clock: SetClock
) -> None:
    await save(client, settings, DRAFT, draft())
    old = await link(client, settings, clock, "quay-plan")
    await save(client, settings, DRAFT, None)
    await save(client, settings, "world/other.md", draft(title="Another story entirely"))
    answer = await client.get(old)
    assert answer.status in (404, 410) and "Another story" not in await answer.text()


@pytest.mark.parametrize("forged", ["version", "id", "end"])
async def test_a_link_changed_in_any_part_is_not_a_preview_link(
    client: Client, settings: Settings, clock: SetClock, forged: str
) -> None:
    await save(client, settings, DRAFT, draft())
    good = await link(client, settings, clock, "quay-plan")
    archived = await client.app[SERVICES].archive.articles.by_id("quay-plan")
    assert archived is not None
    version, story, hours = archived.version, "quay-plan", 48.0
    if forged == "version":
        version += 1
    elif forged == "id":
        story = "quay-plan-2"
    else:
        hours = 96.0
    made = urlsplit(preview_url(settings, "another secret", story, version, hours, clock.now()))
    assert await status(client, made.path) == 404
    assert await status(client, good) == 200
