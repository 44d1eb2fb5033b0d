"""`syndication serve` as editors meet it: files saved, edited, broken and deleted while it runs."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.corpus import generate
from tests.conftest import article_text
from tests.live import REPO, serving, syndication
from tests.waiting import Stop, until

pytestmark = pytest.mark.processes

STORY = "/en/world/2026/01/05/harbour-reopens"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "first.md").write_text(article_text(title="Already here"))
    return tmp_path


def write(workdir: Path, rel: str, text: str) -> None:
    path = workdir / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_editors_day(workdir: Path) -> None:
    with serving(workdir) as server:
        assert "Already here" in server.get("/").body

        write(workdir, "world/new.md", article_text(published="2026-01-05T10:00:00+01:00"))
        assert server.wait_for(STORY, 200, timeout=1.0) < 1.0

        retitled = article_text(
            title="Harbour reopens at last", published="2026-01-05T10:00:00+01:00"
        )
        write(workdir, "world/new.md", retitled)
        server.wait_for(STORY + "-at-last", 200, timeout=1.0)
        moved = server.get(STORY)
        assert moved.status == 301 and moved.headers["Location"] == STORY + "-at-last"

        write(workdir, "world/new.md", "---\ntitle: [broken\n---\nBody\n")

        def said() -> subprocess.CompletedProcess[str] | None:
            status = syndication("status", cwd=workdir)
            return status if "ingest errors: 1" in status.stdout else None

        status = until(said, 2, "the broken file in the status")
        assert "content/world/new.md:2: the front matter is not valid YAML" in status.stdout
        page = server.get(STORY + "-at-last")
        assert page.status == 200 and "Harbour reopens at last" in page.body

        (workdir / "content" / "world" / "new.md").unlink()
        server.wait_for(STORY + "-at-last", 410, timeout=1.0)
        assert "ingest errors: 0" in syndication("status", cwd=workdir).stdout


def test_a_moved_folder_keeps_every_article(workdir: Path) -> None:
    write(workdir, "world/inner/a.md", article_text(title="Inner story"))
    with serving(workdir) as server:
        server.wait_for("/en/world/2024/03/01/inner-story", 200)
        (workdir / "content" / "business").mkdir()
        os.rename(workdir / "content/world/inner", workdir / "content/business/inner")
        server.wait_for("/en/business/2024/03/01/inner-story", 200, timeout=2.0)
        old = server.get("/en/world/2024/03/01/inner-story")
        assert old.status == 301
    db = sqlite3.connect(workdir / "syndication.db")
    assert db.execute("SELECT count(*) FROM articles WHERE title='Inner story'").fetchone() == (1,)


def test_sigterm_stops_the_server_cleanly(workdir: Path) -> None:
    with serving(workdir) as server:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_sigkill_in_the_middle_of_ingesting_2000_files(tmp_path: Path) -> None:
    files = 2000  # several batches of the writer: the kill lands between two of them
    content = tmp_path / "content"
    generate(content, files, seed=7)
    db = tmp_path / "syndication.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "syndication", "ingest", "--config", str(REPO / "syndication.toml")],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def halfway() -> int:
        """The articles committed, once some but not most are (an error before the schema
        exists: not yet)."""
        if process.poll() is not None:
            raise Stop("the ingest ended before it could be killed half-way")
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            committed = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        return committed if 0 < committed < files * 4 // 5 else 0

    committed = until(halfway, 120, "an ingest half-way", every=0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < committed < files, f"the kill did not land mid-ingest ({committed} committed)"
    # Its parse workers (and their forkserver, started from tmp_path) end with it.
    until(lambda: not _processes_mentioning(str(tmp_path)), 10, "no process of the killed ingest")

    again = syndication("ingest", cwd=tmp_path)
    assert again.returncode == 0, again.stderr

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute(
        "SELECT count(*), count(DISTINCT source_file) FROM articles"
    ).fetchone() == (files, files)
    assert conn.execute("SELECT count(*) FROM files").fetchone() == (files,)
    per_article = conn.execute(
        "SELECT count(*) FROM "
        "(SELECT article_id FROM changes GROUP BY article_id HAVING count(*) != 1)"
    ).fetchone()
    assert per_article == (0,)  # every file ingested exactly once
    assert conn.execute("SELECT count(*) FROM changes").fetchone() == (files,)
    fts = conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()  # docs indexed
    assert fts == (files,)
    assert (
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')").fetchall()
        == []
    )


def test_without_a_base_url_links_point_at_the_address_served(workdir: Path) -> None:
    """`serve --port P` with no base_url set links to port P, and the hub takes its feeds."""
    with serving(workdir, env={"SYNDICATION_BASE_URL": ""}) as server:
        port = server.base.rsplit(":", 1)[1]
        feed = server.get("/en/feed.atom").body
        assert f'href="http://127.0.0.1:{port}/en/feed.atom"' in feed
        assert "127.0.0.1:8080" not in feed
        page = server.get("/").body
        assert f"http://127.0.0.1:{port}/" in page
