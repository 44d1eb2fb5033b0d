"""Every answer the sample site gives, kept as a record: a change meant to leave the outputs as
they were (a faster ingest, another way of storing the archive) is checked against it.

The sample content is ingested into a new archive and served on a clock set to the instant
the record was made, so every byte that depends on the date (an old story's "From our online
archive" line, the footer's year, the news sitemap's 48 hours, a feed's tombstones, the
ingest times partners see, Last-Modified) is the record's whatever day the test runs. A
crawl from the site's entrances follows every link, picture, sitemap entry and redirect of
the site, and walks the partner API (its item pages, each item, the partner feeds). Each
answer is kept whole: its status, the headers a client acts on and its body, compressed.
A difference prints what changed in each answer, line by line.

    python -m tests.golden                     # compare with the record; print the diff
    python -m tests.golden --update            # after a change meant to alter outputs
    python -m tests.golden --update --at 2026-11-26T12:00:00Z   # record at another instant

`--update` prints what it altered before writing; review that as you would code.
tests/test_golden.py runs the comparison in `make test` and `make check`.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import zstandard
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.clock import Clock, SetClock
from syndication.config import Settings
from syndication.web.app import create_app
from tests.conftest import REPO, SAMPLE_BASE, TEST_INSTANT, sample_settings
from tests.fuzz_chain import own_path

HOST = URL(SAMPLE_BASE).host
RECORD = REPO / "tests" / "fixtures" / "golden-sample-site.json.zst"
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
# What a client acts on besides the body; Date and Server say when and by what it was sent.
KEPT_HEADERS = (
    "Content-Type", "Location", "ETag", "Last-Modified", "Cache-Control", "Link", "Vary",
    "Content-Language", "X-Robots-Tag", "Access-Control-Allow-Origin",
)  # fmt: skip
# A static file's Last-Modified is its file's, which a checkout sets: the run's, not the site's;
# so is a static picture's ETag (aiohttp's, of the file's time and size). Its bytes are kept.
FILE_DATED = ("/static/",)
FILE_TAGGED = re.compile(r'^"[0-9a-f]+-[0-9a-f]+"$')
MAX_DIFF_LINES = 60  # of one answer's diff; the rest is left out
Client = TestClient[Any, Any]
Answer = dict[str, Any]


async def crawl(site: Settings, clock: Clock) -> dict[str, Answer]:
    """Every address reached, with what it answered, on a server reading `clock`."""
    client: Client = TestClient(TestServer(create_app(site, clock)))
    await client.start_server()
    try:
        key = _partner_key(site, clock)
        headers = {"Authorization": f"Bearer {key}"}
        seen: dict[str, Answer] = {}
        queue = [*START, *_partner_feeds(site)]
        while queue and len(seen) < MAX_URLS:
            path = queue.pop(0)
            if path in seen:
                continue
            api = path.startswith("/api/")
            async with client.get(
                path, allow_redirects=False, headers=headers if api else {}
            ) as response:
                body = await response.read()
                seen[path] = _answer(path, response.status, response.headers, body)
                if response.status < 400:
                    queue += [
                        p
                        for p in _links(body, response.headers.get("Location", ""))
                        if p not in seen
                    ]
        return dict(sorted(seen.items()))
    finally:
        await client.close()


def _answer(path: str, status: int, headers: Any, body: bytes) -> Answer:
    try:
        text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # a picture: its digest says whether it changed
    kept = [
        n
        for n in KEPT_HEADERS
        if not (
            path.startswith(FILE_DATED)
            and (n == "Last-Modified" or (n == "ETag" and FILE_TAGGED.match(headers.get(n, ""))))
        )
    ]
    return {
        "status": status,
        "headers": {name: headers[name] for name in kept if name in headers},
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "body": text,
    }


def _partner_key(site: Settings, clock: Clock) -> str:
    conn = open_writer(site.db_path, clock)
    try:
        return PartnerStore(conn, clock).add("Golden Partner", [s.slug for s in site.sections])[1]
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
    paths = (own_path(a, HOST, SKIPPED) for a in found)
    return [path for path in paths if path is not None]


# -- the record ---------------------------------------------------------------------------


def read_record(path: Path = RECORD) -> tuple[datetime, dict[str, Answer]]:
    """The instant the record was made, and its answers."""
    data = json.loads(zstandard.ZstdDecompressor().decompress(path.read_bytes()))
    return datetime.fromisoformat(data["instant"]), data["answers"]


def write_record(instant: datetime, answers: dict[str, Answer], path: Path = RECORD) -> None:
    text = json.dumps(
        {"instant": instant.isoformat(), "answers": answers}, indent=0, ensure_ascii=False
    )
    # Level 19 with a long window: the pages share their frame, so the record stays small.
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=27)
    path.write_bytes(zstandard.ZstdCompressor(compression_params=params).compress(text.encode()))


def record_at(instant: datetime) -> dict[str, Answer]:
    """The sample site's answers, crawled on a clock set to `instant`."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(crawl(sample_settings(Path(folder)), SetClock(instant)))


def differences(kept: dict[str, Answer], now: dict[str, Answer]) -> list[str]:
    """What changed, answer by answer: gone and new addresses, and for each changed answer
    its status and headers, then its body as a unified diff."""
    lines = [f"gone: {p}" for p in kept if p not in now]
    lines += [f"new: {p} ({now[p]['status']})" for p in now if p not in kept]
    for path in sorted(kept.keys() & now.keys()):
        was, is_ = kept[path], now[path]
        if _same(was, is_):
            continue
        lines.append(f"changed: {path}")
        if was["status"] != is_["status"]:
            lines.append(f"  status {was['status']} -> {is_['status']}")
        for name in sorted(was["headers"].keys() | is_["headers"].keys()):
            before, after = was["headers"].get(name), is_["headers"].get(name)
            if before != after:
                lines.append(f"  {name}: {before} -> {after}")
        if was["sha256"] != is_["sha256"]:
            lines += ["  " + line for line in _body_diff(path, was, is_)]
    return lines


def _same(was: Answer, is_: Answer) -> bool:
    keys = ("status", "headers", "sha256")
    return all(was[k] == is_[k] for k in keys)


def _body_diff(path: str, was: Answer, is_: Answer) -> Iterator[str]:
    if was["body"] is None or is_["body"] is None:
        yield f"body: {was['length']} bytes -> {is_['length']} bytes (not text)"
        return
    diff = difflib.unified_diff(
        _readable(was["body"]),
        _readable(is_["body"]),
        f"{path} (record)",
        f"{path} (now)",
        n=1,
        lineterm="",
    )
    for count, line in enumerate(diff):
        if count == MAX_DIFF_LINES:
            yield "... (more of this answer's diff left out)"
            return
        yield line


def _readable(body: str) -> list[str]:
    """A body in lines a diff can point into: JSON indented, and a line a tag where a
    document (a feed, an API answer) has its markup on one long line."""
    if body[:1] in "{[":
        try:
            return json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
        except ValueError:
            pass
    lines = body.splitlines()
    if any(len(line) > 200 for line in lines):
        lines = re.sub(r">\s*<", ">\n<", body).splitlines()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="write the record again")
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        help="with --update: the instant to record the site at (default: the record's own, "
        f"or {TEST_INSTANT.isoformat()} for a first record)",
    )
    args = parser.parse_args()
    if args.at is not None and not args.update:
        parser.error("--at goes with --update: the comparison is at the record's own instant")
    if args.at is not None and args.at.tzinfo is None:
        parser.error("--at needs a time zone (Z or +01:00)")
    kept_instant, kept = read_record() if RECORD.exists() else (TEST_INSTANT, {})
    instant = args.at or kept_instant
    now = record_at(instant)
    diff = differences(kept, now)
    changed = sum(line.startswith(("gone: ", "new: ", "changed: ")) for line in diff)
    print("\n".join(diff))
    print(f"{changed} of {len(now)} answers differ from the record made at {instant.isoformat()}")
    if args.update:
        write_record(instant, now)
        print(f"{len(now)} answers at {instant.isoformat()} written to {RECORD.relative_to(REPO)}")
        return 0
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
