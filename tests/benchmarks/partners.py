"""Partner pulls, long polls and WebSub fan-out (part of `make bench`).

1. A partner walks the whole change feed of the 100,000-article archive, 100 items a page
   (each page also written to the delivery log): items/s.
2. Long-poll wake-up: a partner waits at the head of its feed while an editor saves a new
   story; the time from the save to the partner holding the item, 20 times.
3. WebSub fan-out: 200 subscribers on 127.0.0.1 to one feed; the time from a save until
   every one of them has the new feed.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import statistics
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from aiohttp import web

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from tests.benchmarks.feeds import DATA
from tests.conftest import article_text, set_clock
from tests.live import REPO, serving


def _partner(db: Path, name: str, sections: list[str]) -> str:
    conn = open_writer(db, set_clock())
    try:
        store = PartnerStore(conn, set_clock())
        conn.execute("BEGIN IMMEDIATE")
        if any(p.name == name for p in store.all()):
            _, key = store.rotate(name)
        else:
            _, key = store.add(name, sections, rate_per_min=1_000_000)
        conn.execute("COMMIT")
        return key
    finally:
        conn.close()


def _get(url: str, key: str, timeout: float = 40) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read())  # type: ignore[no-any-return]


def pull_walk(content: Path, db: Path) -> None:
    if not db.exists():
        print(f"partners: no archive at {db}; run the ingest benchmark first")
        return
    key = _partner(db, "Bench walker", ["world", "business", "culture", "science", "sport"])
    work = DATA / "partner-site"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with serving(work, "--content", str(content), "--db", str(db)) as app:
        cursor, items, pages = "", 0, 0
        started = time.perf_counter()
        while True:
            query = "?limit=100" + (f"&cursor={cursor}" if cursor else "")
            body = _get(app.base + "/api/v1/changes" + query, key)
            items += len(body["items"])  # type: ignore[arg-type]
            pages += 1
            cursor = str(body["next_cursor"])
            if not body["has_more"]:
                break
        seconds = time.perf_counter() - started
    print(
        f"  change feed walked from the start: {items:,} items in {pages:,} pages, "
        f"{seconds:.1f} s, {items / seconds:,.0f} items/s (ninjs, delivery log written)"
    )


def long_poll_latency(samples: int = 20) -> None:
    work = DATA / "poll-site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    syndication_db = work / "syndication.db"
    with serving(work) as app:
        key = _partner(syndication_db, "Bench poller", ["world"])
        body = _get(app.base + "/api/v1/changes?limit=100", key)
        while body["has_more"]:
            body = _get(app.base + f"/api/v1/changes?limit=100&cursor={body['next_cursor']}", key)
        cursor = str(body["next_cursor"])
        waits = []
        for n in range(samples):
            saved: list[float] = []

            def save(n: int = n, saved: list[float] = saved) -> None:
                time.sleep(0.3)  # the poll is waiting by now
                path = work / "content" / "world" / f"poll-{n}.md"
                saved.append(time.perf_counter())
                path.write_text(article_text(title=f"Poll story {n}"))

            writer = threading.Thread(target=save)
            writer.start()
            body = _get(app.base + f"/api/v1/changes?cursor={cursor}&wait=30", key)
            arrived = time.perf_counter()
            writer.join()
            assert body["items"], "the long poll came back empty"
            waits.append(arrived - saved[0])
            cursor = str(body["next_cursor"])
    waits.sort()
    p95 = waits[min(len(waits) - 1, round(0.95 * len(waits)) - 1)]
    print(
        f"  long poll woken by a saved story, {samples} times: p50 "
        f"{statistics.median(waits) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max "
        f"{waits[-1] * 1000:.0f} ms (target p95 < 500 ms; includes the file watcher's debounce)"
    )


def websub_fan_out(subscribers: int = 200) -> None:
    work = DATA / "hub-site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    received: dict[int, float] = {}
    marker = b"Fan-out story"
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port_box: list[int] = []

    async def callback(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if request.method == "GET":
            return web.Response(text=request.query["hub.challenge"])
        if marker in await request.read():
            received.setdefault(n, time.perf_counter())
        return web.Response(status=204)

    async def run_subscribers() -> None:
        app = web.Application()
        app.router.add_route("*", "/cb/{n}", callback)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_box.append(runner.addresses[0][1])
        ready.set()
        await asyncio.Event().wait()  # serve until the benchmark process ends

    thread = threading.Thread(target=loop.run_until_complete, args=(run_subscribers(),))
    thread.daemon = True
    thread.start()
    ready.wait(10)
    env = {"SYNDICATION_WEBSUB_ALLOW_PRIVATE_CALLBACKS": "true"}
    with serving(work, env=env) as app:
        topic = app.base + "/en/world/feed.atom"
        for n in range(subscribers):
            form = urllib.parse.urlencode(
                {
                    "hub.mode": "subscribe",
                    "hub.topic": topic,
                    "hub.callback": f"http://127.0.0.1:{port_box[0]}/cb/{n}",
                }
            ).encode()
            urllib.request.urlopen(app.base + "/websub", data=form, timeout=10).read()
        db = sqlite3.connect(work / "syndication.db")
        deadline = time.monotonic() + 60
        while db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] < subscribers:
            assert time.monotonic() < deadline, "subscriptions were not all verified"
            time.sleep(0.1)
        db.close()
        saved = time.perf_counter()
        (work / "content" / "world" / "fan-out.md").write_text(article_text(title="Fan-out story"))
        deadline = time.monotonic() + 60
        while len(received) < subscribers:
            assert time.monotonic() < deadline, f"only {len(received)} received the update"
            time.sleep(0.01)
    times = sorted(t - saved for t in received.values())
    print(
        f"  WebSub fan-out to {subscribers} subscribers on 127.0.0.1: first after "
        f"{times[0] * 1000:.0f} ms, half after {statistics.median(times) * 1000:.0f} ms, "
        f"all after {times[-1] * 1000:.0f} ms (from the file's save)"
    )
