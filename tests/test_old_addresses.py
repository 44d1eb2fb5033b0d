"""Every form an old site's permalink takes answers 301 to the story that moved here, with or
without its trailing slash, whichever route the path would otherwise reach: `/slug/` looks
like an edition, `/2019/05/slug/` like nothing. An old address never hides a page that
exists; WordPress's short link `/?p=123` reaches its post though `/` is the front page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.clock import SetClock
from syndication.ingest.parse import parse_article
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, examples, make_settings, set_clock

SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True)
FORMS = [  # WordPress's permalink settings, and what older sites used
    "/{slug}/",
    "/{y}/{m}/{slug}/",
    "/{y}/{m}/{d}/{slug}/",
    "/category/{slug}/",
    "/archives/{n}",
    "/{y}/{m}/{d}/{n}/",
    "/index.php/{y}/{m}/{slug}/",
    "/{slug}.html",
]


async def redirects(
    tmp: Path, clock: SetClock, aliases: list[str], asked: list[str]
) -> dict[str, tuple[int, str]]:
    site = make_settings(tmp)
    (site.content_dir / "world").mkdir(exist_ok=True)
    quoted = ", ".join(f'"{a}"' for a in aliases)
    (site.content_dir / "world" / "moved.md").write_text(
        article_text(title="The story that moved", aliases=f"[{quoted}]")
    )
    (site.content_dir / "world" / "other.md").write_text(article_text(title="Another story"))
    async with TestClient(TestServer(create_app(site, clock))) as client:
        found = {}
        for path in asked:
            reply = await client.get(path, allow_redirects=False)
            found[path] = (reply.status, reply.headers.get("Location", ""))
        return found


STORY = "/en/world/2024/03/01/the-story-that-moved"


OLD = st.tuples(st.sampled_from(FORMS), SLUG, st.integers(1, 10**9), st.booleans())


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(olds=st.lists(OLD, min_size=1, max_size=20))
def test_an_old_permalink_of_any_form_answers_301_to_its_story(
    tmp_path_factory: pytest.TempPathFactory, olds: list[tuple[str, str, int, bool]]
) -> None:
    """Each old address, as written or with its trailing slash taken away, answers 301 to
    the story in one hop."""
    aliases, typed = [], []
    for form, slug, n, cut in olds:
        alias = form.format(slug=slug, y="2019", m="05", d="03", n=n)
        if alias.strip("/") in ("en", "fr", "media", "static", "api", "desk", "search"):
            continue  # an address of ours (see the test below)
        aliases.append(alias)
        typed.append(alias.rstrip("/") if cut and alias.endswith("/") else alias)
    tmp = tmp_path_factory.mktemp("old")
    found = asyncio.run(redirects(tmp, set_clock(), list(dict.fromkeys(aliases)), typed))
    for path in typed:
        assert found[path] == (301, STORY), (path, found)


def test_wordpress_short_links_reach_their_post_and_the_front_page_is_still_there(
    tmp_path: Path, clock: SetClock
) -> None:
    found = asyncio.run(
        redirects(
            tmp_path,
            clock,
            ["/?p=123", "/news/?p=7", "/en/", "/en/world/"],
            ["/?p=123", "/news/?p=7", "/?p=124", "/", "/en/", "/en/world/", "/?p=x"],
        )
    )
    assert found["/?p=123"] == (301, STORY)
    assert found["/news/?p=7"] == (301, STORY)
    assert found["/?p=124"][0] != 301 and found["/?p=x"][0] != 301  # no such post: as if no p
    # An old address a page here has is not taken from it: the page answers.
    assert found["/en/"][0] == 200 and found["/en/world/"][0] == 200
    assert found["/"][1] != STORY


def test_check_says_when_a_page_of_the_site_answers_an_old_address(tmp_path: Path) -> None:
    site = make_settings(tmp_path)
    text = article_text(
        title="Moved", aliases='["/en/world/", "/media/x.png", "/en/feed.atom", "/old/story/"]'
    )
    parsed = parse_article(text.encode(), "world/moved.md", site.content_dir, site)
    shadowed = [w.field for w in parsed.warnings if "never leads to this story" in w.message]
    assert shadowed == ["aliases.0", "aliases.1", "aliases.2"]


def test_an_old_address_stays_with_the_story_that_had_it_first(tmp_path: Path) -> None:
    """A second story naming an address a live story already has (a second site's import
    of the same post id) does not take it; once the first is gone, it may."""

    async def run() -> tuple[str, str]:
        site = make_settings(tmp_path)
        world = site.content_dir / "world"
        world.mkdir()
        (world / "first.md").write_text(article_text(title="First", aliases='["/?p=5"]'))
        async with TestClient(TestServer(create_app(site, set_clock()))) as client:
            ingest = client.app[SERVICES].ingest
            assert ingest is not None
            (world / "second.md").write_text(article_text(title="Second", aliases='["/?p=5"]'))
            await ingest.ingest_paths({"world/second.md"})
            kept = (await client.get("/?p=5", allow_redirects=False)).headers["Location"]
            (world / "first.md").unlink()
            await ingest.ingest_paths({"world/first.md"})
            (world / "second.md").write_text(
                article_text(title="Second", aliases='["/?p=5"]', body="Edited.")
            )
            await ingest.ingest_paths({"world/second.md"})
            moved = (await client.get("/?p=5", allow_redirects=False)).headers["Location"]
            return kept, moved

    kept, moved = asyncio.run(run())
    assert kept.endswith("/first") and moved.endswith("/second")
