"""`syndication import feed URL` against a local server: WordPress-style paged RSS, Atom with
RFC 5005 archives and a paged JSON Feed, pictures from the feed's host only; then served."""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.cli import main
from syndication.config import load_settings
from syndication.importing import fetch
from syndication.web.app import create_app
from tests.conftest import examples, set_clock
from tests.live import REPO

Client = TestClient[Any, Any]
Servers = Callable[..., Awaitable[TestServer]]
OTHER = web.AppKey("other", str)  # the base URL of another host, whose pictures are not named


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 250), (20, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _rss_item(base: str, other: str, n: int) -> str:
    return f"""<item><title>Paged story {n}</title>
<link>{base}/2019/05/{n:02d}/paged-story-{n}/</link><guid isPermaLink="false">rss-{n}</guid>
<pubDate>Fri, {n:02d} May 2019 10:00:00 +0000</pubDate><dc:creator>Greta Fischer</dc:creator>
<category>Sport</category><category>Harbour</category>
<description>Short {n}.</description>
<content:encoded><![CDATA[<p>The whole of story {n}.</p><script>x()</script>
<p><img src="/pictures/{100 + n}.jpg" alt="In the text {n}"></p>
<p><img src="{other}/pictures/{200 + n}.jpg" alt="On another host {n}"></p>]]></content:encoded>
<enclosure url="{base if n % 2 else other}/pictures/{n}.jpg" length="1" type="image/jpeg"/>
</item>"""


def _site(seen: list[str]) -> web.Application:
    """The old site: feeds and pictures, and a log of every path asked for."""
    app = web.Application()

    async def rss(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        page = int(request.query.get("paged", "1"))
        if page > 3:
            raise web.HTTPNotFound()
        base, other = str(request.url.origin()), request.app[OTHER]
        items = "".join(_rss_item(base, other, 4 * (page - 1) + i) for i in range(1, 5))
        body = (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Old</title><generator>https://wordpress.org/?v=6.4</generator>'
            f"<link>{base}</link><description>d</description>{items}</channel></rss>"
        )
        return web.Response(text=body, content_type="application/rss+xml")

    async def rss_ignoring_pages(request: web.Request) -> web.Response:
        return await rss(request.clone(rel_url=request.rel_url.with_query({})))  # logs it

    async def atom(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        name = request.match_info["name"]
        chain = {"current": "2019-02", "2019-02": "2019-01", "2019-01": None}
        if name not in chain:
            raise web.HTTPNotFound()
        older = chain[name]
        prev = f'<link rel="prev-archive" href="/atom/{older}"/>' if older else ""
        entries = "".join(
            f"<entry><id>tag:old,2019:{name}-{i}</id><title>Archived {name} {i}</title>"
            f'<link href="/stories/{name}-{i}"/><updated>2019-0{1 + i}-0{1 + i}T08:00:00Z</updated>'
            f"<author><name>Olga</name></author><summary>Only a summary of {name} {i}.</summary>"
            "</entry>"
            for i in range(3)
        )
        entries += (  # the same entry again, and one with no date
            "<entry><id>tag:old,2019:current-0</id><title>Again</title>"
            "<updated>2019-01-01T00:00:00Z</updated><summary>x</summary></entry>"
            if name == "2019-01"
            else ""
        ) + (f"<entry><id>undated-{name}</id><title>No date</title><summary>x</summary></entry>")
        body = (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Old</title>'
            f"<id>tag:old,2019:feed</id><updated>2019-03-01T00:00:00Z</updated>{prev}{entries}</feed>"
        )
        return web.Response(text=body, content_type="application/atom+xml")

    async def json_feed(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        page = int(request.match_info["page"])
        items = [
            {
                "id": f"json-{page}-{i}",
                "url": f"/json-stories/{page}-{i}",
                "title": f"JSON story {page}-{i}",
                "content_html": f"<p>JSON body {page} {i}.</p>",
                "date_published": f"2019-06-0{page}T0{i}:00:00+02:00",
                "authors": [{"name": "Ana"}],
                "tags": ["Arts"],
            }
            for i in range(3)
        ]
        document = {"version": "https://jsonfeed.org/version/1.1", "title": "Old", "items": items}
        if page == 1:
            document["next_url"] = "/json/2"
        return web.json_response(document, content_type="application/feed+json")

    async def picture(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        return web.Response(body=_jpeg(), content_type="image/jpeg")

    async def bomb(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        body = (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<rss><channel><title>&b;</title></channel></rss>"
        )
        return web.Response(text=body, content_type="application/rss+xml")

    app.router.add_get("/wp/feed/", rss)
    app.router.add_get("/atom/{name}", atom)
    app.router.add_get("/json/{page:\\d}", json_feed)
    app.router.add_get("/pictures/{n}.jpg", picture)
    app.router.add_get("/bomb.xml", bomb)
    app.router.add_get("/ignores-paging/feed", rss_ignoring_pages)
    return app


@pytest.fixture
async def old_site(aiohttp_server: Servers) -> tuple[str, list[str], list[str]]:
    """The old site's base URL, what it was asked for, and what another host was asked for."""
    seen: list[str] = []
    elsewhere: list[str] = []
    other_app = _site(elsewhere)
    other_app[OTHER] = ""
    other = await aiohttp_server(other_app)
    app = _site(seen)
    app[OTHER] = str(other.make_url("")).rstrip("/")
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/"), seen, elsewhere


async def _import(root: Path, url: str, *extra: str) -> tuple[int, str]:
    said = io.StringIO()

    def run() -> int:
        import contextlib

        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            return main(
                ["import", "feed", url, "--content", str(root / "content"),
                 "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml"), *extra]
            )  # fmt: skip

    code = await asyncio.to_thread(run)
    return code, said.getvalue()


async def test_feeds_are_followed_back_imported_and_served(
    old_site: tuple[str, list[str], list[str]],
    tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    base, seen, elsewhere = old_site
    (tmp_path / "content").mkdir()
    code, said = await _import(tmp_path, base + "/wp/feed/")
    assert code == 0 and said.startswith("12 imported, 0 updated, 0 unchanged, 0 skipped"), said
    assert [p for p in seen if p.startswith("/wp/")] == [
        "/wp/feed/", "/wp/feed/?paged=2", "/wp/feed/?paged=3", "/wp/feed/?paged=4"
    ]  # fmt: skip
    assert elsewhere == []  # pictures on a host not named are not asked for
    assert "a host not named" in said
    code, said = await _import(tmp_path, base + "/atom/current")
    assert code == 0 and said.startswith("12 imported, 0 updated, 0 unchanged, 1 skipped"), said
    # entries with no date take their feed's, and one headline a day each has its own address
    assert said.count("it has no date: its feed's is used") == 3 and "duplicate id" in said
    code, said = await _import(tmp_path, base + "/json/1")
    assert code == 0 and said.startswith("6 imported, 0 updated, 0 unchanged, 0 skipped"), said
    code, said = await _import(tmp_path, base + "/ignores-paging/feed")
    assert code == 0 and said.startswith("0 imported, 0 updated, 4 unchanged"), said
    # ?paged=2 brought the same entries again: the beginning is reached, nothing more asked
    assert [p for p in seen if p.startswith("/ignores-paging/")] == ["/ignores-paging/feed"] * 2
    code, said = await _import(tmp_path, base + "/wp/feed/")  # again: nothing new
    assert code == 0 and said.startswith("0 imported, 0 updated, 12 unchanged"), said

    files = list((tmp_path / "content" / "imported").rglob("*.md"))
    assert len(files) == 30
    text = "\n".join(f.read_text() for f in files)
    assert "<script" not in text and "Read the whole story" in text
    settings = load_settings(REPO / "syndication.toml", {}).with_overrides(
        content_dir=tmp_path / "content", db_path=tmp_path / "a.db"
    )
    client = await aiohttp_client(create_app(settings, set_clock()))
    moved = await client.get("/2019/05/03/paged-story-3/", allow_redirects=False)
    assert moved.status == 301
    page = await client.get(moved.headers["Location"])
    body = await page.text()
    assert page.status == 200 and "<h1>Paged story 3</h1>" in body and "/media/imported/" in body
    # The picture in its text came from the feed's host, and is served from here; the one on
    # another host was never asked for, and stays where it is.
    assert re.search(
        r'<img width="400" height="250" src="/media/imported/[^"]+/103-[0-9a-f]{16}\.jpg\?v=', body
    )
    assert "/pictures/103.jpg" in seen and elsewhere == []
    assert re.search(r'src="http://127\.0\.0\.1:\d+/pictures/203\.jpg"', body)


async def test_a_feed_declaring_entities_is_refused_and_nothing_written(
    old_site: tuple[str, list[str], list[str]], tmp_path: Path
) -> None:
    base, _, _ = old_site
    (tmp_path / "content").mkdir()
    for url in (base + "/bomb.xml", base + "/nothing-here", "ftp://x/feed"):
        code, said = await _import(tmp_path, url)
        assert code == 2 and "error:" in said, said
    assert list((tmp_path / "content").rglob("*")) == []


@settings(max_examples=examples(150), deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
            lambda inner: st.one_of(
                st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=30,
        ).map(
            lambda v: json.dumps(
                {"items": [v, {"id": v, "title": v, "date_published": v}], "next_url": v}
            ).encode()
        ),
        st.sampled_from(
            [
                b"<rss><channel><item><title>x</title></item></channel></rss>",
                b'<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>',
                b"[" * 5000 + b"]" * 5000,
                b'{"items": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            ]
        ),
    ),
    kind=st.sampled_from(["application/rss+xml", "application/feed+json", "text/html", ""]),
)
def test_any_answer_is_read_as_entries_or_refused(body: bytes, kind: str) -> None:
    """Whatever bytes a feed host answers: entries (each with text fields) and the address of
    the document before, or Refused saying why; never another exception."""
    from syndication.importing.feed_import import _read, as_utf8
    from syndication.importing.fetch import Refused

    try:
        page = _read(as_utf8(body, "iso-8859-1"), kind, "http://old.example/feed")
    except Refused:
        return
    entries, older = page.entries, page.older
    assert older is None or older.startswith("http")
    for entry in entries:
        assert isinstance(entry.id, str) and isinstance(entry.title, str)


async def test_an_endless_feed_stops_at_its_cap_and_a_drip_at_its_deadline(
    aiohttp_server: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed whose ?paged= never ends is followed to `import_max_pages` and no further,
    or for `import_max_seconds` when it is slow, with what came before imported and exit
    1; a server dripping its answer a byte at a
    time is given up when the whole request's time is out, not at each byte's."""
    asked: list[str] = []
    app = web.Application()

    slow: list[float] = []

    async def endless(request: web.Request) -> web.Response:
        asked.append(request.path_qs)
        if slow:
            await asyncio.sleep(slow[0])  # pacing: a slow server
        page = int(request.query.get("paged", "1"))
        base = str(request.url.origin())
        items = "".join(_rss_item(base, "", 3 * (page - 1) + i + 1) for i in range(3))
        return web.Response(
            text='<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/'
            '1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<channel><title>Endless</title><generator>https://wordpress.org/?v=6.4</generator>"
            f"<link>{base}</link><description>d</description>{items}</channel></rss>",
            content_type="application/rss+xml",
        )

    async def drip(request: web.Request) -> web.StreamResponse:
        reply = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await reply.prepare(request)
        for _ in range(16):  # 1.6 s in all, past the 1 s allowed
            await reply.write(b" ")
            await asyncio.sleep(0.1)  # pacing: the drip itself
        return reply

    app.router.add_get("/feed/", endless)
    app.router.add_get("/drip/", drip)
    server = await aiohttp_server(app)
    base = str(server.make_url("")).rstrip("/")
    monkeypatch.setenv("SYNDICATION_IMPORT_MAX_PAGES", "5")
    code, said = await _import(tmp_path, base + "/feed/")
    assert code == 1 and "stopped: the feed goes back over 5 documents" in said, said
    assert len(asked) == 5
    assert len(list((tmp_path / "content").rglob("*.md"))) == 15
    slow.append(0.3)  # each document now takes 0.3 s, and the import has 1 s in all
    monkeypatch.setenv("SYNDICATION_IMPORT_MAX_PAGES", "10000")
    monkeypatch.setenv("SYNDICATION_IMPORT_MAX_SECONDS", "1")
    started = time.monotonic()
    code, said = await _import(tmp_path, base + "/feed/")
    assert code == 1 and "stopped: the import took over 1 s" in said, said
    assert time.monotonic() - started < 3 and 3 <= len(asked) - 5 <= 5
    monkeypatch.delenv("SYNDICATION_IMPORT_MAX_SECONDS")
    monkeypatch.setattr(fetch, "REQUEST_SECONDS", 1.0)
    started = time.monotonic()
    code, said = await _import(tmp_path, base + "/drip/")
    assert code == 2 and "took over 1 s" in said, said
    assert time.monotonic() - started < 1.5  # the drip would have taken 1.6 s


async def test_a_feeds_copy_is_not_ours_unless_a_source_of_ours_is_named(
    aiohttp_server: Servers, tmp_path: Path
) -> None:
    """Rights fail closed: without `--source` naming one of ours, imported stories never go
    to partners; the feed's copyright becomes each story's rights line."""

    async def guardian(request: web.Request) -> web.Response:
        base = str(request.url.origin())
        items = "".join(_rss_item(base, base, n) for n in (1, 2))
        return web.Response(
            text='<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/'
            '1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Another paper</title><copyright>© 2018 Another Paper Ltd</copyright>"
            f"<link>{base}</link><description>d</description>{items}</channel></rss>",
            content_type="application/rss+xml",
        )

    app = web.Application()
    app.router.add_get("/feed", guardian)
    url = str((await aiohttp_server(app)).make_url("/feed"))

    def stories() -> list[str]:
        return [f.read_text() for f in sorted((tmp_path / "content").rglob("*.md"))]

    code, said = await _import(tmp_path, url, "--allow-host", "none.invalid")
    assert code == 0 and "partners never get them" in said, said
    for text in stories():
        assert "\nsyndication: false\n" in text and "rights: © 2018 Another Paper Ltd" in text
    code, said = await _import(tmp_path, url, "--source", "harbour ledger staff")
    assert code == 0 and said.startswith("0 imported, 2 updated") and "partners never" not in said
    for text in stories():
        assert "syndication:" not in text and "source: Harbour Ledger Staff" in text
    code, said = await _import(tmp_path, url, "--source", "cpa")  # licensed in: not ours either
    for text in stories():
        assert "syndication: false" in text and "source: Continental Press Agency" in text
    code, said = await _import(tmp_path, url, "--source", "Continental Press")
    assert code == 2 and "did you mean 'Continental Press Agency'" in said, said


async def test_feeds_in_other_charsets_are_read_and_a_static_feed_is_asked_once(
    aiohttp_server: Servers, tmp_path: Path
) -> None:
    asked: list[str] = []

    def rss(title: str, declaration: str = "") -> str:
        return (
            f'{declaration}<rss version="2.0"><channel><title>Nyheter</title>'
            f"<link>http://x/</link><description>d</description><item><guid>{title}</guid>"
            f"<title>{title}</title><pubDate>Fri, 03 May 2019 10:00:00 +0000</pubDate>"
            f"<description>{title}: the whole text.</description></item></channel></rss>"
        )

    async def latin(request: web.Request) -> web.Response:
        asked.append(request.path_qs)  # charset said by HTTP only
        return web.Response(
            body=rss("Höglund in the café").encode("iso-8859-1"),
            headers={"Content-Type": "application/rss+xml; charset=ISO-8859-1"},
        )

    async def windows(request: web.Request) -> web.Response:
        asked.append(request.path_qs)  # declared in the XML, which its reader cannot read
        text = rss("“Quoted” – said", '<?xml version="1.0" encoding="windows-1252"?>')
        return web.Response(body=text.encode("windows-1252"), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/latin", latin)
    app.router.add_get("/windows", windows)
    base = str((await aiohttp_server(app)).make_url("")).rstrip("/")
    code, said = await _import(tmp_path, base + "/latin")
    assert code == 0 and said.startswith("1 imported"), said
    code, said = await _import(tmp_path, base + "/windows")
    assert code == 0 and said.startswith("1 imported"), said
    texts = "".join(f.read_text() for f in (tmp_path / "content").rglob("*.md"))
    assert "Höglund in the café" in texts and "“Quoted” – said" in texts
    assert asked == ["/latin", "/windows"]  # not WordPress: no ?paged=2 asked


async def test_media_rss_audio_origlink_summaries_and_pixels_of_a_real_feed(
    aiohttp_server: Servers, tmp_path: Path
) -> None:
    async def feed(request: web.Request) -> web.Response:
        base = str(request.url.origin())
        first = "<p>The quay reopened on Monday after repairs.</p>"
        item = (
            "<item><guid>ep-1</guid><title>The quay reopens</title>"
            "<link>https://feedproxy.example/~r/old/~3/x</link>"
            "<feedburner:origLink>https://news.example.org/2019/05/quay/</feedburner:origLink>"
            "<pubDate>Fri, 03 May 2019 10:00:00 +0000</pubDate>"
            "<description>The quay reopened on Monday after repairs.</description>"
            f"<content:encoded><![CDATA[{first}<p>Second paragraph."
            '<img src="https://feeds.feedburner.com/~r/old/~4/x" height="1" width="1"/></p>]]>'
            "</content:encoded>"
            f'<media:content url="{base}/pictures/quay.jpg" medium="image" type="image/jpeg"/>'
            '<enclosure url="https://cdn.example.net/episode-1.mp3" length="1" type="audio/mpeg"/>'
            '<enclosure url="https://cdn.example.net/clip.mp4" length="1" type="video/mp4"/>'
            '<enclosure url="https://cdn.example.net/report.pdf" length="1" '
            'type="application/pdf"/>'
            + "".join(f"<category>Tag {n}</category>" for n in range(30))
            + "</item>"
        )
        return web.Response(
            text='<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:media="http://search.yahoo.com/mrss/" '
            'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            f"<channel><title>Old</title><link>{base}</link><description>d</description>"
            f"{item}</channel></rss>",
            content_type="application/rss+xml",
        )

    async def picture(request: web.Request) -> web.Response:
        return web.Response(body=_jpeg(), content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/feed", feed)
    app.router.add_get("/pictures/quay.jpg", picture)
    url = str((await aiohttp_server(app)).make_url("/feed"))
    code, said = await _import(tmp_path, url)
    assert code == 0 and said.startswith("1 imported"), said
    assert "1 audio enclosure linked" in said and "1 tracking pixel taken away" in said
    (text,) = [f.read_text() for f in (tmp_path / "content").rglob("*.md")]
    assert "image:" in text and "/media/picture-" in text, said  # the Media RSS picture
    assert "[Audio: episode-1.mp3](https://cdn.example.net/episode-1.mp3)" in text
    assert "[Video: clip.mp4]" in text and "[Attachment: report.pdf]" in text
    assert "5 tags past the 25 kept were left out: Tag 25, Tag 26" in said
    assert "original_url: https://news.example.org/2019/05/quay/" in text
    assert "standfirst:" not in text  # the summary is the text's first paragraph: not twice
    assert "feedburner" not in text.split("---")[2]


async def test_a_feed_joins_the_edition_of_its_language_or_the_one_named(
    aiohttp_server: Servers, tmp_path: Path
) -> None:
    async def feed(request: web.Request) -> web.Response:
        language = request.query["lang"]
        return web.Response(
            text=f'<rss version="2.0"><channel><title>F</title><link>http://x/</link>'
            f"<description>d</description><language>{language}</language>"
            f"<item><guid>{language}-1</guid><title>Story in {language}</title>"
            "<pubDate>Fri, 03 May 2019 10:00:00 +0000</pubDate>"
            "<description>Text.</description></item></channel></rss>",
            content_type="application/rss+xml",
        )

    app = web.Application()
    app.router.add_get("/feed", feed)
    url = str((await aiohttp_server(app)).make_url("/feed"))

    def edition_of(language: str) -> str:
        (found,) = [
            f.read_text() for f in (tmp_path / "content").rglob("*.md") if language in f.read_text()
        ]
        return found.split("edition: ", 1)[1].split("\n", 1)[0]

    code, said = await _import(tmp_path, url + "?lang=fr-FR")
    assert code == 0 and edition_of("fr-FR") == "fr", said
    code, said = await _import(tmp_path, url + "?lang=de")
    assert code == 0 and edition_of("Story in de") == "en"
    assert "language is 'de', which no edition has" in said and "--edition" in said
    code, said = await _import(tmp_path, url + "?lang=pt", "--edition", "fr")
    assert code == 0 and edition_of("Story in pt") == "fr" and "no edition has" not in said
    code, said = await _import(tmp_path, url + "?lang=pt", "--edition", "xx")
    assert code == 2 and "'xx' is not an edition (en, fr)" in said, said


def test_a_feed_whose_charset_lies_is_read_as_it_is_written() -> None:
    """Declared Latin-1 but written in UTF-8: read as UTF-8. Declared UTF-8 with a few
    Windows-1252 bytes: those bytes read as Windows-1252, and the rest of the feed kept."""
    from syndication.importing.feed_import import _read, as_utf8

    def titles(body: bytes) -> list[str]:
        return [
            e.title for e in _read(as_utf8(body, ""), "application/rss+xml", "http://x/").entries
        ]

    def rss(*names: bytes, declared: bytes) -> bytes:
        items = b"".join(b"<item><guid>%d</guid><title>%s</title></item>" % (n, t)
                         for n, t in enumerate(names))  # fmt: skip
        return b'<?xml version="1.0" encoding="%s"?><rss version="2.0"><channel>' % declared + (
            b"<title>T</title>" + items + b"</channel></rss>"
        )

    lying_latin = rss("Café “q” €5".encode(), declared=b"ISO-8859-1")
    assert titles(lying_latin) == ["Café “q” €5"]
    mixed = rss(b"Caf\xe9", "ok ü".encode(), declared=b"UTF-8")
    assert titles(mixed) == ["Café", "ok ü"]
