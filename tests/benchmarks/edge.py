"""Past one machine (part of `make bench`; the soak is part of `make bench-soak`).

    python -m tests.benchmarks.edge [--stories 20] [--soak-minutes 0]

On the whole local shape (tests/shape.py: a primary replicating with Litestream every second
and purging Varnish, a replica following with a 1 s interval, Varnish in front of both):

1. Takedown through the edge: from saving `status: withdrawn` to 410 at the edge, over N
   stories each held in Varnish's cache first. The reference is the edge we shipped before,
   nginx without purges, which kept serving a withdrawn story until its copy expired.
2. An edit through the edge and on the replica: from the save to the new bytes at each.
3. A cached feed served by Varnish and by the app's fast lane, side by side.
4. Data lost when the primary is killed (SIGKILL) in the middle of an edit every 0.2 s: the
   changes the primary committed that the replica's copy lacks, and how old each was.
5. `--soak-minutes M`: wrk through Varnish on the soak's mix for M minutes with an edit every
   3 s; Varnish's hit ratio (varnishstat) and the requests per second that reached the app.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.pages import _cycle_script
from tests.benchmarks.partners import _partner
from tests.benchmarks.run import DATA, process_table
from tests.benchmarks.soak import PATHS
from tests.conftest import article_text
from tests.live import Server
from tests.shape import Shape, whole_shape


def story(n: int, body: str = "The council met on Tuesday.", **fields: object) -> str:
    return article_text(
        title=f"Edge story {n}",
        published=f"2026-11-{1 + n % 28:02d}T08:00:00+01:00",
        body=body,
        **fields,
    )


def path_of(n: int) -> str:
    return f"/en/world/2026/11/{1 + n % 28:02d}/edge-story-{n}"


def seconds_until(check: Callable[[], bool], timeout: float = 30) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.01)
    return time.monotonic() - started


def held(edge: Server, path: str) -> None:
    seconds_until(lambda: edge.get(path).headers.get("X-Cache") == "HIT", 10)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def summary(name: str, values: list[float], target: str) -> str:
    return (
        f"{name}: p50 {statistics.median(values) * 1000:,.0f} ms, p95 {p95(values) * 1000:,.0f} "
        f"ms, max {max(values) * 1000:,.0f} ms over {len(values)} ({target})"
    )


def prepare(shape: Shape, stories: int) -> None:
    """N stories, each served by both and held at the edge."""
    for n in range(stories):
        (shape.workdir / "content" / "world" / f"edge-{n}.md").write_text(story(n))
    for n in range(stories):
        seconds_until(lambda n=n: shape.primary.get(path_of(n)).status == 200)
        seconds_until(lambda n=n: shape.replica.get(path_of(n)).status == 200)
        held(shape.edge, path_of(n))


def edits(shape: Shape, stories: int) -> None:
    at_edge, on_replica = [], []
    for n in range(stories):
        marker = f"Amended {n} at {time.time():.0f}."
        (shape.workdir / "content" / "world" / f"edge-{n}.md").write_text(story(n, marker))
        saved = time.monotonic()
        found: dict[str, float] = {}
        threads = [
            threading.Thread(target=_watch, args=(server, path_of(n), marker, saved, found))
            for server in (shape.edge, shape.replica)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        at_edge.append(found[shape.edge.base])
        on_replica.append(found[shape.replica.base])
        held(shape.edge, path_of(n))
        time.sleep(0.3)
    print("  " + summary("edit, save to new bytes at the edge", at_edge, "target p95 < 1 s"))
    print(
        "  " + summary("edit, save to new bytes on the replica", on_replica, "target p95 < 2.5 s")
    )


def _watch(server: Server, path: str, marker: str, saved: float, found: dict[str, float]) -> None:
    seconds_until(lambda: marker in server.get(path).body)
    found[server.base] = time.monotonic() - saved


def takedowns(shape: Shape, stories: int) -> None:
    gone = []
    for n in range(stories):
        held(shape.edge, path_of(n))
        (shape.workdir / "content" / "world" / f"edge-{n}.md").write_text(
            story(n, status="withdrawn")
        )
        gone.append(seconds_until(lambda n=n: shape.edge.get(path_of(n)).status == 410))
        time.sleep(0.3)
    print(
        "  "
        + summary(
            "takedown, save to 410 at the edge",
            gone,
            "target p95 < 1 s; nginx without purges, as shipped before: 200 until the copy "
            "expires, 95 s and more measured, up to a day with stale-while-revalidate",
        )
    )


def throughput(shape: Shape) -> None:
    """One cached feed (gzip) from Varnish and from the app's own fast lane, alternately."""
    feed = "/en/world/feed.atom"
    held(shape.edge, feed)
    rates: dict[str, list[float]] = {"edge": [], "app": []}
    for _ in range(2):
        for name, server in (("edge", shape.edge), ("app", shape.primary)):
            out = subprocess.run(
                [
                    *("wrk", "-t1", "-c32", "-d10s", "-H", "Accept-Encoding: gzip"),
                    server.base + feed,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            found = re.search(r"Requests/sec:\s+(\S+)", out)
            rates[name].append(float(found[1]) if found else 0.0)
    edge, app = statistics.median(rates["edge"]), statistics.median(rates["app"])
    print(
        f"  a cached feed (gzip), wrk -c32 10 s, two rounds: Varnish {edge:,.0f} req/s, the "
        f"app's fast lane (one process) {app:,.0f} req/s: the edge at {edge / app:.0%} of it"
    )


def data_loss(shape: Shape) -> None:
    """SIGKILL the primary during fast edits; what the replica's copy lacks of its commits."""
    stop = threading.Event()

    def edit() -> None:
        n = 0
        while not stop.wait(0.2):
            (shape.workdir / "content" / "world" / "burst.md").write_text(
                story(90, f"Burst edit {n}.")
            )
            n += 1

    editor = threading.Thread(target=edit)
    editor.start()
    time.sleep(6)
    # The machine dies: the service and its litestream child at the same moment.
    tree = [shape.primary.process.pid, *children(shape.primary.process.pid)]
    killed = time.time()
    for pid in tree:
        os.kill(pid, signal.SIGKILL)
    shape.primary.process.wait()
    stop.set()
    editor.join()
    time.sleep(4)  # whatever reached the replica store is applied by now
    primary = dict(_changes(shape.workdir / "syndication.db"))
    copy = dict(_changes(shape.workdir / "replica" / "copy.db", immutable=True))
    missing = sorted(set(primary) - set(copy))
    ages = [killed - primary[seq] for seq in missing]
    print(
        f"  primary killed mid-edits (one every 0.2 s), Litestream sync interval 1 s: "
        f"{len(primary)} changes committed, {len(missing)} missing from the replica, the oldest "
        f"committed {max(ages, default=0):.1f} s before the kill (times to the second)"
    )


def children(pid: int) -> list[int]:
    return [child for child, (parent, _) in process_table().items() if parent == pid]


def _changes(db: Path, *, immutable: bool = False) -> list[tuple[int, float]]:
    uri = f"file:{db}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True)
    try:
        rows = conn.execute("SELECT seq, at FROM changes").fetchall()
    finally:
        conn.close()
    from datetime import datetime

    return [(int(seq), datetime.fromisoformat(at).timestamp()) for seq, at in rows]


def soak(shape: Shape, minutes: float, connections: int = 8) -> None:
    work = shape.workdir
    key = _partner(work / "syndication.db", "Soak", ["world", "business"])
    script = _cycle_script(work, "edge-soak", PATHS)
    stop = threading.Event()

    def edit() -> None:
        n = 0
        while not stop.wait(3):
            (work / "content" / "world" / f"soak-{n % 20}.md").write_text(
                article_text(title=f"Soak story {n % 20}", body=f"Edit {n}.")
            )
            n += 1

    before = _varnish_counts(shape)
    editor = threading.Thread(target=edit)
    editor.start()
    seconds = int(minutes * 60)
    out = subprocess.run(
        [
            *("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)),
            *("-H", f"Authorization: Bearer {key}", shape.edge.base + "/"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stop.set()
    editor.join()
    after = _varnish_counts(shape)
    hits = after["cache_hit"] - before["cache_hit"]
    misses = after["cache_miss"] - before["cache_miss"]
    passes = after["s_pass"] - before["s_pass"]
    backend = after["backend_req"] - before["backend_req"]
    requests = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    print(
        f"  soak through Varnish, {minutes:g} min, {connections} connections, an edit every 3 s: "
        f"{requests[1] if requests else '?'} requests ({rate[1] if rate else '?'}/s); hit ratio "
        f"{hits / max(hits + misses, 1):.2%} of cacheable answers (target 99%), "
        f"{passes:,} passed to the app uncached (partner API); the app answered "
        f"{backend / seconds:,.1f} requests/s behind the edge"
    )


def _varnish_counts(shape: Shape) -> dict[str, int]:
    out = subprocess.run(
        ["varnishstat", "-1", "-n", str(shape.edge.workdir / "state")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("MAIN."):
            counts[parts[0].removeprefix("MAIN.")] = int(parts[1])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--soak-minutes", type=float, default=0)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    print("past one machine (primary, replica following every 1 s, Varnish in front):")
    work = DATA / "edge-shape"
    if args.soak_minutes:
        with _fresh(work) as shape:
            soak(shape, args.soak_minutes)
        return
    with _fresh(work) as shape:
        prepare(shape, args.stories)
        edits(shape, args.stories)
        takedowns(shape, args.stories)
        throughput(shape)
        data_loss(shape)


def _fresh(work: Path):  # type: ignore[no-untyped-def]
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return whole_shape(work)


if __name__ == "__main__":
    main()
