"""Previews of drafts and scheduled stories: `syndication preview FILE` prints a signed link
that shows the story as it will be published, never cached nor indexed, and stops working
when the story is published or withdrawn, when the link ends, or when it is tampered with."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from syndication.archive.previews import NAME
from syndication.config import load_settings
from syndication.web.previews import preview_url
from tests.conftest import article_text
from tests.live import REPO, Server, serving, syndication

pytestmark = pytest.mark.processes

PRIVATE = "private, no-store"


def ended_link(workdir: Path, rel: str) -> str:
    """A link to the story signed as `syndication preview` signs them, that ended an hour
    ago: made two hours ago for one hour (no test waits for a link to end)."""
    with contextlib.closing(sqlite3.connect(workdir / "syndication.db")) as db:
        found = db.execute("SELECT id, version FROM articles WHERE source_file = ?", (rel,))
        article_id, version = found.fetchone()
        (secret,) = db.execute("SELECT value FROM meta WHERE name = ?", (NAME,)).fetchone()
    settings = load_settings(REPO / "syndication.toml", environ={})
    made = datetime.now(UTC) - timedelta(hours=2)
    return urlsplit(preview_url(settings, secret, article_id, version, 1, made)).path


def link(workdir: Path, rel: str, *extra: str) -> str:
    made = syndication("preview", str(workdir / "content" / rel), *extra, cwd=workdir)
    assert made.returncode == 0, made.stderr
    return urlsplit(made.stdout.strip()).path


def private(server: Server, path: str, status: int) -> str:
    answer = server.get(path)
    assert answer.status == status, (path, answer.status)
    assert answer.headers["Cache-Control"] == PRIVATE
    if status == 200:
        assert answer.headers["X-Robots-Tag"] == "noindex"
    return answer.body


def test_a_draft_is_previewed_as_it_will_be_published_until_it_is(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    draft = tmp_path / "content" / "world" / "draft.md"
    text = article_text(
        title="Quay plan goes to the council",
        published="2026-11-30T08:00:00+01:00",
        standfirst="A first look.",
        status="draft",
    )
    draft.write_text(text)
    with serving(tmp_path) as server:
        public = "/en/world/2026/11/30/quay-plan-goes-to-the-council"
        server.wait_for("/en/world/", 200)
        path = link(tmp_path, "world/draft.md")
        # the link names the port the running server took, not the default one
        made = syndication("preview", str(draft), cwd=tmp_path)
        assert made.stdout.startswith(server.base + "/preview/"), (made.stdout, server.base)
        page = private(server, path, 200)
        assert "<h1>Quay plan goes to the council</h1>" in page
        assert '<meta name="description" content="A first look.">' in page
        entry = page.split('<aside class="feed-entry"', 1)[1]  # as feeds will carry it
        assert "this story in feeds" in entry and "<h3>Quay plan goes to the council</h3>" in entry
        assert server.get(public).status == 404  # still not public
        signature = path.rsplit(".", 1)[1]
        forged = path[: -len(signature)] + ("A" if signature[0] != "A" else "B") + signature[1:]
        private(server, forged, 404)
        private(server, "/preview/" + "x" * 700, 404)
        private(server, "/preview/not.one", 404)
        private(server, ended_link(tmp_path, "world/draft.md"), 410)

        draft.write_text(text.replace("status: draft\n", ""))
        server.wait_for(public, 200)
        moved = server.get(path)  # published: the link leads to the page readers see
        assert moved.status == 303 and moved.headers["Location"] == public
        readers = server.get(public)
        assert readers.status == 200 and "<h1>Quay plan goes to the council</h1>" in readers.body
        assert "preview-mark" not in readers.body
        refused = syndication("preview", str(draft), cwd=tmp_path)
        assert (
            refused.returncode == 2
            and f"is live: its page is {server.base}{public}" in refused.stderr
        )
    # stopped, the server's address is forgotten: no link names a port nothing answers on
    after = syndication("preview", str(draft), cwd=tmp_path)
    assert server.base not in after.stderr and "http://127.0.0.1:8080" in after.stderr


def test_a_scheduled_story_is_previewed_and_unknown_files_are_refused(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content" / "world" / "later.md").write_text(
        article_text(title="Budget under embargo", published="2099-01-05T09:00:00+01:00")
    )
    with serving(tmp_path) as server:
        server.wait_for("/en/world/", 200)
        assert "Budget under embargo" in private(server, link(tmp_path, "world/later.md"), 200)
        unknown = syndication("preview", "world/nothing.md", cwd=tmp_path)
        assert unknown.returncode == 2 and "not a story the archive holds" in unknown.stderr
        never = syndication("preview", "world/later.md", "--hours", "0", cwd=tmp_path)
        assert never.returncode == 2 and "--hours" in never.stderr
