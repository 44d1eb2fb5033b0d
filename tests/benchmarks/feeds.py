"""Feed serving beside nginx, and feed build time on a large archive (part of `make bench`).

One app process (`syndication serve`) and one nginx worker serving the same feed bytes as
static files (`gzip_static`), loaded alternately by wrk from 127.0.0.1 in one run:
(a) a conditional GET that matches (304) and (b) a gzip 200 of a section feed.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syndication.archive.queries import Archive
from syndication.clock import Clock
from syndication.config import load_settings
from syndication.model import FeedKind, FeedScope
from syndication.publish.feed_service import Feeds
from tests.live import REPO, free_port, serving

DATA = REPO / "bench-data"
FEED = "/en/world/feed.atom"
NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    etag on;
    gzip_static on;
    types {{ application/atom+xml atom; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{
            default_type "text/html; charset=utf-8";
            add_header Cache-Control "public, max-age=300";
            add_header Vary Accept-Encoding;
        }}
    }}
}}
"""


def fetch(url: str, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as reply:
        return reply.read(), dict(reply.headers)


def wrk(
    url: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    script: Path | None = None,
    threads: int = 1,
) -> tuple[float, str]:
    """(requests/s, p99) of one wrk run; `script` may choose each request's path."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return rate, p99


@contextmanager
def nginx_serving(
    work: Path, files: dict[str, tuple[bytes, bytes]], workers: int = 1
) -> Iterator[str]:
    """nginx workers serving `files` (URL path -> identity and gzip bytes) as static files;
    yields its base URL."""
    for path, (body, gz_body) in files.items():
        target = work / "www" / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        Path(f"{target}.gz").write_bytes(gz_body)
    port = free_port()
    (work / "nginx.conf").write_text(NGINX_CONF.format(root=work, port=port, workers=workers))
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)])
    try:
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.terminate()
        nginx.wait()


def serve_beside_nginx(
    seconds: int = 10, connections: int = 32, rounds: int = 2, workers: int = 0
) -> None:
    """With `workers`, `serve --workers N` against nginx with as many worker processes."""
    if not (shutil.which("nginx") and shutil.which("wrk")):
        print("feeds: nginx and wrk are needed (make bench installs them); skipped")
        return
    work = DATA / "feed-site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    extra = ("--workers", str(workers)) if workers else ()
    threads = max(1, workers)
    with serving(work, *extra) as app:
        url = app.base + FEED
        body, headers = fetch(url, {"Accept-Encoding": "identity"})
        gz_body, gz_headers = fetch(url, {"Accept-Encoding": "gzip"})
        with nginx_serving(work, {FEED: (body, gz_body)}, workers=threads) as nginx_base:
            static = nginx_base + FEED
            _, n_headers = fetch(static, {"Accept-Encoding": "identity"})
            cases = {
                "conditional GET (304)": (
                    {"If-None-Match": headers["ETag"], "Accept-Encoding": "identity"},
                    {"If-None-Match": n_headers["ETag"], "Accept-Encoding": "identity"},
                ),
                "gzip 200": ({"Accept-Encoding": "gzip"}, {"Accept-Encoding": "gzip"}),
            }
            who = f"{workers} reader processes" if workers else "one app process"
            print(
                f"feed {FEED}: {len(body):,} bytes, {len(gz_body):,} gzipped; {who} vs "
                f"{threads} nginx worker(s); wrk {threads} thread(s), {connections} "
                f"connections, {seconds} s a run"
            )
            target = "50%" if workers else "30%"
            for name, (app_headers, nginx_headers) in cases.items():
                ours, theirs, p99s = [], [], []
                for _ in range(rounds):  # alternate, so both meet the same machine
                    rate, p99 = wrk(url, app_headers, seconds, connections, threads=threads)
                    ours.append(rate)
                    p99s.append(p99)
                    theirs.append(
                        wrk(static, nginx_headers, seconds, connections, threads=threads)[0]
                    )
                a, n = statistics.median(ours), statistics.median(theirs)
                print(
                    f"  {name}: app {a:,.0f} req/s (p99 {', '.join(p99s)}), nginx {n:,.0f} "
                    f"req/s; app/nginx = {a / n:.0%} (target {target})"
                )
            assert gz_headers.get("Content-Encoding") == "gzip"


async def _ignore(article: str, message: str) -> None:
    """Nothing is left out of the benchmark's feed; were it, the count is not the point."""


def build_time(db: Path, runs: int = 20) -> None:
    """Time to build a 50-item full-text section feed from the archive, as after a change."""
    if not db.exists():
        print(f"feed build: no archive at {db}; run the ingest benchmark first")
        return

    async def measure() -> list[float]:
        settings = load_settings(REPO / "syndication.toml", environ={}).with_overrides(db_path=db)
        async with Archive.open(db) as archive:
            feeds = Feeds(settings, archive, _ignore, Clock())
            count = await archive.db.value("SELECT count(*) FROM articles")
            print(f"feed build on an archive of {count or 0:,} articles:", end=" ")
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                await feeds.build(FeedScope("en", FeedKind.SECTION, "world"), "atom")
                times.append(time.perf_counter() - start)
            return times

    times = sorted(asyncio.run(measure()))
    print(
        f"median {statistics.median(times) * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms "
        f"over {runs} builds (target < 20 ms)"
    )
