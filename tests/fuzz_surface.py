"""A generated test of the whole public surface: every route of the app with generated path
parts, query strings, headers and bodies; no answer may be a 5xx.

`make test` runs a short profile (tests/test_public_surface.py); `make fuzz` a long one:

    python -m tests.fuzz_surface --requests 20000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.web.app import create_app
from tests.conftest import sample_settings, set_clock
from tests.fuzz_ingest import fuzz_run

NASTY = [
    "", "0", "00", "0001", "9999", "²", "٢٠٢٤", "-1", "1e9", "9" * 4000, "%00", "%C2%B2",
    "..", "%2e%2e", "a%00.png", "%FF", "%", "x" * 3000, "null", "true", "[]", "{}", "%0A",
    "2026-13-45", "0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "s", "sz",
    "s" + "f" * 20, "en", "world", "topic", "feed.atom", "archive", "%20", "+", "\u202e",
]  # fmt: skip
SEGMENTS = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30).map(
        lambda t: quote(t, safe="")
    ),
)
TEMPLATES = [
    "/", "/{e}/", "/{e}/{s}/", "/{e}/{x}/{x}/{x}/{x}/{x}", "/{e}/search", "/{e}/{x}/",
    "/{e}/{x}/{x}/", "/{e}/{x}/{x}/{x}/", "/{e}/topic/{x}/", "/{e}/author/{x}/",
    "/{e}/feed.{f}", "/{e}/{s}/feed.{f}", "/{e}/topic/{x}/feed.{f}", "/{e}/author/{x}/feed.{f}",
    "/{e}/archive/{x}.atom", "/{e}/{s}/archive/{x}.atom", "/{e}/topic/{x}/archive/{x}.atom",
    "/robots.txt", "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/{x}.xml", "/media/{x}",
    "/media/{x}/{x}", "/static/{x}", "/static/{st}", "/healthz", "/readyz", "/metrics", "/{x}",
    "/api/v1/changes", "/api/v1/items", "/api/v1/items/{x}", "/api/v1/feeds/{e}/{s}.{f}",
    "/api/v1/openapi.json",
    # without or with one slash too many, which redirects.py answers
    "/{e}", "/{e}/{s}", "/{e}/topic/{x}", "/{e}/{x}/{x}", "/{e}/{x}/{x}/{x}/{x}/{x}/", "/search",
    "/{x}/{x}", "/{e}/{s}/feed.{f}/",
]  # fmt: skip
FORM_FIELDS = ["hub.mode", "hub.topic", "hub.callback", "hub.secret", "hub.lease_seconds"]
QUERY_NAMES = [
    "page",
    "limit",
    "wait",
    "cursor",
    "since",
    "until",
    "q",
    "section",
    "topic",
    "v",
    "x",
]
HEADERS = st.dictionaries(
    st.sampled_from(
        ["If-None-Match", "If-Modified-Since", "Accept-Encoding", "Range", "Authorization"]
    ),
    st.one_of(
        st.sampled_from(["*", '"x"', "gzip;q=0", "bytes=5-1", "Bearer", "Basic %%%", "Bearer x"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    ),
    max_size=3,
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    template = draw(st.sampled_from(TEMPLATES + ["POST /websub"] * 4))
    if template == "POST /websub":
        body = draw(
            st.one_of(
                st.lists(
                    st.tuples(
                        st.sampled_from(FORM_FIELDS),
                        SEGMENTS,
                    ),
                    max_size=6,
                ).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv).encode()),
                st.binary(max_size=300),
                st.just(b'--x\r\nContent-Disposition: form-data; name="hub.mode"\r\n\r\nsub'),
            )
        )
        kind = draw(
            st.sampled_from(
                ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "multipart/form-data", "text/plain"]
            )
        )  # fmt: skip
        return "POST", "/websub", {"Content-Type": kind}, body
    path = template
    for name, options in (
        ("{e}", st.one_of(st.sampled_from(["en", "fr"]), SEGMENTS)),
        ("{s}", st.one_of(st.sampled_from(["world", "culture"]), SEGMENTS)),
        ("{f}", st.one_of(st.sampled_from(["atom", "rss", "json"]), SEGMENTS)),
        # the files that ship, so `v`, ETags, ranges and encodings meet a real one
        ("{st}", st.sampled_from(["site.css", "suggest.js", "desk.js", "logo.png"])),
    ):
        while name in path:
            path = path.replace(name, draw(options), 1)
    while "{x}" in path:
        path = path.replace("{x}", draw(SEGMENTS), 1)
    query = draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES), SEGMENTS), max_size=4))
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query)
    return draw(st.sampled_from(["GET", "GET", "HEAD"])), path, draw(HEADERS), None


def _on_this_site(location: str) -> bool:
    """A redirect to a path of this site: never `//host` or `/\\host`, which browsers
    follow to another site (an open redirect)."""
    return location.startswith("/") and location[1:2] not in ("/", "\\")


def run(count: int, seed: int | None = None) -> tuple[int, list[str]]:
    """(requests made, answers of 500 or more and redirects off the site)."""
    return asyncio.run(_run(count, seed))


async def _run(count: int, seed: int | None) -> tuple[int, list[str]]:
    folder = tempfile.TemporaryDirectory()
    site = sample_settings(Path(folder.name))
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(site, set_clock())))
    await client.start_server()
    conn = open_writer(site.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Fuzzer", ["world", "culture"])[1]
    conn.close()
    made: list[tuple[str, str, dict[str, str], bytes | None]] = []

    @fuzz_run(count, seed)
    @given(requests(), st.booleans())
    def collect(request: tuple[str, str, dict[str, str], bytes | None], keyed: bool) -> None:
        method, path, headers, body = request
        if keyed and path.startswith("/api/") and "Authorization" not in headers:
            headers = {**headers, "Authorization": f"Bearer {key}"}
        made.append((method, path, headers, body))

    collect()
    failures: list[str] = []
    try:
        base = str(client.make_url("/")).rstrip("/")
        for method, path, headers, body in made:
            # Sent as written: no client-side normalising of "..", "//" or escapes.
            raw = quote(path, safe="".join(chr(c) for c in range(33, 127)))
            url = URL(base + (raw if raw.startswith("/") else "/" + raw), encoded=True)
            try:
                response = await client.session.request(
                    method, url, headers=headers, data=body, allow_redirects=False
                )
                await response.read()
                status = response.status
                location = response.headers.get("Location", "")
                if status in (301, 302, 303, 307, 308) and not _on_this_site(location):
                    failures.append(f"{status} to {location!r}: {method} {path[:200]}")
            except aiohttp.ClientResponseError as refused:  # aiohttp's own 4xx, then closed
                status = refused.status
            if status >= 500:
                failures.append(f"{status} {method} {path[:200]}")
    finally:
        await client.close()
        folder.cleanup()
    return len(made), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    started = time.monotonic()
    made, failures = run(args.requests)
    print(f"{made} generated requests in {time.monotonic() - started:.0f} s: {len(failures)} 5xx")
    for failure in failures[:20]:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
