"""/media/ serves a picture only while a live story shows it: a draft's, an embargoed story's
or a withdrawn story's pictures are not public (a draft's are seen through its preview link
alone), and nothing in a hidden folder is ever served."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from yarl import URL

from syndication.clock import SetClock
from syndication.config import Settings
from syndication.web.app import create_app
from syndication.web.previews import preview_url
from syndication.web.services import SERVICES
from tests.conftest import article_text, examples, make_settings, set_clock

Client = TestClient[Any, Any]
SECRET = "a preview secret of the tests"
PICTURES = ("images/a.png", "images/b.png", "images/c.png")
# What a story's file asks, and the date that makes it live, scheduled (after the clock) or not.
STATES = {
    "live": ("published", "2026-11-20T09:00:00+01:00"),
    "scheduled": ("published", "2027-01-20T09:00:00+01:00"),
    "draft": ("draft", "2026-11-20T09:00:00+01:00"),
    "withdrawn": ("withdrawn", "2026-11-20T09:00:00+01:00"),
}


def png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 90, 120)).save(out, "PNG")
    return out.getvalue()


def story(title: str, state: str, lead: str | None, inline: list[str]) -> str:
    status, published = STATES[state]
    fields: dict[str, object] = {"status": status, "standfirst": "What the pictures show"}
    if lead:
        fields["image"] = f"\n  src: ../{lead}\n  alt: A picture\n  credit: Staff"
    body = "The story told.\n\n" + "\n\n".join(f"![Inline](../{p})" for p in inline)
    return article_text(title=title, published=published, body=body, **fields)


def newsroom(root: Path) -> Settings:
    made = make_settings(root, preview_secret=SECRET)
    (made.content_dir / "world").mkdir()
    (made.content_dir / "images").mkdir()
    for shade, picture in enumerate(PICTURES):
        (made.content_dir / picture).write_bytes(png(40 * shade))
    return made


@pytest.fixture
async def room(
    tmp_path: Path, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> tuple[Settings, Client]:
    made = newsroom(tmp_path)
    (made.content_dir / ".hidden").mkdir()
    (made.content_dir / ".hidden" / "x.png").write_bytes(png(7))
    (made.content_dir / "world" / "draft.md").write_text(
        story("A draft", "draft", PICTURES[0], [PICTURES[1]])
    )
    return made, await aiohttp_client(create_app(made, clock))


async def save(client: Client, settings: Settings, rel: str, text: str) -> None:
    (settings.content_dir / rel).write_text(text)
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    await ingest.ingest_paths({rel})


async def test_a_drafts_pictures_are_seen_through_its_preview_link_alone(
    room: tuple[Settings, Client], clock: SetClock
) -> None:
    settings, client = room
    for picture in PICTURES[:2]:
        assert (await client.get(f"/media/{picture}")).status == 404
        assert (await client.get(f"/media/{picture}?w=40&v=1")).status == 404  # nor resized
    archive = client.app[SERVICES].archive
    found = await archive.articles.by_id(await archive.db.value("SELECT id FROM articles"))
    assert found is not None
    link = urlsplit(
        preview_url(settings, SECRET, found.article.id, found.version, 1, clock.now())
    ).path
    page = await (await client.get(link)).text()
    shown = set(re.findall(r'src="([^"]+)"', page))
    assert shown and all(src.startswith(f"{link}/media/") for src in shown), shown
    for src in shown:
        answer = await client.get(src.replace("&amp;", "&"))
        assert answer.status == 200 and answer.headers["Cache-Control"] == "private, no-store"
    assert (await client.get(f"{link}/media/{PICTURES[2]}")).status == 404  # not the story's
    await save(client, settings, "world/draft.md", story("A draft", "live", PICTURES[0], []))
    ended = await client.get(f"{link}/media/{PICTURES[0]}", allow_redirects=False)
    assert ended.status == 303  # the link ended: the picture is where readers see it
    assert ended.headers["Location"] == f"/media/{PICTURES[0]}"
    answer = await client.get(f"/media/{PICTURES[0]}")
    assert answer.status == 200 and "xkey" in answer.headers  # purged with the story
    assert (await client.get(f"/media/{PICTURES[1]}")).status == 404  # no longer shown


@pytest.mark.parametrize(
    "path", [".hidden/x.png", "%2Ehidden/x.png", "images/%2E%2E/.hidden/x.png", ".hidden/"]
)
async def test_no_file_in_a_hidden_folder_or_by_another_spelling(
    room: tuple[Settings, Client], path: str
) -> None:
    settings, client = room
    await save(client, settings, "world/live.md", story("Live", "live", PICTURES[0], []))
    assert (await client.get(f"/media/{PICTURES[0]}")).status == 200
    answer = await client.get("/media/" + path)
    assert answer.status == 404 and answer.headers["Cache-Control"] == "no-store"


async def answers(settings: Settings, clock: SetClock) -> dict[str, int]:
    async with TestClient(TestServer(create_app(settings, clock))) as client:
        return {p: (await client.get(f"/media/{p}?w=40&v=1")).status for p in PICTURES} | {
            p + " whole": (await client.get(f"/media/{p}")).status for p in PICTURES
        }


stories = st.lists(
    st.tuples(
        st.sampled_from(sorted(STATES)),
        st.one_of(st.none(), st.sampled_from(PICTURES)),
        st.lists(st.sampled_from(PICTURES), max_size=2, unique=True),
    ),
    max_size=4,
)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(told=stories)
def test_a_picture_is_served_exactly_while_a_live_story_shows_it(
    tmp_path_factory: pytest.TempPathFactory, told: list[tuple[str, str | None, list[str]]]
) -> None:
    made = newsroom(tmp_path_factory.mktemp("media"))
    for number, (state, lead, inline) in enumerate(told):
        (made.content_dir / "world" / f"s{number}.md").write_text(
            story(f"Story {number}", state, lead, inline)
        )
    shown = {p for state, lead, inline in told if state == "live" for p in (lead, *inline) if p}
    found = asyncio.run(answers(made, set_clock()))
    for picture in PICTURES:
        expected = 200 if picture in shown else 404
        assert found[picture] == found[picture + " whole"] == expected, (picture, told)


async def test_a_picture_a_refused_edit_waits_for_is_not_shown(
    room: tuple[Settings, Client],
) -> None:
    """A live story's edit that names a picture not there yet is refused; the picture
    arriving later (an embargoed story's) is not public through the live story."""
    settings, client = room
    await save(client, settings, "world/live.md", story("Live", "live", PICTURES[0], []))
    waiting = story("Live", "live", PICTURES[0], ["images/future.png"])
    await save(client, settings, "world/live.md", waiting)
    await save(client, settings, "world/live.md", waiting.replace("---\n\n", "bogus: 1\n---\n\n"))
    (settings.content_dir / "images" / "future.png").write_bytes(png(99))
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    await ingest.ingest_paths({"images/future.png"})
    assert (await client.get("/media/images/future.png")).status == 404
    assert (await client.get(f"/media/{PICTURES[0]}")).status == 200  # its last good version's


PATH_PIECES = st.sampled_from(
    # (Literal dot segments are resolved by any HTTP client before they are sent.)
    ["images", "a.png", "b.png", "c.png", ".hidden", "x.png", "%2e%2e", "%2E", "%00",
     "%2F", "\\", "é", "a" * 300, "", "world", "draft.md", "%61.png"]
)  # fmt: skip


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pieces=st.lists(PATH_PIECES, min_size=1, max_size=5), query=st.sampled_from(
    ["", "?w=40&v=1", "?w=41", "?f=webp&w=40", "?w=-1"]))  # fmt: skip
def test_any_path_through_a_preview_link_is_the_storys_picture_or_a_4xx(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str], query: str
) -> None:
    """Whatever path part follows a valid preview link, the answer is one of the draft's own
    pictures or a 4xx: never another file, a hidden one, or a 5xx."""
    made = newsroom(tmp_path_factory.mktemp("preview-media"))
    (made.content_dir / ".hidden").mkdir()
    (made.content_dir / ".hidden" / "x.png").write_bytes(png(7))
    (made.content_dir / "world" / "draft.md").write_text(
        story("A draft", "draft", PICTURES[0], [PICTURES[1]])
    )
    path = "/".join(pieces)

    async def ask() -> int:
        clock = set_clock()
        async with TestClient(TestServer(create_app(made, clock))) as client:
            archive = client.app[SERVICES].archive
            found = await archive.articles.by_id(await archive.db.value("SELECT id FROM articles"))
            assert found is not None
            link = urlsplit(
                preview_url(made, SECRET, found.article.id, found.version, 1, clock.now())
            ).path
            # Sent as written (the client would resolve ../ itself), each piece escaped.
            target = URL(f"{link}/media/{quote(path, safe='/%')}{query}", encoded=True)
            answer = await client.get(target)
            return answer.status

    status = asyncio.run(ask())
    shown = unquote(path) in PICTURES[:2]  # %61.png is a.png, as the router reads it
    assert status < 500, (path, status)
    assert status != 200 or shown, (path, query, status)
    if shown and query in ("", "?w=40&v=1"):
        assert status == 200, (path, query, status)


async def test_an_old_digest_of_a_replaced_picture_is_sent_on_never_served_as_lasting(
    room: tuple[Settings, Client],
) -> None:
    """`?v=` names the picture's bytes, and the answer is kept for good: after the picture
    is replaced, its old address leads to the new one (301), whose picture it never serves."""
    settings, client = room
    await save(client, settings, "world/live.md", story("Live", "live", PICTURES[2], []))
    listing = await (await client.get("/en/world/")).text()
    found = re.search(r'href="(/en/world/[^"]+/live)"', listing)
    assert found is not None
    page = await (await client.get(found[1])).text()
    old = re.search(r"/media/images/c\.png\?v=([0-9a-f]+)", page)
    assert old is not None
    first = await client.get(f"/media/images/c.png?v={old[1]}")
    assert first.status == 200 and "immutable" in first.headers["Cache-Control"]
    (settings.content_dir / PICTURES[2]).write_bytes(png(250))  # replaced, the same name
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    await ingest.ingest_paths({PICTURES[2]})
    for asked in (f"?v={old[1]}", f"?v={old[1]}&w=40", "?v=0000", "?v="):
        moved = await client.get(f"/media/images/c.png{asked}", allow_redirects=False)
        assert moved.status == 301, asked
        assert "immutable" not in moved.headers["Cache-Control"]
        location = moved.headers["Location"]
        assert f"v={old[1]}" not in location and ("w=40" in location) == ("w=40" in asked)
    new = await client.get(location)
    # the new picture's pixels (its bytes carry the rights metadata besides)
    assert new.status == 200 and pixels(await new.read()) == pixels(png(250))


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        return opened.convert("RGB").tobytes()
