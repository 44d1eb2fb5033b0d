"""Hostile searches must not stall the site (part of `make bench`).

    python -m tests.benchmarks.search_stall [--stories 30000] [--seconds 20]

A hostile archive (short stories of few words, so prefixes and ORs match most of them, and
bodies repeating one word 20,000 times) is served by `syndication serve`; wrk sends
generated hostile search queries (one-letter prefixes, ORs and NOTs of common words, deep
pages) on 8 connections while a probe asks /healthz and a front page every 20 ms on
connections of its own. Reported: the probe's p50, p99 and worst time, and how the searches
were answered (200, 422 too broad, 503 busy). Before searches had a budget and their own
connection, /healthz waited 10 s behind one such search.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.live import REPO, serving

PROBE_TIMEOUT = 30  # seconds a probe waits before it counts as stalled
WORDS = ["mist", "salt", "net", "boat", "oar", "moss", "sand", "bell", "ore", "mast", "net"]
WRK_SCRIPT = """
local paths = {{}}
for line in io.lines("{file}") do paths[#paths + 1] = line end
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {{}}; i = 0 end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) % #paths + 1])
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {{}}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\\n", status, n)) end
end
"""


def hostile_archive(work: Path, stories: int) -> None:
    content = work / "content" / "world"
    content.mkdir(parents=True)
    for n in range(stories):
        body = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(10))
        (content / f"s{n}.md").write_text(
            f"---\ntitle: Story {n} {WORDS[n % len(WORDS)]}\npublished: 2026-11-20T09:00:00Z\n"
            f"---\n\n{body}\n"
        )
    for n in range(3):  # one word 20,000 times: FTS5's snippet() grew with its square
        (content / f"repeat{n}.md").write_text(
            f"---\ntitle: Repeat {n}\npublished: 2026-11-21T09:00:00Z\n---\n\n"
            + ("harbour " * 20_000)
            + "\n"
        )
    subprocess.run(
        [sys.executable, "-m", "syndication", "ingest", "--config", str(REPO / "syndication.toml")],
        cwd=work,
        check=True,
        capture_output=True,
    )


def hostile_queries(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    atoms = ["m*", "s*", "n*", "b*", "o*", "ma*", "mo*", "sa*", "harbour", "mist", "net", "bell"]
    paths = []
    for _ in range(count):
        words = [rng.choice(atoms) for _ in range(rng.randint(1, 8))]
        glue = rng.choice([" ", " OR ", " -", " NEAR "])
        query = glue.join(words)
        page = rng.choice([1, 2, 9, 50])
        paths.append("/en/search?" + urlencode({"q": query, "page": page}))
    return paths


def probe(base: str, stop: threading.Event, took: dict[str, list[float]]) -> None:
    while not stop.is_set():
        for path in ("/healthz", "/en/"):
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=PROBE_TIMEOUT) as answer:
                    answer.read()
            except TimeoutError:
                pass  # counted as what it cost: the whole wait
            took[path].append(time.perf_counter() - started)
        time.sleep(0.02)  # pacing of the probe, not a wait for time to pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=30_000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("search_stall: wrk is needed (make bench installs it); skipped")
        return
    work = Path(tempfile.mkdtemp(prefix="search-stall-"))
    started = time.monotonic()
    hostile_archive(work, args.stories)
    print(f"hostile archive: {args.stories:,} short stories and 3 bodies of one word 20,000 "
          f"times, ingested in {time.monotonic() - started:.0f} s")  # fmt: skip
    listing = work / "queries.txt"
    listing.write_text("\n".join(hostile_queries(2000)) + "\n")
    script = work / "queries.lua"
    script.write_text(WRK_SCRIPT.format(file=listing))
    with serving(work) as app:
        took: dict[str, list[float]] = {"/healthz": [], "/en/": []}
        stop = threading.Event()
        prober = threading.Thread(target=probe, args=(app.base, stop, took))
        prober.start()
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{args.seconds}s", "-s", str(script), app.base + "/"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        stop.set()
        prober.join()
    shutil.rmtree(work, ignore_errors=True)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    statuses = dict(re.findall(r"status (\d+) (\d+)", out))
    print(f"hostile searches: {rate[1] if rate else '?'} req/s on 8 connections for "
          f"{args.seconds} s; answers by status: {statuses}")  # fmt: skip
    for path, times in took.items():
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{path} meanwhile: {len(times)} asks, p50 {statistics.median(times) * 1000:.1f} ms,"
              f" p99 {p99 * 1000:.1f} ms, worst {times[-1] * 1000:.1f} ms"
              f" (target p99 under 100 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
