"""`make bench-scale`: the same requests on a small and a large archive, side by side.

    python -m tests.benchmarks.scale [--small 10000] [--large 1000000] [--requests 300]

For each size: a generated corpus, a cold `syndication ingest` (rate, archive size) and
another that finds nothing changed (as a server's start-up scan: time, peak memory), then
`syndication serve` on it and, one request at a time, first requests (nothing cached) of
article pages, section feeds, topic feeds, searches and partner change pulls at random
cursors; p50 and p99 of each, and the server's peak memory while answering. Each archive is
read through once first, so that both are in the OS page cache as on a server that has
been running (otherwise the large one's figures measure the disk: `--cold` keeps that). The large
archive's figures should stay within 1.5x of the small one's: no request may scan the
archive. Then `serve --workers 2` under wrk for a minute, cycling through thousands of
different pages, feeds, searches and partner pulls, with the peak memory of each reader
process (target under 250 MB at 1,000,000 articles).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.benchmarks.corpus import VOCABULARY
from tests.benchmarks.pages import _cycle_script
from tests.benchmarks.partners import _partner
from tests.benchmarks.run import DATA, corpus, process_table, timed_ingest, tree_rss_kb
from tests.live import Server, serving

KINDS = ("article page", "section feed", "topic feed", "search", "partner pull")


def _urls(db: Path, count: int, rng: random.Random) -> dict[str, list[str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        articles = [
            r[0]
            for r in conn.execute(
                "SELECT path FROM articles WHERE state = 'live' ORDER BY random() LIMIT ?",
                (count,),
            )
        ]
        # Topics with a full feed's worth of stories, so both sizes build the same feed.
        topics = [
            r[0]
            for r in conn.execute(
                "SELECT t.slug FROM article_topics t JOIN articles a ON a.num = t.article_num "
                "WHERE a.edition = 'en' AND a.state = 'live' GROUP BY t.slug "
                "HAVING count(*) >= 50 ORDER BY random() LIMIT ?",
                (count,),
            )
        ]
        head = conn.execute("SELECT max(seq) FROM changes").fetchone()[0]
    finally:
        conn.close()
    sections = [
        f"/{e}/{s}/feed.{f}"
        for e in ("en", "fr")
        for s in ("world", "business", "culture", "science", "sport")
        for f in ("atom", "rss", "json")
    ]
    words = VOCABULARY[:130]
    return {
        "article page": articles,
        "section feed": sections,
        "topic feed": [f"/en/topic/{t}/feed.atom" for t in topics],
        "search": [
            "/en/search?q=" + urllib.parse.quote(f"{rng.choice(words)} {rng.choice(words)}")
            for _ in range(count)
        ],
        "partner pull": [
            f"/api/v1/changes?limit=50&cursor=s{rng.randrange(head):x}" for _ in range(count)
        ],
    }


def _time(url: str, key: str) -> float:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    return time.perf_counter() - started


START_SECONDS = 3600  # the first scan of a million unchanged files takes minutes


def _wait_ready(app: Server) -> None:
    """Until the first scan of content/ is done (`serve` answers /healthz during it)."""
    deadline = time.monotonic() + START_SECONDS
    while app.get("/readyz").status != 200:
        if time.monotonic() > deadline:
            raise SystemExit("the server never became ready")
        time.sleep(1)


def _readers_rss_kb(root: int) -> dict[int, int]:
    """Resident memory of each reader process under a `serve --workers N` supervisor."""
    found = {}
    for pid, (parent, rss) in process_table().items():
        if parent == root:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"reader" in command:
                found[pid] = rss
    return found


def under_load(size: int, urls: dict[str, list[str]], key: str, seconds: int) -> dict[str, object]:
    """`serve --workers 2` under wrk over every URL of `urls`: requests/s, p99, and the
    highest memory any reader process reached."""
    content, db = corpus(size), DATA / f"scale-{size}.db"
    work = DATA / f"scale-site-{size}"
    paths = [u for kind in KINDS for u in urls[kind]]
    random.Random(size).shuffle(paths)
    with serving(
        work,
        "--content",
        str(content),
        "--db",
        str(db),
        "--workers",
        "2",
        start_seconds=START_SECONDS,
    ) as app:
        script = _cycle_script(work, "scale-load", paths)
        peak: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                for pid, rss in _readers_rss_kb(app.process.pid).items():
                    peak[pid] = max(peak.get(pid, 0), rss)

        sampler = threading.Thread(target=sample)
        sampler.start()
        out = subprocess.run(
            [
                *("wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script)),
                *("-H", f"Authorization: Bearer {key}", app.base + "/"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        done.set()
        sampler.join()
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": rate[1] if rate else "?",
        "p99": p99[1] if p99 else "?",
        "errors": bad[1] if bad else "0",
        "reader_peak_mb": max(peak.values(), default=0) / 1024,
        "readers_seen": len(peak),
    }


def _warm(db: Path) -> None:
    """Read the archive once, so its pages are in the OS page cache."""
    with db.open("rb") as handle:
        while handle.read(16 << 20):
            pass


def measure(size: int, requests: int, load_seconds: int, cold: bool) -> dict[str, object]:
    content = corpus(size)
    db = DATA / f"scale-{size}.db"
    noted = db.with_suffix(".ingest.json")  # the cold ingest's figures, kept with its archive
    if not db.exists() or not noted.exists():
        seconds, peak = timed_ingest(content, db)
        noted.write_text(json.dumps({"seconds": seconds, "peak_kb": peak}))
    figures = json.loads(noted.read_text())
    ingest = (
        f"{size / figures['seconds']:,.0f} articles/s ({figures['seconds']:,.0f} s), "
        f"peak {figures['peak_kb'] / 1024:,.0f} MB"
    )
    seconds, peak = timed_ingest(content, db, cold=False)  # as a server's start-up scan
    rescan = f"{seconds:,.1f} s, peak {peak / 1024:,.0f} MB"
    key = _partner(db, "Scale walker", ["world", "business", "culture", "science", "sport"])
    urls = _urls(db, requests, random.Random(size))
    work = DATA / f"scale-site-{size}"
    work.mkdir(exist_ok=True)
    out: dict[str, object] = {
        "ingest": ingest,
        "rescan, nothing changed": rescan,
        "size_mb": db.stat().st_size / 1e6,
    }
    if not cold:
        _warm(db)
    with serving(
        work, "--content", str(content), "--db", str(db), start_seconds=START_SECONDS
    ) as app:
        _wait_ready(app)
        peak = [0]
        running = threading.Event()

        def sample() -> None:
            while not running.is_set():
                peak[0] = max(peak[0], tree_rss_kb(app.process.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        for kind in KINDS:
            times = sorted(_time(app.base + url, key) for url in urls[kind])
            out[kind] = (
                statistics.median(times) * 1000,
                times[min(len(times) - 1, round(0.99 * len(times)) - 1)] * 1000,
            )
        running.set()
        sampler.join()
        out["rss_mb"] = peak[0] / 1024
    load_urls = _urls(db, 2000, random.Random(size + 1))
    out["load"] = under_load(size, load_urls, key, load_seconds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--cold", action="store_true", help="do not warm the page cache first")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    small = measure(args.small, args.requests, args.load_seconds, args.cold)
    large = measure(args.large, args.requests, args.load_seconds, args.cold)
    cache = "cold OS page cache" if args.cold else "archives in the OS page cache"
    print(
        f"archive of {args.small:,} vs {args.large:,} articles "
        f"(first requests, one at a time; {cache})"
    )
    for name in ("ingest", "rescan, nothing changed", "size_mb", "rss_mb", "load"):
        print(f"  {name}: {small[name]} vs {large[name]}")
    for kind in KINDS:
        (s50, s99), (l50, l99) = small[kind], large[kind]  # type: ignore[misc]
        print(
            f"  {kind}: p50 {s50:.1f} vs {l50:.1f} ms ({l50 / s50:.2f}x), "
            f"p99 {s99:.1f} vs {l99:.1f} ms ({l99 / s99:.2f}x)"
        )
    print(json.dumps({"small": small, "large": large}, default=str))


if __name__ == "__main__":
    main()
