"""Pictures a body shows from content/: found as `image:` is, addressed by digest with their
size, depended on, and an error with its line when one is missing."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.errors import ContentError
from syndication.ingest.parse import parse_article
from syndication.web.app import create_app
from tests.conftest import Newsroom, PNG_1x1, article_text, examples, make_settings, set_clock

BODY = """The breakwater was repaired over the winter.

![The quay at dawn](quay.png)

Boats may moor again from Monday.
"""


def png(width: int, height: int, colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def parse(root: Path, body: str) -> tuple[str, tuple[str, ...]]:
    settings = make_settings(root)
    (settings.content_dir / "world").mkdir(exist_ok=True)
    data = article_text(body=body).encode()
    parsed = parse_article(data, "world/story.md", settings.content_dir.resolve(), settings)
    return parsed.article.body_html, parsed.pictures


def test_a_picture_next_to_the_article_gets_its_address_digest_and_size(tmp_path: Path) -> None:
    world = tmp_path / "content" / "world"
    world.mkdir(parents=True)
    (world / "quay.png").write_bytes(png(640, 360))
    html, pictures = parse(tmp_path, BODY)
    found = re.search(r'<img width="640" height="360" src="/media/world/quay\.png\?v=(\w+)"', html)
    assert found is not None, html
    assert 'alt="The quay at dawn"' in html and pictures == ("world/quay.png",)
    (world / "quay.png").write_bytes(png(640, 360, "teal"))  # replaced: a new address
    assert found[1] not in parse(tmp_path, BODY)[0]


@pytest.mark.parametrize(
    "named",
    ["/world/quay.png", "../world/quay.png", "quay%2Epng", "./quay.png?w=3"],
)
def test_a_picture_named_any_way_that_leads_to_it_is_found(tmp_path: Path, named: str) -> None:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "quay.png").write_bytes(PNG_1x1)
    html, pictures = parse(tmp_path, f"Text.\n\n![Quay]({named})\n")
    assert pictures == ("world/quay.png",) and 'src="/media/world/quay.png?v=' in html


def test_other_sites_pictures_are_left_as_they_are(tmp_path: Path) -> None:
    html, pictures = parse(tmp_path, "Text.\n\n![Far](https://example.org/far.png)\n")
    assert 'src="https://example.org/far.png"' in html and pictures == ()


@pytest.mark.parametrize(
    ("named", "said"),
    [
        ("missing.png", "was not found"),
        ("../../../../etc/hostname.png", "was not found"),  # never outside content/
        ("notes.txt", "not a web image"),
    ],
)
def test_a_picture_that_is_not_there_is_an_error_at_its_line(
    tmp_path: Path, named: str, said: str
) -> None:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "notes.txt").write_text("not a picture")
    with pytest.raises(ContentError) as raised:
        parse(tmp_path, f"First line.\n\nSecond line.\n\n![Gone]({named})\n")
    assert said in raised.value.message
    assert raised.value.line == 10  # 4 lines of front matter, a blank one, the body's 5th
    if said == "was not found" and ".." not in named:
        assert "world/missing.png" in raised.value.needs  # read again when it arrives


def test_an_article_waits_for_its_picture_and_follows_it(newsroom: Newsroom) -> None:
    newsroom.write("world/story.md", article_text(body=BODY))
    newsroom.scan()
    assert newsroom.one("SELECT count(*) FROM articles") == 0  # refused: the picture is missing
    newsroom.write("world/quay.png", png(320, 200))
    newsroom.scan()  # the picture arrived: the story is read again and published
    first = newsroom.one("SELECT version FROM articles")
    newsroom.write("world/quay.png", png(320, 200, "olive"))
    newsroom.scan()  # the picture changed, the Markdown did not: a new address in the body
    assert newsroom.one("SELECT version FROM articles") == first + 1  # type: ignore[operator]


async def test_pages_and_feeds_show_the_picture_from_the_site(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, base_url="http://news.test")
    world = settings.content_dir / "world"
    world.mkdir()
    (world / "quay.png").write_bytes(png(320, 200))
    (world / "story.md").write_text(article_text(title="Quay reopens", body=BODY))
    client = await aiohttp_client(create_app(settings, set_clock()))
    page = await (await client.get("/en/world/2024/03/01/quay-reopens")).text()
    address = re.search(r'src="(/media/world/quay\.png\?v=\w+)"', page)
    assert address is not None, page
    picture = await client.get(address[1])
    assert picture.status == 200 and picture.content_type == "image/png"
    assert picture.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    feed = feedparser.parse(await (await client.get("/en/world/feed.atom")).read())
    assert f'src="http://news.test{address[1]}"' in feed.entries[0].content[0].value


# What a careless or hostile file names as a picture: ways out of content/, encodings, odd
# schemes, queries, control characters and noise, around the names of real files.
PIECES = st.sampled_from(
    ["quay.png", "/world/quay.png", "notes.txt", "../", "..%2F", "%2e%2e/", "/", "//", "\\",
     "%00", "?v=1", "#x", "https://example.org/", "javascript:", "data:image/png;base64,AA",
     "file:///etc/passwd", "&amp;", " ", "%20", "world/", "/etc/hostname", "quay%2Epng"]
)  # fmt: skip
NAMES = st.one_of(  # (a raw NUL makes the whole file binary, refused at its line 1; a lone
    st.lists(PIECES, max_size=4).map("".join),  # surrogate cannot be written in UTF-8 at all)
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30),
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(named=NAMES)
def test_any_picture_name_gives_a_picture_inside_content_or_an_error_with_its_line(
    tmp_path_factory: pytest.TempPathFactory, named: str
) -> None:
    root = tmp_path_factory.mktemp("named")
    (root / "content" / "world").mkdir(parents=True)
    (root / "content" / "world" / "quay.png").write_bytes(PNG_1x1)
    (root / "content" / "world" / "notes.txt").write_text("not a picture")
    (root / "secret.png").write_bytes(PNG_1x1)  # beside content/, never to be shown
    body = f'Text.\n\n![A picture]({named})\n\n<img src="{named}" alt="raw">\n'
    try:
        html, pictures = parse(root, body)
    except ContentError as error:
        assert error.line is not None and error.line >= 5, error  # the body's lines: 5 on
        return
    assert set(pictures) <= {"world/quay.png"}, pictures
    for address in re.findall(r'src="(/media/[^"]*)"', html):
        assert address.startswith("/media/world/quay.png?v="), address
