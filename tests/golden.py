"""Every answer the sample site gives, kept as a record: a change meant to leave the outputs as
they were (a faster ingest, another way of storing the archive) is checked against it.

The sample content is ingested into a new archive and served; a crawl from the site's
entrances follows every link, picture, sitemap entry and redirect of the site, and walks the
partner API (its item pages, each item, the partner feeds). Each answer is kept as its status,
Content-Type, Location, length and SHA-256 of its body.

    python -m tests.golden            # compare with the record; print what differs
    python -m tests.golden --update   # after a change meant to alter outputs: write it again

tests/test_golden.py runs the comparison in `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.config import Settings
from syndication.web.app import create_app
from tests.conftest import REPO, SAMPLE_BASE, sample_settings
from tests.fuzz_chain import own_path

HOST = URL(SAMPLE_BASE).host
RECORD = REPO / "tests" / "fixtures" / "golden-sample-site.json"
MAX_URLS = 3000  # the sample site has under a thousand addresses; a loop would stop here
START = (
    "/", "/en/", "/fr/", "/robots.txt", "/sitemap.xml", "/en/search", "/en/search?q=ferry",
    "/en/search?q=strikes", "/fr/search?q=port", "/en/search?q=ferr*", "/en/search?q=ferrys",
    "/api/v1/openapi.json", "/api/v1/changes?limit=1000",
)  # fmt: skip
# Renditions are Pillow's work on the pictures, not the archive's; the pictures themselves and
# the pages naming them are kept. The rest are answers about the process, not the archive.
SKIPPED = ("/media/", "/metrics", "/healthz", "/readyz", "/websub", "/desk", "/preview/")
SEEN_IN = re.compile(r'(?:href|src)="([^"#]+)|<loc>([^<]+)</loc>|"(/api/v1/[^"{]+)"')
ITEM_ID = re.compile(r'"uri":"tag:[^"]*:article:([^"]+)"')
# The parts of an answer that are the run's, not the files': when the archive took a story in,
# and this year's page of the date archive, which every page's footer links to.
INGEST_TIMES = re.compile(rb'"(firstCreated|versionCreated)":"[^"]*"')
THIS_YEAR = re.compile(rb'href="/([a-z]{2})/' + str(datetime.now(UTC).year).encode() + rb'/"')
Client = TestClient[Any, Any]


async def crawl(site: Settings) -> dict[str, str]:
    """Every address reached, with what it answered."""
    client: Client = TestClient(TestServer(create_app(site)))
    await client.start_server()
    try:
        key = _partner_key(site)
        headers = {"Authorization": f"Bearer {key}"}
        seen: dict[str, str] = {}
        queue = [*START, *_partner_feeds(site)]
        while queue and len(seen) < MAX_URLS:
            path = queue.pop(0)
            if path in seen:
                continue
            api = path.startswith("/api/")
            async with client.get(
                path, allow_redirects=False, headers=headers if api else {}
            ) as response:
                body = _normalised(await response.read())
                location = response.headers.get("Location", "")
                seen[path] = (
                    f"{response.status} {response.headers.get('Content-Type', '')} "
                    f"{location} {len(body)} {hashlib.sha256(body).hexdigest()}"
                )
                if response.status < 400:
                    queue += [p for p in _links(body, location) if p not in seen]
        return dict(sorted(seen.items()))
    finally:
        await client.close()


def _normalised(body: bytes) -> bytes:
    body = INGEST_TIMES.sub(rb'"\1":"(ingest time)"', body)
    return THIS_YEAR.sub(rb'href="/\1/(this year)/"', body)


def _partner_key(site: Settings) -> str:
    conn = open_writer(site.db_path)
    try:
        return PartnerStore(conn).add("Golden Partner", [s.slug for s in site.sections])[1]
    finally:
        conn.close()


def _partner_feeds(site: Settings) -> list[str]:
    return [
        f"/api/v1/feeds/{edition.code}/{section.slug}.{kind}"
        for edition in site.editions
        for section in site.sections
        for kind in ("atom", "rss")
    ]


def _links(body: bytes, location: str) -> list[str]:
    text = body.decode("utf-8", "replace")
    found = [a or b or c for a, b, c in SEEN_IN.findall(text)]
    found += [f"/api/v1/items/{quote(id_, safe='')}" for id_ in ITEM_ID.findall(text)]
    if location:
        found.append(location)
    # "(this year)": normalised above, since which year it is depends on the clock
    paths = (own_path(a, HOST, SKIPPED) for a in found if "(this year)" not in a)
    return [path for path in paths if path is not None]


def record_now() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(crawl(sample_settings(Path(folder))))


def differences(kept: dict[str, str], now: dict[str, str]) -> list[str]:
    lines = [f"gone: {p}" for p in kept if p not in now]
    lines += [f"new: {p}" for p in now if p not in kept]
    for path in kept.keys() & now.keys():
        if kept[path] != now[path]:
            lines.append(f"changed: {path}\n  was {kept[path]}\n  now {now[path]}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="write the record again")
    args = parser.parse_args()
    now = record_now()
    if args.update:
        RECORD.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n")
        print(f"{len(now)} answers written to {RECORD.relative_to(REPO)}")
        return 0
    diff = differences(json.loads(RECORD.read_text()), now)
    print("\n".join(diff) or f"all {len(now)} answers as recorded")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
