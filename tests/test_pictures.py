"""Pictures on pages: resized renditions (WebP and the original's format) chosen by srcset and
sizes, width and height set, lazy below the fold; the original never in a page's <img>."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable, Iterator
from html import unescape
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.config import Settings
from syndication.publish import picture_metadata, renditions
from syndication.web.app import create_app
from tests.conftest import article_text, examples, set_clock

Client = TestClient[Any, Any]
ARTICLE = "/en/science/2026/11/05/seagrass-returns-to-the-tessel-estuary-after-forty-years"


def _offered(page: str) -> list[str]:
    """Every picture address a page gives a browser: src and each srcset candidate."""
    found = re.findall(r'<img src="([^"]+)"', page)
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        found += [candidate.strip().split(" ")[0] for candidate in srcset.split(",")]
    return [unescape(u) for u in found]


async def test_pages_offer_renditions_and_never_the_original(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    client = await aiohttp_client(create_app(site, set_clock()))
    front = await (await client.get("/en/")).text()
    lead = re.search(r'<article class="lead">(.*?)</article>', front, re.S)
    assert lead and '<source type="image/webp"' in lead[1] and 'sizes="' in lead[1]
    assert 'width="640" height="400"' in lead[1] and "lazy" not in lead[1]
    top = re.search(r'<ol class="teasers top">(.*?)</ol>', front, re.S)
    assert top and 'sizes="7rem"' in top[1] and 'loading="lazy"' in top[1]
    article = await (await client.get(ARTICLE)).text()
    for page in (front, article):
        offered = _offered(page)
        assert offered and all("&w=" in u for u in offered), offered  # never the original
    for address in _offered(front)[:6]:
        answer = await client.get(address)
        assert answer.status == 200 and "immutable" in answer.headers["Cache-Control"]
        picture = Image.open(io.BytesIO(await answer.read()))
        width = int(re.search(r"&w=(\d+)", address)[1])  # type: ignore[index]
        assert picture.width == width and picture.height == round(400 * width / 640)
        assert picture.format == ("WEBP" if "f=webp" in address else "PNG")
    made = sorted(renditions.folder_for(site.db_path).iterdir())
    again = await client.get(_offered(front)[0])
    assert again.status == 200 and sorted(renditions.folder_for(site.db_path).iterdir()) == made


@pytest.mark.parametrize(
    ("query", "status"),
    [("w=333", 404), ("w=99999", 404), ("w=0", 400), ("w=abc", 400), ("w=320&f=gif", 400)],
)
async def test_a_width_or_format_pages_do_not_offer_is_refused(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]], query: str, status: int
) -> None:
    client = await aiohttp_client(create_app(site, set_clock()))
    answer = await client.get(f"/media/images/seagrass.png?v=1&{query}")
    assert answer.status == status


async def test_a_picture_that_cannot_be_resized_is_served_as_it_is_never_a_500(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    folder = site.content_dir / "images"
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")  # 144 megapixels in a small file
    (folder / "bomb.png").write_bytes(bomb.getvalue())
    whole = (folder / "seagrass.png").read_bytes()
    (folder / "cut.png").write_bytes(whole[: len(whole) // 2])  # the header, half the pixels
    (site.content_dir / "science" / "pictures.md").write_text(
        article_text(
            title="Two pictures",
            published="2026-11-20T09:00:00+01:00",
            body="Shown:\n\n![A bomb](../images/bomb.png)\n\n![Cut](../images/cut.png)",
        )
    )
    client = await aiohttp_client(create_app(site, set_clock()))
    for name, original in (("bomb.png", bomb.getvalue()), ("cut.png", whole[: len(whole) // 2])):
        answer = await client.get(f"/media/images/{name}?v=1&w=320&f=webp")
        assert answer.status == 200, name
        served = await answer.read()
        # the file as it is, with the rights metadata written into it where it can be
        xmp = picture_metadata.own_xmp(served)
        assert served == (original if xmp is None else picture_metadata.stamped(original, xmp))
    assert xmp is None  # the cut one: its structure cannot take metadata


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    w=st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 3000).map(str)),
    f=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["webp", "WEBP", "png", ""])),
)
def test_any_width_and_format_is_a_picture_or_a_4xx(
    picture_client: tuple[asyncio.AbstractEventLoop, Client], w: str | None, f: str | None
) -> None:
    loop, client = picture_client
    query = {k: v for k, v in (("v", "1"), ("w", w), ("f", f)) if v is not None}

    async def ask() -> int:
        answer = await client.get("/media/images/seagrass.png", params=query)
        await answer.read()
        return answer.status

    assert loop.run_until_complete(ask()) in (200, 400, 404)


@pytest.fixture(scope="module")
def picture_client(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Client]]:
    from tests.conftest import sample_settings, set_clock

    settings = sample_settings(tmp_path_factory.mktemp("p"))
    loop = asyncio.new_event_loop()

    async def start() -> Client:
        client: Client = TestClient(TestServer(create_app(settings, set_clock())))
        await client.start_server()
        return client

    client = loop.run_until_complete(start())
    yield loop, client
    loop.run_until_complete(client.close())
    loop.close()
