"""`make bench`: the archive core's numbers, each beside the reference it is judged against.

    python -m tests.benchmarks.run [--articles 20000] [--memory-articles 100000] [--edits 20]

1. Cold ingest of a generated corpus with `syndication ingest` (articles/s), and Pelican, a
   Python static site generator, reading a slice of the same corpus (articles/s).
2. A saved edit visible at its URL: p50/p95 over N edits, polling the page on 127.0.0.1.
3. Peak memory (sum of RSS over the process tree) while ingesting a large corpus.
4. Feeds and reader pages served beside nginx (tests/benchmarks/feeds.py and pages.py).

Generated corpora and tools are kept under bench-data/ (ignored by git) between runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.benchmarks import feeds, pages, partners
from tests.benchmarks.corpus import generate
from tests.conftest import article_text
from tests.live import REPO, serving

DATA = REPO / "bench-data"
CONFIG = REPO / "syndication.toml"


def corpus(count: int) -> Path:
    """A generated content folder of `count` articles, made once and reused."""
    folder = DATA / f"corpus-v2-{count}"  # v2: with the long tail of words
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"  generating {count:,} articles in {folder.relative_to(REPO)} ...", flush=True)
        generate(folder, count, seed=2026)
        marker.write_text("ok")
    return folder


def markdown_mb(content: Path) -> float:
    """The size of a corpus's Markdown files, what the archive's size is judged against."""
    return sum(p.stat().st_size for p in content.rglob("*.md")) / 1e6


def process_table() -> dict[int, tuple[int, int]]:
    """Every process's parent and resident memory in kB (pid -> (ppid, rss)), from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        table[int(entry)] = (int(fields["PPid"]), int(fields.get("VmRSS", "0 kB").split()[0]))
    return table


def tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    table = process_table()
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0))[1]
        stack += [child for child, (parent, _) in table.items() if parent == pid]
    return total


def timed_ingest(content: Path, db: Path, *, cold: bool = True) -> tuple[float, int]:
    """(seconds, peak tree RSS in kB) of one `syndication ingest`: into an empty archive,
    or (not `cold`) into the one there, which then has only to find that nothing changed."""
    for suffix in ("", "-wal", "-shm") if cold else ():
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "syndication",
        "ingest",
        "--config",
        str(CONFIG),
        "--content",
        str(content),
        "--db",
        str(db),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"ingest failed: {out}\n{err}")
    return elapsed, peak


def pelican_rate(content: Path, count: int) -> float | None:
    """Pelican reading (and writing) `count` articles of the same corpus; None if unavailable."""
    venv = DATA / "pelican-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "pelican", "markdown"],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            print("  pelican could not be installed; skipping the reference", install.stderr[-300:])
            return None
    slice_dir = DATA / f"pelican-input-{count}"
    if not slice_dir.exists():
        files = sorted(content.rglob("*.md"))[:count]
        for path in files:
            target = slice_dir / path.relative_to(content)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    settings = DATA / "pelicanconf.py"
    settings.write_text(
        'SITEURL = ""\nDEFAULT_DATE = "fs"\nTIMEZONE = "UTC"\nFEED_ALL_ATOM = None\n'
    )
    output = DATA / "pelican-output"
    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [
            str(venv / "bin" / "pelican"),
            str(slice_dir),
            "-s",
            str(settings),
            "-o",
            str(output),
            "-q",
        ],
        check=True,
        capture_output=True,
    )
    return count / (time.perf_counter() - start)


def edit_latency(edits: int) -> list[float]:
    """Seconds from saving an edit to seeing it at the article's URL, once per edit."""
    work = DATA / "edit-site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    story = work / "content" / "world" / "bench-edit.md"
    path = "/en/world/2026/01/05/bench-story"
    story.write_text(article_text(title="Bench story", published="2026-01-05T10:00:00+01:00"))
    seen = []
    with serving(work) as server:
        server.wait_for(path, 200)
        for n in range(edits):
            marker = f"Edit number {n} of the bench."
            text = article_text(
                title="Bench story", published="2026-01-05T10:00:00+01:00", body=marker
            )
            started = time.monotonic()
            story.write_text(text)
            server.wait_for(path, 200, timeout=10, contains=marker)
            seen.append(time.monotonic() - started)
            time.sleep(0.2)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--memory-articles", type=int, default=100_000)
    parser.add_argument("--pelican-articles", type=int, default=2_000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only",
        choices=("ingest", "feeds", "pages", "workers", "partners"),
        help="run one part",
    )
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    if args.only in (None, "ingest"):
        ingest_benchmarks(args)
    big = DATA / ("memory.db" if (DATA / "memory.db").exists() else "ingest.db")
    if args.only in (None, "feeds"):
        print("feeds:")
        feeds.serve_beside_nginx()
        feeds.build_time(big)
    if args.only in (None, "workers"):
        print("feeds with serve --workers 2:")
        feeds.serve_beside_nginx(workers=2)
    size = args.memory_articles if big.name == "memory.db" else args.articles
    if args.only in (None, "pages"):
        pages.pages_beside_nginx(corpus(size), big)
    if args.only in (None, "partners"):
        print("partners:")
        partners.pull_walk(corpus(size), big)
        partners.long_poll_latency()
        partners.websub_fan_out()


def ingest_benchmarks(args: argparse.Namespace) -> None:
    content = corpus(args.articles)
    # Ours and the reference alternate, so a noisy neighbour slows both alike; medians reported.
    rates, references, peaks = [], [], []
    for _ in range(args.rounds):
        seconds, peak = timed_ingest(content, DATA / "ingest.db")
        rates.append(args.articles / seconds)
        peaks.append(peak)
        reference = pelican_rate(content, args.pelican_articles)
        if reference:
            references.append(reference)
    rate = statistics.median(rates)
    db_mb = (DATA / "ingest.db").stat().st_size / 1e6
    print(
        f"cold ingest of {args.articles:,} articles, {args.rounds} rounds: median "
        f"{rate:,.0f} articles/s (runs: {', '.join(f'{r:,.0f}' for r in rates)}; target 1,500), "
        f"archive {db_mb:,.1f} MB = {db_mb / markdown_mb(content):.2f} times its Markdown "
        f"(target 1.3), peak RSS {max(peaks) / 1024:,.0f} MB"
    )
    if references:
        reference = statistics.median(references)
        print(
            f"pelican 4 on {args.pelican_articles:,} of the same articles: median "
            f"{reference:,.0f} articles/s (runs: {', '.join(f'{r:,.0f}' for r in references)}); "
            f"ratio ours/pelican = {rate / reference:.1f}x"
        )

    latencies = sorted(edit_latency(args.edits))
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"edit visible at its URL over {len(latencies)} edits: p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms (target p95 < 1,000 ms)"
    )

    if args.memory_articles:
        big = corpus(args.memory_articles)
        seconds, peak = timed_ingest(big, DATA / "memory.db")
        size_mb = (DATA / "memory.db").stat().st_size / 1e6
        print(
            f"ingest of {args.memory_articles:,} articles: {seconds:.0f} s "
            f"({args.memory_articles / seconds:,.0f}/s), peak RSS of the process tree "
            f"{peak / 1024:,.0f} MB (target < 300 MB), archive {size_mb:,.0f} MB = "
            f"{size_mb / markdown_mb(big):.2f} times its Markdown"
        )


if __name__ == "__main__":
    main()
