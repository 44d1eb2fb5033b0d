"""A reader's visit in a real browser: Debian's Chromium driven by Playwright against
`syndication serve` on 127.0.0.1, with axe-core checking each page's accessibility.

Screenshots land in tests/artifacts/screenshots/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from tests.live import REPO, Server, serving, syndication

pytestmark = [pytest.mark.browser, pytest.mark.processes]

SHOTS = REPO / "tests" / "artifacts" / "screenshots"
WIRE_TITLE = "Coastal states deliver written reply in fishing-rights dispute"
PASSWORD = "a long enough password"
TRAM = "/en/business/2026/10/28/east-tram-line-approved-with-first-trams-due-in-2029"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "content", workdir / "content")
    with serving(workdir) as running:
        yield running


class Visit:
    """One tab, recording every console error and uncaught exception, and checking each
    page it reaches with axe-core."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.axe = Axe()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    async def check(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        results = await self.axe.run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{name}: {serious}"


async def test_a_readers_visit(server: Server, browser: Browser) -> None:
    visit = Visit(await browser.new_page(viewport={"width": 1280, "height": 900}))
    page = visit.page

    await page.goto(server.base + "/")
    assert await page.title() == "The Harbour Ledger · English"
    await visit.check("1-home")

    await page.get_by_role("navigation", name="Sections").get_by_role("link", name="World").click()
    await page.wait_for_url("**/en/world/")
    assert await page.locator("h1").inner_text() == "World"
    await visit.check("2-section")

    await page.get_by_role("link", name=WIRE_TITLE).click()
    await page.wait_for_url("**/2022/01/27/**")
    assert await page.locator("h1").inner_text() == WIRE_TITLE
    assert await page.locator("figure img").evaluate("img => img.complete && img.naturalWidth") > 0
    await visit.check("3-article")

    related = page.locator("section.related h3 a")
    assert 1 <= await related.count() <= 5
    first_related = await related.first.inner_text()
    await related.first.click()
    await page.wait_for_load_state()
    assert await page.locator("h1").inner_text() == first_related
    await visit.check("4-related-article")

    await page.goto(server.base + TRAM)
    await (
        page.get_by_role("navigation", name="Change Edition")
        .get_by_role("link", name="Français")
        .click()
    )
    await page.wait_for_url("**/fr/business/**")
    assert await page.locator("html").get_attribute("lang") == "fr"
    assert "tram" in (await page.locator("h1").inner_text()).lower()
    await visit.check("5-french-edition")

    await page.goto(server.base + "/en/")
    await page.get_by_role("searchbox", name="Search").fill("harbour")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/en/search?q=harbour")
    assert await page.locator("ol.results li").count() >= 1
    assert await page.locator("ol.results mark").count() >= 1
    await visit.check("6-search")
    # As-you-type headlines (static/suggest.js): typed words, the last one begun.
    await page.locator("#q").fill("night fer")
    await page.wait_for_function(
        "document.querySelectorAll('#search-suggestions option').length > 0"
    )
    offered = await page.locator("#search-suggestions option").first.get_attribute("value")
    assert offered and offered.startswith("Night ferry")

    assert visit.errors == []


async def test_the_article_reads_on_a_phone(server: Server, browser: Browser) -> None:
    visit = Visit(await browser.new_page(viewport={"width": 375, "height": 740}))
    page = visit.page
    await page.goto(server.base + "/en/world/")
    await page.get_by_role("link", name=WIRE_TITLE).click()
    await page.wait_for_url("**/2022/01/27/**")
    # Nothing wider than the screen: no sideways scrolling to read a line.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    await visit.check("7-article-phone")
    assert visit.errors == []


# How many columns the front page's section blocks (and a list page's teasers) take.
COLUMNS = {390: (1, 1), 768: (2, 2), 1280: (4, 3), 1920: (4, 3)}


@pytest.mark.parametrize("width", sorted(COLUMNS))
async def test_the_front_page_and_a_section_page_use_the_screens_width(
    server: Server, browser: Browser, width: int
) -> None:
    """From a phone to a wide screen: no scrolling sideways, no empty picture frame, every
    picture sized before it loads, the lead first; the lead beside the top stories and the
    sections in columns as the screen widens (docs: issue of the front page's layout)."""
    visit = Visit(await browser.new_page(viewport={"width": width, "height": 900}))
    page = visit.page
    blocks, listed = COLUMNS[width]
    for path, name in (("/en/", "front"), ("/en/world/", "section")):
        await page.goto(server.base + path)
        await page.wait_for_load_state("networkidle")
        assert await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), (path, width)
        # a teaser keeps a picture's place only when it shows one
        assert await page.evaluate(
            """[...document.querySelectorAll('.teaser')].every(t =>
                t.classList.contains('with-picture') === !!t.querySelector('img'))"""
        )
        assert await page.evaluate(
            """[...document.querySelectorAll('.teaser:not(.with-picture)')].every(t =>
                getComputedStyle(t).display !== 'grid')"""
        )
        assert await page.evaluate(  # nothing moves as pictures load (CLS 0)
            """[...document.querySelectorAll('main img')].every(i =>
                i.getAttribute('width') && i.getAttribute('height'))"""
        )
        if name == "front":
            lead = page.locator("article.lead img")
            assert await lead.evaluate("img => img.complete && img.naturalWidth") > 0
            shown = await lead.evaluate("img => img.currentSrc")
            assert "f=webp" in shown and "&w=" in shown  # a rendition, never the original
            assert int(shown.rsplit("&w=", 1)[1].split("&")[0]) <= 2 * width
            first = await page.evaluate(
                "document.querySelector('main article, main li').classList.contains('lead')"
            )
            assert first  # the lead comes first in reading (and tab) order
            beside = await page.evaluate(
                """document.querySelector('.top').getBoundingClientRect().left >
                   document.querySelector('.lead').getBoundingClientRect().right - 1"""
            )
            assert beside == (width >= 1024)
            columns = await page.evaluate(
                """new Set([...document.querySelectorAll('.section-block')].map(b =>
                    Math.round(b.getBoundingClientRect().left))).size"""
            )
            assert columns == min(blocks, 5), (width, columns)
            assert await page.locator("section.section-block h2").count() == 5
        else:
            columns = await page.evaluate(
                """new Set([...document.querySelectorAll('.teasers > .teaser')].map(t =>
                    Math.round(t.getBoundingClientRect().left))).size"""
            )
            assert columns == listed, (width, columns)
        await visit.check(f"8-{name}-{width}")
    assert visit.errors == []


async def test_an_editor_logs_in_and_the_desk_follows_a_broken_file(
    server: Server, browser: Browser
) -> None:
    made = syndication("editors", "add", "greta", cwd=server.workdir, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert f"{server.base}/desk/" in made.stdout  # the port the server took
    # a browser elsewhere in the world: the desk's times stay in the desk's zone
    visit = Visit(
        await browser.new_page(
            viewport={"width": 1280, "height": 900}, timezone_id="America/Los_Angeles"
        )
    )
    page = visit.page
    await page.goto(server.base + "/desk/")
    await page.wait_for_url("**/desk/login")
    await visit.check("9-desk-login")
    await page.get_by_label("Name").fill("greta")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/desk/")
    assert await page.locator("h1").inner_text() == "Editors' desk"
    broken = server.workdir / "content" / "world" / "desk-broken.md"
    broken.write_text("---\ntitle: Half a story\npublished: 2026-13-45\n---\n\nBody.\n")
    await page.get_by_text("world/desk-broken.md:3").wait_for(timeout=3000)  # no reload
    updated = await page.locator("#desk-live").inner_text()
    zone = await page.locator("#desk-live").get_attribute("data-timezone")
    assert zone and updated.startswith("Updated ")
    shown = datetime.strptime(updated.removeprefix("Updated ").rstrip("."), "%H:%M:%S")
    there = datetime.now(ZoneInfo(zone))
    # the desk's zone, not the browser's (8 or 9 hours apart): a minute's leeway for the tick
    gap = abs((there.hour * 60 + there.minute) - (shown.hour * 60 + shown.minute)) % (24 * 60)
    assert min(gap, 24 * 60 - gap) <= 1, (updated, there)
    await visit.check("10-desk")
    broken.unlink()
    await page.get_by_text("world/desk-broken.md:3").wait_for(state="detached", timeout=3000)
    assert visit.errors == []
