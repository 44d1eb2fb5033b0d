"""Where a careful client or a newcomer found us less than exact, each as a test: sitemaps that
say when they changed, conditional requests per encoding, CORS, canonical addresses, Open
Graph's locale, bylines that are organisations, the fediverse, the Feeds page and OPML, and
feed readers' subscriber counts. (The whole-site sweep of each class is tests/site_crawl.py.)"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html

from syndication.archive.column_values import to_iso
from syndication.clock import SetClock
from syndication.config import ConfigError, Settings, load_settings
from syndication.web.app import create_app
from syndication.web.conditional import unchanged_for
from syndication.web.feed_audience import MAX_IDS, MAX_KEPT, FeedAudience
from syndication.web.response_cache import Rendered
from syndication.web.services import SERVICES
from tests.conftest import article_text, examples

Client = TestClient[Any, Any]
BASE = "http://news.test"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
async def client(
    site: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(site, clock))


async def _ingest(client: Client, *paths: str) -> None:
    await client.app[SERVICES].ingest.ingest_paths(set(paths))


async def _lastmods(client: Client) -> dict[str, str]:
    tree = etree.fromstring(await (await client.get("/sitemap.xml")).read())
    return {
        s.findtext(f"{SITEMAP}loc").rsplit("/", 1)[1]: s.findtext(f"{SITEMAP}lastmod")
        for s in tree.iter(f"{SITEMAP}sitemap")
    }


async def test_a_months_sitemap_says_when_a_story_of_it_last_changed(
    site: Settings, client: Client
) -> None:
    before = await _lastmods(client)
    # the strike story's correction, dated 2023-11-03 in the edition's zone
    assert before["2023-11.xml"] == "2023-11-02T23:00:00Z"
    story = site.content_dir / "world" / "2023-11-02-harbour-pilots-strike.md"
    story.write_text(story.read_text().replace("---\n", "---\nupdated: 2024-05-06T07:08:00Z\n", 1))
    await _ingest(client, "world/2023-11-02-harbour-pilots-strike.md")
    after = await _lastmods(client)
    # an edit is a new version: the story changed when it went out (model.modified_at)
    assert after["2023-11.xml"] == "2026-11-27T12:00:00Z"
    month = etree.fromstring(await (await client.get("/sitemaps/2023-11.xml")).read())
    assert "2026-11-27T12:00:00Z" in [e.text for e in month.iter(f"{SITEMAP}lastmod")]
    assert {k: v for k, v in after.items() if k != "2023-11.xml"} == {
        k: v for k, v in before.items() if k != "2023-11.xml"
    }


TAGS = ('"abc"', '"abc-gzip"', 'W/"abc"', 'W/"abc-gzip"', '"other"', '"abc-br"')


@settings(max_examples=examples(200), deadline=None)
@given(
    held=st.one_of(st.just(["*"]), st.lists(st.sampled_from(TAGS), min_size=1, max_size=3)),
    gzipped=st.booleans(),
)
def test_a_tag_matches_only_the_variant_the_request_gets(held: list[str], gzipped: bool) -> None:
    """RFC 9110 13.1.2 with RFC 9111 4.3.4: a 304 carries the ETag of the variant the request
    would get, so it may say "unchanged" only when the client holds that variant."""
    page = Rendered.of(b"x", "text/html", "public", (), 1, frozenset())
    page.etag = '"abc"'
    ours = page.gzip_etag if gzipped else page.etag
    listed = {t.removeprefix("W/") for t in held}
    assert unchanged_for(", ".join(held), None, page, gzipped) == (ours in listed or "*" in listed)


async def test_a_304_carries_the_etag_of_the_copy_the_client_holds(client: Client) -> None:
    for path in ("/en/world/feed.atom", "/sitemaps/2023-11.xml", "/en/", "/robots.txt"):
        tags = {}
        for name, encoding in (("gzip", GZIP), ("identity", IDENTITY)):
            tags[name] = (await client.get(path, headers=encoding)).headers["ETag"]
        assert tags["gzip"] != tags["identity"], path
        for (held, tag), (asked, encoding) in itertools.product(
            tags.items(), (("gzip", GZIP), ("identity", IDENTITY))
        ):
            again = await client.get(path, headers={**encoding, "If-None-Match": tag})
            assert again.status == (304 if held == asked else 200), (path, held, asked)
            assert again.headers["ETag"] == tags[asked], (path, held, asked)


async def test_the_news_sitemap_revalidates_and_moves_with_the_clock(
    site: Settings, clock: SetClock, client: Client
) -> None:
    clock.set(clock.now() - timedelta(days=1))  # the sample's newest story is then 36 h old
    first = await client.get("/sitemaps/news.xml", headers=GZIP)
    assert first.status == 200 and first.headers["Content-Encoding"] == "gzip"
    assert "xkey" in first.headers and first.headers["Vary"] == "Accept-Encoding"
    # the edge keeps it half the time until its oldest story leaves, at most (edge_lifetime)
    kept = re.search(r"max-age=(\d+)", first.headers["Surrogate-Control"])
    assert kept and 0 < int(kept[1]) <= 24 * 3600 and int(kept[1]) < site.edge_max_age
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        await client.get("/sitemaps/news.xml", headers={**GZIP, "If-None-Match": etag})
    ).status == 304
    since = await client.get("/sitemaps/news.xml", headers={**GZIP, "If-Modified-Since": modified})
    assert since.status == 304
    clock.advance(timedelta(hours=24))  # its stories leave the 48 hours: none is left
    assert (await client.get("/sitemaps/news.xml")).status == 404


SHARED = (
    "/", "/en/world/feed.atom", "/en/feed.json", "/sitemap.xml", "/en/feeds.opml",
    "/api/v1/items", "/api/v1/changes", "/en/no-such-page", "/media/images/seagrass.png",
)  # fmt: skip


async def test_browser_code_may_read_public_answers_and_call_the_api_without_cookies(
    client: Client,
) -> None:
    for path in SHARED:
        pre = await client.options(
            path,
            headers={
                "Origin": "https://reader.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "if-none-match",
            },
        )
        assert pre.status == 204, path
        assert pre.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in pre.headers["Access-Control-Allow-Methods"]
        allowed = pre.headers["Access-Control-Allow-Headers"]
        assert "If-None-Match" in allowed
        assert ("Authorization" in allowed) == path.startswith("/api/")
        assert "Access-Control-Allow-Credentials" not in pre.headers
        answer = await client.get(path, headers={"Origin": "https://reader.example"})
        assert answer.headers["Access-Control-Allow-Origin"] == "*", path
        exposed = answer.headers["Access-Control-Expose-Headers"]
        assert "ETag" in exposed and "Link" in exposed, path
        assert "Access-Control-Allow-Credentials" not in answer.headers
    refused = await client.get("/api/v1/items")  # no key: the 401 is readable too
    assert refused.status == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"
    for private in ("/desk/", "/desk/login", "/metrics", "/websub"):
        answer = await client.get(private, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in answer.headers, private
        pre = await client.options(private, headers={"Access-Control-Request-Method": "POST"})
        assert pre.status != 204 and "Access-Control-Allow-Origin" not in pre.headers


def _canonical(text: str) -> list[str]:
    return [str(x) for x in html.fromstring(text).xpath("//link[@rel='canonical']/@href")]


async def test_listing_pages_name_their_canonical_address(client: Client) -> None:
    assert _canonical(await (await client.get("/")).text()) == [f"{BASE}/en/"]
    assert _canonical(await (await client.get("/en/")).text()) == [f"{BASE}/en/"]
    assert _canonical(await (await client.get("/fr/")).text()) == [f"{BASE}/fr/"]
    for path in ("/en/world/", "/en/topic/weather/", "/en/2026/", "/en/2026/11/", "/en/feeds/"):
        assert _canonical(await (await client.get(path)).text()) == [BASE + path], path
    second = await client.get("/en/2026/?page=2")
    assert second.status in (200, 404)
    world2 = await client.get("/en/world/?page=2")
    if world2.status == 200:
        assert _canonical(await world2.text()) == [f"{BASE}/en/world/?page=2"]


def _meta(text: str, name: str) -> list[str]:
    tree = html.fromstring(text)
    return [str(x) for x in tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")]


def _ld(text: str) -> dict[str, Any]:
    (found,) = html.fromstring(text).xpath("//script[@type='application/ld+json']/text()")
    return dict(json.loads(found))


WIRE = "/en/world/2022/01/27/coastal-states-deliver-written-reply-in-fishing-rights-dispute"
FRENCH = "/fr/business/2026/10/28/la-ligne-de-tram-est-approuvee-premiers-trams-attendus-en-2029"


async def test_open_graph_locales_and_organisations_as_schema_org_wants_them(
    client: Client,
) -> None:
    wire = await (await client.get(WIRE)).text()
    assert _meta(wire, "og:locale") == ["en_GB"]
    assert [a["@type"] for a in _ld(wire)["author"]] == ["Organization"]  # the agency's staff
    french = await (await client.get(FRENCH)).text()
    assert _meta(french, "og:locale") == ["fr_FR"]
    assert {a["@type"] for a in _ld(french)["author"]} == {"Person"}


def test_an_editions_locale_is_checked_and_has_a_usual_default(tmp_path: Path) -> None:
    from syndication.model import Edition
    from syndication.publish.structured import og_locale

    assert og_locale(Edition("de", "Deutsch", "de", "UTC")) == "de_DE"
    assert og_locale(Edition("pt", "Português", "pt-BR", "UTC")) == "pt_BR"
    toml = tmp_path / "s.toml"
    toml.write_text('[editions.en]\nlanguage = "en"\nlocale = "english"\n')
    with pytest.raises(ConfigError, match="locale 'english'"):
        load_settings(toml, environ={})


async def test_an_authors_fediverse_account_is_on_their_articles(client: Client) -> None:
    page = await client.get("/en/author/greta-fischer/")
    story = html.fromstring(await page.text()).xpath("//main//h2/a/@href")[0]
    assert _meta(await (await client.get(story)).text(), "fediverse:creator") == [
        "@greta@social.example"
    ]
    assert _meta(await (await client.get(WIRE)).text(), "fediverse:creator") == []


@pytest.mark.parametrize(
    "account", ["greta@social.example", "@greta", "@a b@x.example", "@g@localhost", 7]
)
def test_a_fediverse_account_that_is_not_one_is_refused(tmp_path: Path, account: object) -> None:
    toml = tmp_path / "s.toml"
    value = f'"{account}"' if isinstance(account, str) else str(account)
    toml.write_text(f'[authors."Greta Fischer"]\nfediverse = {value}\n')
    with pytest.raises(ConfigError, match="Greta Fischer"):
        load_settings(toml, environ={})


async def test_the_feeds_page_and_opml_list_every_feed_of_the_edition(
    site: Settings, client: Client
) -> None:
    opml = etree.fromstring(await (await client.get("/en/feeds.opml")).read())
    feeds = [o for o in opml.iter("outline") if o.get("xmlUrl")]
    urls = {o.get("xmlUrl") for o in feeds}
    assert f"{BASE}/en/feed.atom" in urls
    for section in site.sections:
        assert f"{BASE}/en/{section.slug}/feed.atom" in urls
    listed = {u.removeprefix(BASE).rsplit("/", 1)[0] for u in urls}
    page = await (await client.get("/en/feeds/")).text()
    links = set(html.fromstring(page).xpath("//main//a/@href"))
    for scope in listed:  # every feed of the file is on the page, in each format
        for fmt in ("atom", "rss", "json"):
            assert f"{BASE}{scope}/feed.{fmt}" in links, scope
    assert any("/topic/" in u for u in listed) and any("/author/" in u for u in listed)
    for outline in feeds:  # each answers with its feed
        answer = await client.get(outline.get("xmlUrl").removeprefix(BASE))
        assert answer.status == 200 and answer.content_type == "application/atom+xml"
    home = await (await client.get("/en/")).text()
    assert "/en/feeds/" in html.fromstring(home).xpath("//footer//a/@href")
    french = await (await client.get("/fr/feeds/")).text()
    assert "Tous les flux" in french and (await client.get("/xx/feeds/")).status == 404


FEEDLY = (
    "Feedly/1.0 (+http://www.feedly.com/fetcher.html; {n} subscribers; like FeedFetcher-Google)"
)
INOREADER = "Mozilla/5.0 (compatible; Inoreader/1.0; https://www.inoreader.com; {n} subscribers)"


async def test_feed_readers_subscriber_counts_reach_the_metrics(client: Client) -> None:
    for agent in (FEEDLY.format(n=12), FEEDLY.format(n=16), INOREADER.format(n=3)):
        await client.get("/en/feed.atom", headers={"User-Agent": agent})
    await client.get(
        "/en/world/feed.rss",
        headers={
            "User-Agent": "NewsBlur Feed Fetcher - 5 subscribers - http://www.newsblur.com/site/42/x"
        },
    )
    await client.get("/en/feed.atom", headers={"User-Agent": "MyBot/1.0; 999999 subscribers"})
    await client.get("/en/", headers={"User-Agent": FEEDLY.format(n=77)})  # a page: no feed
    text = await (await client.get("/metrics")).text()
    found = dict(re.findall(r"(syndication_feed_subscribers\{[^}]*\}) (\S+)", text))
    assert found == {
        'syndication_feed_subscribers{feed="/en/feed.atom",service="Feedly"}': "16.0",
        'syndication_feed_subscribers{feed="/en/feed.atom",service="Inoreader"}': "3.0",
        'syndication_feed_subscribers{feed="/en/world/feed.rss",service="NewsBlur"}': "5.0",
    }


@settings(max_examples=examples(100), deadline=None)
@given(
    agents=st.lists(st.text(max_size=300), max_size=20),
    feeds=st.integers(1, 3 * MAX_KEPT),
    ids=st.integers(0, 200),
)
def test_no_user_agent_grows_the_audience_or_its_figures_past_their_bounds(
    agents: list[str], feeds: int, ids: int
) -> None:
    """Any agents, a flood of feeds and of made-up ids: the table stays within MAX_KEPT,
    a feed and service add up at most MAX_IDS figures, and a real figure heard after the
    flood is there."""
    audience = FeedAudience()
    for agent in agents:
        audience.heard("/en/feed.atom", agent)
        audience.heard("/en/feed.atom", agent.encode("utf-8", "replace"))
    for n in range(ids):
        audience.heard("/en/feed.atom", f"Feedly/1.0 (999999999 subscribers; feed-id={n})")
    for n in range(0, feeds, max(1, feeds // 300)):
        audience.heard(f"/en/topic/t{n}/feed.atom", f"Feedbin feed-id:{n} - 2 subscribers")
    audience.heard("/en/world/feed.rss", FEEDLY.format(n=42))
    assert len(audience.latest) <= MAX_KEPT
    totals = audience.totals()
    assert all(0 <= n <= MAX_IDS * 999_999_999 for n in totals.values())
    assert totals["/en/world/feed.rss", "Feedly"] == 42


async def test_an_empty_typed_api_parameter_is_refused_as_the_document_says(
    client: Client, site: Settings
) -> None:
    from syndication.archive.partners import PartnerStore
    from syndication.archive.schema import open_writer
    from tests.conftest import set_clock

    conn = open_writer(site.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Coast Weekly", ["world"])[1]
    conn.close()
    auth = {"Authorization": f"Bearer {key}"}
    for path in ("/api/v1/changes?cursor=", "/api/v1/changes?limit=", "/api/v1/changes?wait=",
                 "/api/v1/items?until=", "/api/v1/items?since=", "/api/v1/items?page=",
                 "/api/v1/items?limit="):  # fmt: skip
        answer = await client.get(path, headers=auth)
        assert answer.status == 400, path
        body = await answer.json()
        assert "empty" in body["error"] and body["ok"] is False
    assert (await client.get("/api/v1/items?section=&topic=&q=", headers=auth)).status == 200


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "//evil.example/x.png", "logo.png", '/x" onload="y', ""]
)
@pytest.mark.parametrize("name", ["logo", "share_image", "icon", "favicon"])
def test_a_picture_setting_is_a_path_of_the_site_or_a_web_address(
    tmp_path: Path, name: str, value: str
) -> None:
    """These go into every page's <link> and <meta> and every feed: nothing but an address."""
    toml = tmp_path / "s.toml"
    toml.write_text(f"[site]\n{name} = {json.dumps(value)}\n")
    with pytest.raises(ConfigError, match=name):
        load_settings(toml, environ={})
    toml.write_text(f'[site]\n{name} = "https://cdn.example/{name}.png"\n')
    assert getattr(load_settings(toml, environ={}), name) == f"https://cdn.example/{name}.png"


def test_a_shipped_picture_that_is_not_there_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('[site]\nicon = "/static/nope.png"\n')
    with pytest.raises(ConfigError, match="not a file the site ships"):
        load_settings(toml, environ={})


def test_check_names_settings_that_match_no_story_or_file(site: Settings) -> None:
    from dataclasses import replace

    from syndication.ingest.check import check_paths
    from syndication.model import Contributor

    typo = replace(
        site,
        authors=(Contributor("Greta Fisher", "@greta@social.example"),),
        favicon="/media/images/nope.png",
    )
    report = check_paths(typo, [typo.content_dir])
    assert report.settings_warnings == [
        '[authors."Greta Fisher"] names no author of any story (did you mean "Greta Fischer"?)',
        "favicon: /media/images/nope.png is not a file in content/",
    ]
    assert check_paths(site, [site.content_dir]).settings_warnings == []
    # a few files checked cannot tell whether a byline is missing: nothing said
    one = site.content_dir / "world" / "2023-11-02-harbour-pilots-strike.md"
    assert check_paths(typo, [one]).settings_warnings == []


async def test_a_feed_that_does_not_exist_counts_no_subscribers(client: Client) -> None:
    agent = {"User-Agent": FEEDLY.format(n=999)}
    for path in ("/en/no-such-section/feed.atom", "/xx/feed.rss", "/en/2026/feed.json"):
        assert (await client.get(path, headers=agent)).status == 404
    text = await (await client.get("/metrics")).text()
    assert "syndication_feed_subscribers{" not in text


async def test_a_months_sitemap_changes_when_a_story_leaves_it(
    site: Settings, clock: SetClock, client: Client
) -> None:
    """Moved to another month, back to draft or withdrawn, a story leaves its month's
    sitemap: the index says the month changed then, and never goes back in time."""
    for day in (11, 12, 13):
        (site.content_dir / "world" / f"may-{day}.md").write_text(
            article_text(title=f"May story {day}", published=f"2021-05-{day}T09:00:00Z")
        )
    await _ingest(client, *(f"world/may-{day}.md" for day in (11, 12, 13)))
    assert (await _lastmods(client))["2021-05.xml"] == "2021-05-13T09:00:00Z"
    leaving = [
        ("may-13.md", "published: 2021-05-13", "published: 2021-06-13"),  # moved
        ("may-12.md", "---\n", "---\nstatus: draft\n"),  # unpublished
    ]
    for name, old, new in leaving:
        clock.advance(timedelta(hours=1))
        story = site.content_dir / "world" / name
        story.write_text(story.read_text().replace(old, new, 1))
        await _ingest(client, f"world/{name}")
        assert (await _lastmods(client))["2021-05.xml"] == to_iso(clock.now()), name
    clock.advance(timedelta(hours=1))
    (site.content_dir / "world" / "may-11.md").write_text(
        article_text(title="May story 11", published="2021-05-11T09:00:00Z", status="withdrawn")
    )
    await _ingest(client, "world/may-11.md")
    assert "2021-05.xml" not in await _lastmods(client)  # none left: no sitemap for it


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("icon", 'https://x.example/i"><script>alert(1)</script>'),
        ("favicon", "https://x.example/a b"),
        ("logo", "https://x.example/l\x01"),
        ("base_url", "https://news.example/<b>"),
        ("share_image", "/"),
        ("icon", "/icon.png"),  # nothing serves it
    ],
)
def test_an_address_setting_must_be_written_as_one(
    tmp_path: Path, setting: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=setting):
        load_settings(tmp_path / "none.toml", environ={f"SYNDICATION_{setting.upper()}": value})


@pytest.mark.parametrize("name", ["</title><script>x</script>", "A <b>bold</b> name"])
def test_a_name_with_angle_brackets_is_refused_with_its_line(site: Settings, name: str) -> None:
    from syndication.errors import ContentError
    from syndication.ingest.parse import parse_article

    text = article_text(authors=json.dumps([name]))
    with pytest.raises(ContentError, match="< or >") as refused:
        parse_article(text.encode(), "world/x.md", site.content_dir, site)
    assert refused.value.line == 4


def test_a_site_or_section_name_with_angle_brackets_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('[sections.world]\nnames = { en = "<i>World</i>" }\n')
    with pytest.raises(ConfigError, match=r"sections\.world"):
        load_settings(toml, environ={})


@pytest.mark.parametrize("accept", ["gzip;Q=0", "gzip;level=1;q=0", "gzip;q=", "gzip;q=1.5"])
async def test_a_refused_or_unreadable_gzip_weight_gets_identity(
    client: Client, accept: str
) -> None:
    answer = await client.get("/en/feed.atom", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in answer.headers and not answer.headers["ETag"].endswith(
        '-gzip"'
    )


async def test_if_none_match_on_two_lines_is_one_list(client: Client) -> None:
    etag = (await client.get("/en/feed.atom", headers=IDENTITY)).headers["ETag"]
    from multidict import CIMultiDict

    headers = CIMultiDict([("Accept-Encoding", "identity"), ("If-None-Match", '"zzz"'),
                           ("If-None-Match", etag)])  # fmt: skip
    assert (await client.get("/en/feed.atom", headers=headers)).status == 304


async def test_a_typed_api_parameter_given_twice_is_refused(client: Client, site: Settings) -> None:
    from syndication.archive.partners import PartnerStore
    from syndication.archive.schema import open_writer
    from tests.conftest import set_clock

    conn = open_writer(site.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Coast Weekly", ["world"])[1]
    conn.close()
    auth = {"Authorization": f"Bearer {key}"}
    for query in (
        "limit=5&limit=",
        "limit=&limit=5",
        "cursor=s0&cursor=s1",
        "until=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z",
    ):
        path = "/api/v1/changes?" if "cursor" in query or "limit" in query else "/api/v1/items?"
        answer = await client.get(path + query, headers=auth)
        assert answer.status == 400 and "times" in (await answer.json())["error"], query
    everything = await (await client.get("/api/v1/items", headers=auth)).json()
    spaces = await (await client.get("/api/v1/items?q=%20%20", headers=auth)).json()
    assert spaces["items"] == everything["items"]  # spaces alone ask for nothing


CODINGS = st.sampled_from(["gzip", "GZIP", "x-gzip", "*", "br", "identity", "deflate", ""])
WEIGHTS = st.one_of(
    st.none(), st.sampled_from(["0", "0.0", "0.001", "1", "1.000", "", "1.5", "1e-9", "abc"])
)


@settings(max_examples=examples(300), deadline=None)
@given(
    parts=st.lists(st.tuples(CODINGS, WEIGHTS, st.booleans()), max_size=5),
    junk=st.text(max_size=30),
)
def test_any_accept_encoding_gets_gzip_only_where_it_asks_for_it(
    parts: list[tuple[str, str | None, bool]], junk: str
) -> None:
    """RFC 9110 12.5.3, read independently: gzip (or x-gzip) named with a weight above 0
    wins, else `*` so; a weight that is not one refuses; and no header raises."""
    from syndication.web.conditional import gzip_ok

    header = ", ".join(
        coding + (f";{'Q' if upper else 'q'}={w}" if w is not None else "")
        for coding, w, upper in parts
    )
    weights: dict[str, float] = {}
    for coding, w, _ in parts:
        valid = w is None or w in ("0", "0.0", "0.001", "1", "1.000")
        weights.setdefault(coding.lower(), (float(w) if w is not None else 1.0) if valid else 0.0)
    named = next((c for c in ("gzip", "x-gzip", "*") if c in weights), None)
    assert gzip_ok(header) == (named is not None and weights[named] > 0), header
    assert gzip_ok(junk) in (True, False)
