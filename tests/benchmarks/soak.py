"""A steady mixed load for a while, with edits every few seconds (`make bench-soak`).

    python -m tests.benchmarks.soak [--minutes 10] [--connections 8]

`syndication serve --workers 2` on a copy of the sample site; wrk cycles through feeds, pages,
searches and partner pulls while an editor saves a story every 3 seconds. Reports errors
(any answer but 2xx/3xx, and socket errors), the p99 latency and the server's memory over
time: it should be flat.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import threading
import time

from tests.benchmarks.pages import _cycle_script
from tests.benchmarks.partners import _partner
from tests.benchmarks.run import DATA, tree_rss_kb
from tests.conftest import article_text
from tests.live import REPO, serving

PATHS = [
    "/en/",
    "/en/feed.atom",
    "/en/world/feed.rss",
    "/en/world/",
    "/en/topic/port-averne/",
    "/en/world/2022/01/27/coastal-states-deliver-written-reply-in-fishing-rights-dispute",
    "/fr/",
    "/en/search?q=harbour",
    "/en/search?q=tram",
    "/api/v1/changes?limit=20",
    "/api/v1/items?section=world",
    "/sitemap.xml",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    work = DATA / "soak-site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    seconds = int(args.minutes * 60)
    with serving(work, "--workers", "2") as app:
        key = _partner(work / "syndication.db", "Soak", ["world", "business"])
        script = _cycle_script(work, "soak", PATHS)
        memory: list[tuple[float, int]] = []
        stop = threading.Event()

        def edit() -> None:  # an editor at work: a new or changed story every 3 s
            n = 0
            while not stop.wait(3):
                story = work / "content" / "world" / f"soak-{n % 20}.md"
                story.write_text(article_text(title=f"Soak story {n % 20}", body=f"Edit {n}."))
                n += 1

        def sample() -> None:
            started = time.monotonic()
            while not stop.wait(5):
                memory.append((time.monotonic() - started, tree_rss_kb(app.process.pid)))

        threads = [threading.Thread(target=edit), threading.Thread(target=sample)]
        for thread in threads:
            thread.start()
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{args.connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                "-H",
                f"Authorization: Bearer {key}",
                app.base + "/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        stop.set()
        for thread in threads:
            thread.join()
    requests = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    first = [kb for t, kb in memory if t < 60]
    last = [kb for t, kb in memory if t > seconds - 60]
    print(
        f"soak, {args.minutes:g} min, serve --workers 2, {args.connections} connections, "
        f"an edit every 3 s: {requests[1] if requests else '?'} requests, "
        f"{bad[1] if bad else 0} answers other than 2xx/3xx, socket errors: "
        f"{errors[1] if errors else 'none'}, p99 {p99[1] if p99 else '?'}"
    )
    if first and last:
        print(
            f"  memory of the process tree: first minute {max(first) / 1024:.0f} MB, last "
            f"minute {max(last) / 1024:.0f} MB, highest {max(kb for _, kb in memory) / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
