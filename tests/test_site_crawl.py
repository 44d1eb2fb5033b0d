"""The whole sample site through independent checkers (tests/site_crawl.py): the W3C Feed
Validator's code on every feed and OPML file, the Nu checker on every page, the sitemaps.org
schema on every sitemap, JSON Feed's rules, every link, and on every answer CORS, validators
that revalidate and one canonical address. Then each checker is shown a broken document, to
prove a clean result is a checker that looked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.site_crawl import (
    URLSET_XSD,
    Fetched,
    Revalidation,
    check_canonical,
    check_feeds,
    check_http,
    check_json_feeds,
    check_pages,
    check_site,
    check_sitemaps,
)

# the sample site's size, give or take what editors add: the crawl reached all of it
LEAST = {"feeds": 250, "pages": 100, "sitemaps": 15, "json feeds": 60, "links": 450}


@pytest.mark.tools("java", str(URLSET_XSD))
async def test_every_checker_finds_nothing_anywhere_on_the_sample_site(tmp_path: Path) -> None:
    tallies = await check_site(tmp_path)
    for kind, least in LEAST.items():
        assert tallies[kind].documents >= least, (kind, tallies[kind].documents)
    for kind, tally in tallies.items():
        assert tally.errors == [] and tally.warnings == [], (
            kind,
            tally.errors[:5] + tally.warnings[:5],
        )


def _doc(url: str, body: bytes, content_type: str, **headers: str) -> Fetched:
    return Fetched(url, 200, content_type, body, "(test)", headers)


@pytest.mark.tools("java", str(URLSET_XSD))
def test_each_checker_finds_what_is_broken() -> None:
    rss = b'<rss version="2.0"><channel><title>T</title><link>/x</link></channel></rss>'
    assert check_feeds([_doc("http://news.test/f.rss", rss, "application/rss+xml")]).errors
    page = b"<!DOCTYPE html><title>x</title><p><li>stray</p>"
    assert check_pages([_doc("http://news.test/p", page, "text/html")]).errors
    urlset = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.test/a'
        b"</loc><lastmod>yesterday</lastmod></url></urlset>"
    )
    assert check_sitemaps(
        [_doc("http://news.test/sitemaps/x.xml", urlset, "application/xml")]
    ).errors
    news = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news='
        b'"http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://news.test/a</loc>'
        b"<news:news><news:title>No publication</news:title></news:news></url></urlset>"
    )
    assert check_sitemaps(
        [_doc("http://news.test/sitemaps/news.xml", news, "application/xml")]
    ).errors
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [],
            "_x": {"rights": ""}}  # fmt: skip
    json_doc = _doc("http://news.test/f.json", json.dumps(feed).encode(), "application/feed+json")
    found = " ".join(check_json_feeds([json_doc]).errors)
    assert "no icon" in found and "no about" in found and "empty string" in found
    bare = _doc("http://news.test/f.atom", b"x", "application/atom+xml", etag='"a"')
    bare.revalidated = [Revalidation("other encoding, gzip's ETag", 304, {"etag": '"b"'}, '"a"')]
    bare.headers["content-encoding"] = "gzip"
    found = " ".join(check_http([bare]).errors)
    assert "Access-Control-Allow-Origin" in found and "another ETag" in found
    assert "304, where" in found and "no ETag or no Last-Modified" in found
    twins = [
        _doc(f"http://news.test/{p}", b"<!DOCTYPE html><title>x</title>", "text/html")
        for p in ("", "en/")
    ]
    found = " ".join(check_canonical(twins).errors)
    assert "0 rel=canonical" in found and "the same page" in found
