"""Reader pages on a large archive, beside nginx serving the same bytes (part of `make bench`).

`syndication serve` runs on the 100,000-article archive the ingest benchmark built. wrk
(one thread, 32 connections) loads, from 127.0.0.1:
- an article page from the cache, alternately with nginx serving its bytes (`gzip_static`);
- article pages as after a change: every request a different article not yet in the cache,
  so each is a query, a render and a gzip;
- a section page, from the cache, and topic pages as after a change (every topic once, each
  a first request);
- search, which is not cached, over a mix of rare, middling and common words and phrases.
Search latency is also measured one request at a time, as a reader meets it (p50/p95/p99).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import statistics
import time
import urllib.parse
from pathlib import Path

import aiohttp

from tests.benchmarks.corpus import _TAIL, VOCABULARY
from tests.benchmarks.feeds import DATA, fetch, nginx_serving, wrk
from tests.live import serving

WRK_CYCLE = """
local paths = {{}}
for line in io.lines("{file}") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) % #paths + 1])
end
"""


def _cycle_script(work: Path, name: str, paths: list[str]) -> Path:
    listing = work / f"{name}.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = work / f"{name}.lua"
    script.write_text(WRK_CYCLE.format(file=listing))
    return script


async def _each_once(base: str, paths: list[str], connections: int) -> tuple[float, list[float]]:
    """(requests/s, latencies in s) of asking for every path once, `connections` at a time."""
    queue = list(reversed(paths))
    latencies: list[float] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            path = queue.pop()
            started = time.perf_counter()
            async with session.get(base + path, headers={"Accept-Encoding": "gzip"}) as reply:
                await reply.read()
                assert reply.status == 200, (path, reply.status)
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return len(paths) / elapsed, latencies


def _queries(rng: random.Random, count: int) -> list[str]:
    """What readers type: mostly one or two words, some rare, some everywhere, some phrases."""
    common = VOCABULARY[:130]
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.4:
            out.append(rng.choice(_TAIL[:2000]))  # names and places of some currency
        elif kind < 0.6:
            out.append(rng.choice(_TAIL))  # rare
        elif kind < 0.8:
            out.append(f"{rng.choice(common)} {rng.choice(_TAIL[:2000])}")
        elif kind < 0.9:
            out.append(f'"{rng.choice(common)} {rng.choice(common)}"')  # a phrase
        else:
            out.append(rng.choice(common))  # a word in a third of the archive
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def pages_beside_nginx(
    content: Path, db: Path, seconds: int = 10, connections: int = 32, rounds: int = 2
) -> None:
    if not (shutil.which("nginx") and shutil.which("wrk")):
        print("pages: nginx and wrk are needed (make bench installs them); skipped")
        return
    if not db.exists():
        print(f"pages: no archive at {db}; run the ingest benchmark first")
        return
    work = DATA / "page-site"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    rng = random.Random(2026)
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    total = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
    paths = sorted(
        r[0]
        for r in reader.execute("SELECT path FROM articles WHERE state = 'live' AND edition = 'en'")
    )
    rng.shuffle(paths)  # the same order on every run over the same corpus
    paths = paths[:20000]  # more than a run asks for: every one a miss
    topics = [
        f"/en/topic/{r[0]}/"
        for r in reader.execute(
            "SELECT DISTINCT t.slug FROM article_topics t JOIN articles a ON a.num = t.article_num "
            "WHERE a.state = 'live' AND a.edition = 'en'"
        )
    ]
    reader.close()
    gzip = {"Accept-Encoding": "gzip"}
    print(
        f"pages on an archive of {total:,} articles; wrk 1 thread, {connections} connections, "
        f"{seconds} s a run"
    )
    with serving(work, "--content", str(content), "--db", str(db)) as app:
        article = paths[0]
        for label, path in (("article page", article), ("front page /en/", "/en/")):
            body, _ = fetch(app.base + path, {"Accept-Encoding": "identity"})
            gz_body, gz_headers = fetch(app.base + path, gzip)
            assert gz_headers.get("Content-Encoding") == "gzip"
            with nginx_serving(work, {path: (body, gz_body)}) as static_base:
                ours, theirs, p99s = [], [], []
                for _ in range(rounds):  # alternate, so both meet the same machine
                    rate, p99 = wrk(app.base + path, gzip, seconds, connections)
                    ours.append(rate)
                    p99s.append(p99)
                    theirs.append(wrk(static_base + path, gzip, seconds, connections)[0])
                a, n = statistics.median(ours), statistics.median(theirs)
                print(
                    f"  {label}, cached (gzip 200, {len(body):,} bytes): app {a:,.0f} req/s "
                    f"(p99 {', '.join(p99s)}), nginx {n:,.0f} req/s; app/nginx = {a / n:.0%} "
                    f"(target 30%)"
                )

        fresh = _cycle_script(work, "articles", paths[1:])
        rate, p99 = wrk(app.base + "/", gzip, seconds, connections, script=fresh)
        print(
            f"  article pages after a change (each one a cache miss): {rate:,.0f} req/s, p99 {p99}"
        )

        rate, p99 = wrk(app.base + "/en/world/", gzip, seconds, connections)
        print(f"  section page /en/world/, cached: {rate:,.0f} req/s, p99 {p99}")
        # A page is cached by its path (and `?page=`, never another query string), so only a
        # first request for each topic is a miss: each topic is asked for once, 32 at a time.
        rate, latencies = asyncio.run(_each_once(app.base, topics, connections))
        print(
            f"  topic pages after a change (each of {len(topics):,} topics once, a cache miss): "
            f"{rate:,.0f} req/s, p99 {_percentile(latencies, 0.99) * 1000:.2f}ms"
        )

        # Searches are kept in the response cache until the edition changes, so a query
        # asked before costs what a cached page does: each figure says which it measures.
        queries = list(dict.fromkeys(_queries(rng, 40_000)))
        urls = [f"/en/search?q={urllib.parse.quote(q)}" for q in queries]
        one_by_one = []
        for url in urls[:300]:
            start = time.perf_counter()
            fetch(app.base + url, gzip)
            one_by_one.append((time.perf_counter() - start) * 1000)
        print(
            f"  search, one request at a time over {len(one_by_one)} different queries, each "
            f"asked for the first time: p50 {statistics.median(one_by_one):.1f} ms, p95 "
            f"{_percentile(one_by_one, 0.95):.1f} ms, p99 {_percentile(one_by_one, 0.99):.1f} "
            f"ms, max {max(one_by_one):.1f} ms (target p95 < 50 ms)"
        )
        distinct = _cycle_script(work, "distinct", urls[300:])
        rate, p99 = wrk(app.base + "/", gzip, seconds, connections, script=distinct)
        print(
            f"  search under load, every query asked for the first time: {rate:,.0f} req/s, "
            f"p99 {p99} (target 300 req/s, p99 < 150 ms)"
        )
        repeated = _cycle_script(work, "searches", [urls[i % 400] for i in range(400)])
        wrk(app.base + "/", gzip, seconds, connections, script=repeated)  # the first asking
        rate, p99 = wrk(app.base + "/", gzip, seconds, connections, script=repeated)
        print(f"  search under load, 400 queries asked again (kept): {rate:,.0f} req/s, p99 {p99}")
