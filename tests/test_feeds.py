"""Every feed of the sample site, read by feedparser as a real client, and the HTTP around it."""

from __future__ import annotations

import gzip
import html
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.character_references import has_reference
from syndication.clock import SetClock
from syndication.config import Settings, load_settings
from syndication.ingest.parse import parse_article
from syndication.publish.feed_extensions import RSS_TITLE_BRACKETS
from syndication.publish.links import canonical_url
from syndication.publish.xml_feeds import atom_bytes, rss_bytes
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import REPO, PNG_1x1, article_text, examples, set_clock
from tests.feed_validation import atom_messages, rss_messages
from tests.fuzz_ingest import archived_now, feed_document, fuzz_settings
from tests.waiting import until_async

Client = TestClient[Any, Any]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://news.test"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def client(
    site: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(site, clock))


def all_feed_paths(site: Settings) -> list[str]:
    db = sqlite3.connect(site.db_path)
    scopes = [f"/{e.code}" for e in site.editions]
    scopes += [f"/{e.code}/{s.slug}" for e in site.editions for s in site.sections]
    for table, kind in (("article_topics", "topic"), ("article_authors", "author")):
        rows = db.execute(
            f"SELECT DISTINCT a.edition, t.slug FROM {table} t JOIN articles a "
            "ON a.num = t.article_num WHERE a.state = 'live'"
        )
        scopes += [f"/{edition}/{kind}/{slug}" for edition, slug in rows]
    db.close()
    return [f"{scope}/feed.{fmt}" for scope in scopes for fmt in ("atom", "rss", "json")]


def check_json_feed(feed: dict[str, Any], url: str) -> None:
    """JSON Feed 1.1's required members, and ours."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == url and feed["home_page_url"].startswith(BASE)
    assert isinstance(feed["items"], list)
    for item in feed["items"]:
        assert item["id"].startswith("tag:") and item["url"].startswith(BASE)
        assert item["content_html"] and item["title"]
        assert item["date_published"].endswith("Z") and item["date_modified"].endswith("Z")
        assert item["authors"][0]["name"]
        assert all(
            key
            in {
                "version",
                "title",
                "home_page_url",
                "feed_url",
                "description",
                "language",
                "icon",
                "favicon",
                "author",
                "authors",
                "hubs",
                "items",
            }
            for key in feed
        )
        # readers show these beside the feed's name
        assert feed["icon"].startswith(BASE) and feed["favicon"].startswith(BASE)
        # our extension says where it is described, and never carries an empty value
        extra = item.get("_newsroom", {})
        assert not extra or extra["about"].endswith("/feeds/#json-feed-extension")
        assert all(value for value in extra.values())


async def test_every_feed_parses_cleanly_with_every_field(site: Settings, client: Client) -> None:
    paths = all_feed_paths(site)
    assert len(paths) > 100
    live = (
        sqlite3.connect(site.db_path)
        .execute("SELECT count(*) FROM articles WHERE state = 'live'")
        .fetchone()[0]
    )
    seen_ids: set[str] = set()
    for path in paths:
        response = await client.get(path)
        assert response.status == 200, path
        body = await response.read()
        if path.endswith(".json"):  # feedparser 6.0 reads no JSON Feed; checked just below
            check_json_feed(json.loads(body), BASE + path)
            continue
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.feed.title and parsed.feed.link
        for entry in parsed.entries:
            assert entry.id.startswith("tag:harbourledger.example,2026:article:"), path
            assert entry.title and entry.link.startswith(BASE + "/")
            assert entry.published_parsed
            if path.endswith(".atom"):
                assert "updated" in entry and entry.updated_parsed
            assert entry.get("author"), (path, entry.id)
            assert entry.content[0]["value"].startswith("<"), path
            seen_ids.add(entry.id)
    assert len(seen_ids) == live  # every live article is in some feed, under one id


async def test_entry_details_of_the_wire_story(client: Client) -> None:
    for fmt in ("atom", "rss"):
        body = await (await client.get(f"/en/world/feed.{fmt}")).read()
        entry = next(e for e in feedparser.parse(body).entries if "fishing" in e.title)
        assert entry.rights == "© 2022 Continental Press Agency"
        assert {t.term for t in entry.tags} >= {"fishing-rights", "diplomacy"} or {
            t.term for t in entry.tags
        } >= {"Fishing rights", "Diplomacy"}
        enclosure = entry.enclosures[0]
        assert enclosure.href.startswith(f"{BASE}/media/images/trawlers-at-dawn.png?v=")
        assert enclosure.type == "image/png"
        size = (REPO / "content/images/trawlers-at-dawn.png").stat().st_size
        assert int(enclosure.length) == size
        assert entry.media_content[0]["url"] == enclosure.href
        assert entry.media_credit[0]["content"] == "CPA"
        assert entry.media_copyright.startswith("© 2022")
        assert entry.summary.startswith("'The next step")
        assert entry.source["title"] == "Continental Press Agency"
        assert entry.source.get("href", entry.source.get("link", "")).startswith("https://wire.")
        # feedparser does not surface media:description inside media:content; lxml does.
        caption = etree.fromstring(body).xpath(
            "//media:content/media:description/text()",
            namespaces={"media": "http://search.yahoo.com/mrss/"},
        )
        assert any("Trawlers wait at the quay" in c for c in caption)


async def test_every_feed_meets_the_w3c_feed_validator_rules(
    site: Settings, client: Client
) -> None:
    paths = [p for p in all_feed_paths(site) if not p.endswith(".json")]
    archives = 0
    while paths:
        path = paths.pop()
        response = await client.get(path)
        assert response.status == 200, path
        body = await response.read()
        messages = rss_messages if path.endswith(".rss") else atom_messages
        found = messages(body, BASE + path)
        assert found == [], path
        if path in ("/en/feed.atom", "/fr/feed.atom") or "/archive/" in path:
            # and every monthly archive document behind the editions' feeds (RFC 5005)
            older = etree.fromstring(body).find(f"{ATOM}link[@rel='prev-archive']")
            if older is not None:
                paths.append(older.get("href").removeprefix(BASE))
                archives += 1
    assert archives > 2


@pytest.mark.parametrize("line", ["A&0", "R&D 2026", "Q&amp;A", "&#169; Ledger", "AT&T"])
async def test_a_rights_line_that_reads_as_a_reference_is_text_in_every_feed(
    site: Settings, client: Client, line: str
) -> None:
    """The validator takes `&` and a word character in a text construct for a reference
    (`A&0` in a rights line was found by the fuzzer): Atom says it is escaped HTML."""
    (site.content_dir / "world" / "amp.md").write_text(
        f"---\ntitle: Ampersands\npublished: 2026-11-26T09:00:00Z\nrights: '{line}'\n"
        "---\nA rights line is text.\n"
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/amp.md"})
    rss = await (await client.get("/en/world/feed.rss")).read()
    atom = await (await client.get("/en/world/feed.atom")).read()
    assert rss_messages(rss) == [] and atom_messages(atom) == []
    assert html.unescape(feedparser.parse(atom).entries[0].rights) == line  # HTML, or text


async def test_a_headline_with_angle_brackets_is_text_in_every_feed(
    site: Settings, client: Client
) -> None:
    """RSS readers disagree on whether <title> is HTML, and the validator warns on a title that
    looks like markup: Atom says it is escaped HTML, RSS writes angle quotation marks."""
    (site.content_dir / "world" / "tags.md").write_text(
        "---\ntitle: Why <b> tags & <i>italics</i> matter\npublished: 2026-11-26T09:00:00Z\n"
        "---\nAngle brackets in a headline are text.\n"
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/tags.md"})
    rss = await (await client.get("/en/world/feed.rss")).read()
    atom = await (await client.get("/en/world/feed.atom")).read()
    assert rss_messages(rss) == [] and atom_messages(atom) == []
    rss_titles = [e.title for e in feedparser.parse(rss).entries]
    assert "Why \u2039b\u203a tags & \u2039i\u203aitalics\u2039/i\u203a matter" in rss_titles
    title = etree.fromstring(atom).find(f"{ATOM}entry/{ATOM}title")
    assert title.get("type") == "html"
    assert title.text == "Why &lt;b&gt; tags &amp; &lt;i&gt;italics&lt;/i&gt; matter"
    # Text that reads as an entity is text too: "AT&amp;T" as typed, not AT&T.
    typed = "AT&amp;T buys R&D arm &#169; 2026"
    (site.content_dir / "world" / "tags.md").write_text(
        f'---\ntitle: "{typed}"\npublished: 2026-11-26T09:00:00Z\n---\nAs typed.\n'
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/tags.md"})
    rss = await (await client.get("/en/world/feed.rss")).read()
    atom = await (await client.get("/en/world/feed.atom")).read()
    assert rss_messages(rss) == [] and atom_messages(atom) == []
    # Read as text or as HTML, the titles show what the editor typed (RSS's with an
    # invisible word joiner after each ampersand that would start an entity).
    entries = feedparser.parse(rss).entries + feedparser.parse(atom).entries
    read = [e for e in entries if "buys" in e.title]
    assert len(read) == 2
    for entry in read:
        shown = entry.title_detail.type == "text/html" and html.unescape(entry.title)
        assert (shown or entry.title).replace("\u2060", "") == typed, entry.title_detail
    assert rss.count("\u2060".encode()) == 2  # "&amp;" and "&#169;", not "R&D"
    title = etree.fromstring(atom).find(f"{ATOM}entry/{ATOM}title")
    assert title.get("type") == "html" and title.text == html.escape(typed, quote=False)


HEADLINE_PARTS = st.sampled_from(
    ["AT&amp;T", "&#169;", "&#x26;", "&nbsp;", "&;", "R&D", "&", ";", "#", "<b>", "</i>", ">",
     "a<b", "x>y", "&lt;b&gt;", "&amp;amp;", "Harbour", "É", "2027", "\u2039",
     "&amp", "&#169", "x&nbsp", "&Dagger2", "&ampersand"]
)  # fmt: skip


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(HEADLINE_PARTS, min_size=1, max_size=6).map(" ".join))
def test_any_headline_is_text_that_reads_back_as_typed_in_every_feed(typed: str) -> None:
    """Generated headlines made of what readers may take for markup (entities, tags, lone
    ampersands): neither feed draws the validator's "title contains HTML", and a reader
    shows what was typed whether it takes the title for text or HTML (RSS writes angle
    brackets as angle quotation marks, and a word joiner after an ampersand)."""
    with tempfile.TemporaryDirectory() as root:
        site = fuzz_settings(Path(root))
        text = article_text(title=json.dumps(typed, ensure_ascii=False), slug="story")
        article = parse_article(text.encode(), "world/story.md", site.content_dir, site).article
        doc = feed_document(archived_now(article), site)
        atom, rss = atom_bytes(doc, site), rss_bytes(doc, site)
    for message in atom_messages(atom) + rss_messages(rss):
        assert "HTML in" not in message or " title:" not in message, message
    markup = "<" in typed or has_reference(typed)
    shown_as = {"atom": typed, "rss": typed.translate(RSS_TITLE_BRACKETS) if markup else typed}
    for name, body in (("atom", atom), ("rss", rss)):
        (entry,) = feedparser.parse(body).entries
        shown = entry.title
        if entry.title_detail.type == "text/html":
            shown = html.unescape(shown)
        assert shown.replace("\u2060", "") == shown_as[name], (name, entry.title_detail)


async def test_a_months_archive_stays_when_its_last_story_is_withdrawn(
    site: Settings, client: Client
) -> None:
    """RFC 5005: archives are stable. Withdrawing the only story of a month leaves the month's
    archive answering, with the story as an RFC 6721 tombstone, not a 404."""
    story = site.content_dir / "world" / "lone.md"
    story.write_text(article_text(title="A lone story of May", published="2019-05-14T10:00:00Z"))
    await client.app[SERVICES].ingest.ingest_paths({"world/lone.md"})
    for path in ("/en/world/archive/2019-05.atom", "/en/archive/2019-05.atom"):
        assert "A lone story of May" in await (await client.get(path)).text()
    story.unlink()
    await client.app[SERVICES].ingest.ingest_paths({"world/lone.md"})
    for path in ("/en/world/archive/2019-05.atom", "/en/archive/2019-05.atom"):
        response = await client.get(path)
        assert response.status == 200, path
        body = await response.read()
        root = etree.fromstring(body)
        assert root.find(f"{ATOM}entry") is None
        assert len(root.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")) == 1
        assert atom_messages(body) == [], path
    assert (await client.get("/en/world/archive/2019-06.atom")).status == 404  # never published


async def test_a_story_edited_while_withdrawn_moves_its_tombstone_in_cached_feeds(
    site: Settings, client: Client
) -> None:
    """Moving a withdrawn story to another section changes where its tombstone points and
    which feeds carry it: every cached feed hears of it, as it would of a live story."""
    story = site.content_dir / "world" / "gone.md"
    text = article_text(title="Taken down and moved", published="2019-05-14T10:00:00Z")
    story.write_text(text)
    await client.app[SERVICES].ingest.ingest_paths({"world/gone.md"})
    story.write_text(text.replace("title:", "status: withdrawn\ntitle:"))
    await client.app[SERVICES].ingest.ingest_paths({"world/gone.md"})
    feeds = ("/en/feed.atom", "/en/world/archive/2019-05.atom", "/en/business/feed.atom")
    before = [await (await client.get(path)).text() for path in feeds]
    assert "/en/world/2019/05/14/taken-down-and-moved" in before[0]
    story.write_text(text.replace("title:", "status: withdrawn\nsection: business\ntitle:"))
    await client.app[SERVICES].ingest.ingest_paths({"world/gone.md"})
    after = [await (await client.get(path)).text() for path in feeds]
    client.app[SERVICES].cache.clear()
    assert after == [await (await client.get(path)).text() for path in feeds]
    assert "/en/business/2019/05/14/taken-down-and-moved" in after[0]


async def test_dates_say_when_a_story_changed_as_readers_see_it(
    site: Settings, clock: SetClock, client: Client
) -> None:
    """Sitemap lastmod is the story's modified time, not when the archive read it; an edit
    without `updated:` is a new version and moves Atom updated, JSON Feed date_modified,
    JSON-LD dateModified and lastmod alike."""
    story = site.content_dir / "world" / "dated.md"
    text = article_text(title="A story dated in March", published="2019-03-05T08:00:00Z")
    story.write_text(text)
    await client.app[SERVICES].ingest.ingest_paths({"world/dated.md"})

    async def dates() -> dict[str, str]:
        atom = etree.fromstring(await (await client.get("/en/world/archive/2019-03.atom")).read())
        entry = atom.find(f"{ATOM}entry")
        item = json.loads(await (await client.get("/en/world/feed.json")).read())["items"]
        page_path = entry.find(f"{ATOM}link[@rel='alternate']").get("href").removeprefix(BASE)
        html = await (await client.get(page_path)).text()
        sitemap = etree.fromstring(await (await client.get("/sitemaps/2019-03.xml")).read())
        return {
            "atom": entry.findtext(f"{ATOM}updated"),
            "json": next(i["date_modified"] for i in item if "in March" in i["title"]),
            "json-ld": json.loads(
                html.split('type="application/ld+json">')[1].split("</script>")[0]
            )["dateModified"],
            "lastmod": sitemap.findtext(f"{SITEMAP}url/{SITEMAP}lastmod"),
        }

    first = await dates()
    assert first["lastmod"] == "2019-03-05T08:00:00Z" and first["atom"].startswith("2019-03-05")
    assert first["json"] == "2019-03-05T08:00:00Z" and first["json-ld"].startswith("2019-03-05")
    story.write_text(text.replace("A story dated in March", "A story retitled in March"))
    await client.app[SERVICES].ingest.ingest_paths({"world/dated.md"})
    today = f"{clock.now():%Y-%m-%d}"
    assert all(value.startswith(today) for value in (await dates()).values()), await dates()


async def test_corrections_reach_feed_entries_and_partners(site: Settings, client: Client) -> None:
    """A correction is not only for the page's readers: every feed entry and the partner's
    ninjs item carry it, in both bodies."""
    said = "The harbour master's figure was forty."
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(await (await client.get(f"/en/world/feed.{fmt}")).read())
        entry = next(e for e in parsed.entries if "pilots strike" in e.title)
        assert "Corrections" in entry.content[0]["value"]
        assert said in entry.content[0]["value"], fmt  # feedparser reads &#39; back
    items = json.loads(await (await client.get("/en/world/feed.json")).read())["items"]
    item = next(i for i in items if "pilots strike" in i["title"])
    assert said.replace("'", "&#39;") in item["content_html"]
    conn = open_writer(site.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Corrections Desk", ["world"])[1]
    conn.close()
    found = await client.get("/api/v1/items?q=pilots", headers={"Authorization": f"Bearer {key}"})
    (ninjs,) = [i for i in (await found.json())["items"] if "strike" in i["headlines"][0]["value"]]
    html_body, text_body = ninjs["bodies"]
    assert said.replace("'", "&#39;") in html_body["value"] and said in text_body["value"]


async def test_a_replaced_picture_gets_a_new_address_and_length(
    site: Settings, client: Client
) -> None:
    """A picture's address carries the digest of its bytes, so `immutable` is true: a new
    picture under the same file name is a new address, and enclosures give its length."""
    (site.content_dir / "world" / "quay.png").write_bytes(PNG_1x1)
    story = site.content_dir / "world" / "quay.md"
    story.write_text(
        article_text(title="The quay at dawn", published="2026-11-26T06:00:00Z").replace(
            "---\n\n", "image:\n  src: quay.png\n  alt: The quay\n---\n\n", 1
        )
    )
    await client.app[SERVICES].ingest.ingest_paths({"world/quay.md"})

    async def enclosure() -> tuple[str, str]:
        atom = etree.fromstring(await (await client.get("/en/world/feed.atom")).read())
        entry = next(
            e
            for e in atom.findall(f"{ATOM}entry")
            if e.findtext(f"{ATOM}title") == "The quay at dawn"
        )
        link = entry.find(f"{ATOM}link[@rel='enclosure']")
        return link.get("href"), link.get("length")

    first_href, first_length = await enclosure()
    assert "/media/world/quay.png?v=" in first_href and first_length == str(len(PNG_1x1))
    lasting = await client.get(first_href.removeprefix(BASE))
    assert "immutable" in lasting.headers["Cache-Control"]
    by_name = await client.get("/media/world/quay.png")
    assert by_name.headers["Cache-Control"] == "public, max-age=3600"
    bigger = PNG_1x1 + b"\0" * 100  # trailing bytes after IEND: the same picture, other bytes
    (site.content_dir / "world" / "quay.png").write_bytes(bigger)
    await client.app[SERVICES].ingest.ingest_paths({"world/quay.png"})
    href, length = await enclosure()
    assert href != first_href and length == str(len(bigger))
    assert await (await client.get(href.removeprefix(BASE))).read() == bigger


def test_the_w3c_validator_catches_what_it_should() -> None:
    """The validator's own code, on documents broken in the ways it knows: it runs, and
    what it says is read (a clean result elsewhere is not a checker that said nothing)."""
    bad_rss = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:x="http://example.org/unknown">
<channel><title>T &amp;amp; more</title><link>/relative</link><description>D</description>
<item><title>A</title><link>http://news.test/a</link>
<description>&lt;p&gt;See &lt;a href="/other"&gt;this&lt;/a&gt;
&lt;script&gt;x()&lt;/script&gt;</description>
<guid>tag:news.test,2026:a</guid><pubDate>Sat, 20 Nov 2026 08:15:00 +0000</pubDate>
<author>a@news.test (A)</author><dc:creator>A</dc:creator><x:thing/>
<media:content url="http://news.test/i.png" medium="picture" fileSize="0">
<media:credit role="Photo">P</media:credit></media:content></item>
<item><title>B</title><guid isPermaLink="false">tag:news.test,2026:a</guid>
<pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate></item>
<language>en</language></channel></rss>"""
    found = " | ".join(rss_messages(bad_rss))
    for expected in (
        "UnknownNamespace",
        "ContainsHTML in channel title",
        "InvalidFullLink in channel link",
        "ContainsRelRef in item description",
        "SecurityRisk in item description",
        "InvalidPermalink",
        "IncorrectDOW",
        "ImplausibleDate",
        "DuplicateItemSemantics",
        "DuplicateValue in item guid",
        "InvalidMediaMedium",
        "InvalidPositiveInteger in item fileSize",
        "InvalidCreditRole",
        "MisplacedItem",
    ):
        assert expected in found, expected
    bad_atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:bad id</id><title>T</title>
<updated>2026-11-20 08:15</updated>
<link rel="alternate" type="text/html" href="http://news.test/"/>
<link rel="alternate" type="text/html" href="http://news.test/again"/>
<entry><id>tag:news.test,2026:a</id><title>A</title><updated>2026-11-20T08:15:00Z</updated>
<content type="html">&lt;p&gt;unclosed &lt;b&gt;bold</content></entry></feed>"""
    found = " | ".join(atom_messages(bad_atom))
    for expected in ("InvalidURN in feed id", "InvalidRFC3339Date in feed updated",
                     "DuplicateAtomLink", "MissingElement in entry author", "NotHtml"):  # fmt: skip
        assert expected in found, expected


async def test_json_feed_has_the_required_members(client: Client) -> None:
    response = await client.get("/en/feed.json")
    assert response.content_type == "application/feed+json"
    feed = json.loads(await response.read())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == f"{BASE}/en/feed.json"
    assert feed["items"]
    for item in feed["items"]:
        assert item["id"].startswith("tag:") and item["url"].startswith(BASE)
        assert item["content_html"] and item["date_published"].endswith("Z")
    world = json.loads(await (await client.get("/en/world/feed.json")).read())
    wire = next(i for i in world["items"] if "fishing" in i["title"])
    assert wire["_newsroom"]["rights"].startswith("©")
    assert wire["attachments"][0]["mime_type"] == "image/png"


async def test_json_feed_1_0_readers_see_an_author(client: Client) -> None:
    """JSON Feed 1.1 keeps 1.0's `author` for readers that know nothing else: the feed's and
    each item's first author, beside `authors`."""
    feed = json.loads(await (await client.get("/en/world/feed.json")).read())
    assert feed["author"] == feed["authors"][0]
    bylined = [item for item in feed["items"] if item.get("authors")]
    assert bylined and all(item["author"] == item["authors"][0] for item in bylined)


async def test_structural_rules_of_atom_and_rss(client: Client) -> None:
    for path in (
        "/en/feed.atom",
        "/en/world/feed.atom",
        "/fr/feed.atom",
        "/en/topic/climate/feed.atom",
    ):
        root = etree.fromstring(await (await client.get(path)).read())
        self_links = root.findall(f"{ATOM}link[@rel='self']")
        assert [link.get("href") for link in self_links] == [BASE + path]
        assert root.find(f"{ATOM}id").text.startswith("tag:")
        for entry in root.findall(f"{ATOM}entry"):
            alternates = entry.findall(f"{ATOM}link[@rel='alternate']")
            assert len(alternates) == 1 and alternates[0].get("type") == "text/html"
            assert len(entry.findall(f"{ATOM}link[@rel='enclosure']")) <= 1
            assert entry.find(f"{ATOM}author/{ATOM}name") is not None
            for tag in ("updated", "published"):
                assert entry.find(f"{ATOM}{tag}").text.endswith("+00:00")
        # feedgen prepends entries unless told to append: ours must be newest first.
        published = [e.findtext(f"{ATOM}published") for e in root.findall(f"{ATOM}entry")]
        assert published == sorted(published, reverse=True) and len(published) > 1
    rss = etree.fromstring(await (await client.get("/en/world/feed.rss")).read())
    channel = rss.find("channel")
    assert channel.findtext("link") == f"{BASE}/en/world/"  # the page, not a feed link
    assert [a.get("href") for a in channel.findall(f"{ATOM}link[@rel='self']")] == [
        f"{BASE}/en/world/feed.rss"
    ]
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")
        assert len(item.findall("enclosure")) <= 1
        assert item.findtext("pubDate").endswith("+0000")
        assert item.find("{http://purl.org/dc/elements/1.1/}creator") is not None


async def test_http_caching(client: Client) -> None:
    first = await client.get("/en/world/feed.atom", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in first.headers
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "max-age=" in first.headers["Cache-Control"]
    assert "stale-while-revalidate=" in first.headers["Cache-Control"]
    assert first.headers["Vary"] == "Accept-Encoding"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert f'<{BASE}/en/world/feed.atom>; rel="self"' in first.headers["Link"]
    plain = {"Accept-Encoding": "identity"}
    again = await client.get("/en/world/feed.atom", headers={"If-None-Match": etag, **plain})
    assert again.status == 304 and again.headers["ETag"] == etag and not await again.read()
    since = await client.get(
        "/en/world/feed.atom", headers={"If-Modified-Since": modified, **plain}
    )
    assert since.status == 304
    zipped = await client.get(
        "/en/world/feed.atom", headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
    assert gzip.decompress(await zipped.read()) == await first.read()
    head = await client.head("/en/world/feed.rss")
    assert head.status == 200 and head.headers["Content-Type"].startswith("application/rss+xml")


async def test_same_archive_state_same_bytes(client: Client) -> None:
    one = await (await client.get("/en/feed.rss")).read()
    client.app[SERVICES].cache.clear()  # force a rebuild from the archive
    two = await (await client.get("/en/feed.rss")).read()
    assert one == two


@pytest.mark.parametrize(
    "path",
    [
        "/en/sports/feed.atom",
        "/en/topic/no-such-topic/feed.rss",
        "/de/feed.json",
        "/en/author/nobody/feed.atom",
        "/en/world/feed.xml",
        "/en/archive/2024-13.atom",
        "/en/archive/1999-01.atom",
    ],
)
async def test_unknown_feeds_are_404(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404 and response.content_type == "text/html"
    assert "<h1>Page not found</h1>" in await response.text()


async def test_a_withdrawn_article_becomes_a_tombstone(site: Settings, client: Client) -> None:
    before = await client.get("/en/world/feed.atom")
    etag = before.headers["ETag"]
    target = site.content_dir / "world/2026-11-20-averne-council-approves-flood-barrier.md"
    target.unlink()
    await client.app[SERVICES].ingest.ingest_paths(
        {"world/2026-11-20-averne-council-approves-flood-barrier.md"}
    )
    after = await client.get("/en/world/feed.atom", headers={"If-None-Match": etag})
    assert after.status == 200
    root = etree.fromstring(await after.read())
    tombs = root.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert len(tombs) == 1 and tombs[0].get("ref").startswith("tag:") and tombs[0].get("when")
    assert all(
        "flood barrier" not in (e.findtext(f"{ATOM}title") or "")
        for e in root.findall(f"{ATOM}entry")
    )
    rss = await (await client.get("/en/world/feed.rss")).read()
    assert b"flood barrier after" not in rss


GOLDEN = REPO / "tests" / "fixtures" / "golden"


async def test_golden_files_for_one_section(
    tmp_path: Path, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    """Byte-for-byte output for fixed fixtures; UPDATE_GOLDEN=1 rewrites them after a review."""
    shutil.copytree(REPO / "tests" / "fixtures" / "feed-content", tmp_path / "content")
    settings = load_settings(REPO / "syndication.toml", environ={}).with_overrides(
        content_dir=tmp_path / "content", db_path=tmp_path / "a.db", base_url=BASE
    )
    client = await aiohttp_client(create_app(settings, set_clock()))
    for fmt in ("atom", "rss", "json"):
        body = await (await client.get(f"/en/world/feed.{fmt}")).read()
        golden = GOLDEN / f"world.{fmt}"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_bytes(body)
        assert body == golden.read_bytes(), f"world.{fmt} differs from its golden file"


async def test_walking_prev_archive_reaches_every_article_once(
    site: Settings, client: Client
) -> None:
    db = sqlite3.connect(site.db_path)
    live = "SELECT id FROM articles a WHERE state = 'live' AND edition = ?"
    member = "AND num IN (SELECT article_num FROM {} WHERE slug = ?)"
    scopes = {
        "/en": (live, ("en",)),
        "/en/world": (live + " AND section = ?", ("en", "world")),
        "/fr": (live, ("fr",)),
        "/en/topic/port-averne": (live + member.format("article_topics"), ("en", "port-averne")),
        "/en/author/ines-varga": (live + member.format("article_authors"), ("en", "ines-varga")),
    }
    for scope, (sql, params) in scopes.items():
        root = etree.fromstring(await (await client.get(f"{scope}/feed.atom")).read())
        url = root.find(f"{ATOM}link[@rel='prev-archive']").get("href")
        subscription = {e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")}
        archived: list[str] = []
        pages, newer = 0, None
        while url:
            response = await client.get(url.removeprefix(BASE))
            assert response.status == 200, url
            doc = etree.fromstring(await response.read())
            assert doc.find("{http://purl.org/syndication/history/1.0}archive") is not None
            current = doc.find(f"{ATOM}link[@rel='current']").get("href")
            assert current == f"{BASE}{scope}/feed.atom"
            following = doc.find(f"{ATOM}link[@rel='next-archive']")
            assert (following.get("href") if following is not None else None) == newer
            archived += [e.findtext(f"{ATOM}id") for e in doc.findall(f"{ATOM}entry")]
            prev = doc.find(f"{ATOM}link[@rel='prev-archive']")
            newer, url = url, prev.get("href") if prev is not None else ""
            pages += 1
        expected = {
            f"tag:harbourledger.example,2026:article:{i}" for (i,) in db.execute(sql, params)
        }
        assert len(archived) == len(set(archived)), "an article is in two archive documents"
        assert set(archived) == expected and subscription <= expected, scope
        assert pages > 1, scope


async def test_deleting_a_sample_article_shows_its_tombstone_within_a_second(
    site: Settings, client: Client
) -> None:
    """The watcher, the writer and the cache of a running app, in process: no socket needed."""
    feed = await (await client.get("/en/culture/feed.atom")).text()
    assert "deleted-entry" not in feed and "Maritime museum reopens" in feed
    (site.content_dir / "culture/2026-11-10-museum-reopens.md").unlink()

    async def tombstoned() -> str | None:
        feed = await (await client.get("/en/culture/feed.atom")).text()
        return feed if "at:deleted-entry" in feed else None

    feed = await until_async(tombstoned, 1.0, "the tombstone in the feed")
    assert "Maritime museum reopens" not in feed


async def test_pages_link_their_feeds_for_autodiscovery(client: Client) -> None:
    home = await (await client.get("/")).text()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert f'href="{BASE}/en/feed.rss"' in home and f'href="{BASE}/en/feed.json"' in home
    page = await (
        await client.get(
            "/en/world/2026/11/20/averne-council-approves-river-flood-barrier-after-decade-of-delays"
        )
    ).text()
    for path in (
        "/en/feed.atom",
        "/en/world/feed.atom",
        "/en/topic/climate/feed.atom",
        "/en/topic/flooding/feed.rss",
    ):
        assert f'href="{BASE}{path}"' in page, path
        assert (await client.get(path)).status == 200


URL_PARTS = st.sampled_from(
    ["a", "B", ".", "..", "%7e", "%2f", "%41", "x y", "", "~", "%3A", "%zz", "%", "#", "%4"]
)


@settings(max_examples=examples(300), deadline=None)
@given(
    scheme=st.sampled_from(["http", "HTTP", "https"]),
    host=st.sampled_from(
        ["x", "Wire.Example.ORG", "u@h.example", "[::1]", ":@h.example", "h.example.", "@h"]
    ),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(URL_PARTS, max_size=5).map("/".join),
    query=st.one_of(st.just(""), URL_PARTS.map(lambda q: "?" + q)),
)
def test_an_agency_address_as_an_atom_id_is_in_canonical_form(
    scheme: str, host: str, port: str, path: str, query: str
) -> None:
    """An agency's original_url becomes atom:source's id, which must be written in the one
    canonical form (the W3C validator's NonCanonicalURI): ours is the validator's own."""
    from feedvalidator.uri import canonicalForm  # tests/feed_validation put it on the path

    url = f"{scheme}://{host}{port}/{path}{query}".replace(" ", "%20")
    ours = canonical_url(url)
    assert canonicalForm(ours) == ours  # the validator finds it canonical
    if (theirs := canonicalForm(url)) is not None:  # and where it can say, it says the same
        assert ours == theirs
    assert canonical_url(ours) == ours
