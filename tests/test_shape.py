"""The whole local shape past one machine (tests/shape.py): a primary replicating with
Litestream and purging Varnish, a replica following it, Varnish in front of both. What an
editor saves reaches readers through the edge and on the replica; a withdrawal and a
retitle reach the edge at once; the replica keeps serving when the primary dies, and once
promoted takes edits while partners' cursors go on."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import article_text
from tests.live import Server, serving, syndication
from tests.shape import Shape, whole_shape
from tests.test_partner_e2e import Puller, add_partner, title
from tests.waiting import until

pytestmark = [pytest.mark.tools("varnishd"), pytest.mark.processes]

STORY = "world/pilots.md"
PATH = "/en/world/2026/11/20/harbour-pilots-agree-a-new-rota"


def story(title: str = "Harbour pilots agree a new rota", **fields: object) -> str:
    return article_text(
        title=title,
        published="2026-11-20T08:00:00+01:00",
        body="The pilots' association and the port authority signed the rota on Friday.",
        **fields,
    )


@pytest.fixture(scope="module")
def shape(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shape]:
    workdir = tmp_path_factory.mktemp("shape")
    with whole_shape(workdir) as found:
        (workdir / "content" / STORY).write_text(story())
        found.primary.wait_for(PATH, 200)
        until(lambda: found.replica.get(PATH).status == 200, 15, "the replica has the story")
        yield found


def cached_at_edge(edge: Server, path: str) -> None:
    """Ask until Varnish answers from its cache."""
    until(lambda: edge.get(path).headers.get("X-Cache") == "HIT", 5, f"{path} is cached")


def test_answers_carry_tags_and_explicit_lifetimes(shape: Shape) -> None:
    page = shape.primary.get(PATH)
    assert "site" in page.headers["xkey"].split() and page.headers["Surrogate-Control"]
    at_edge = shape.edge.get(PATH)
    assert "xkey" not in at_edge.headers and "Surrogate-Control" not in at_edge.headers
    missing = shape.edge.get("/en/world/2026/11/20/no-such-story")
    assert missing.status == 404 and missing.headers["Cache-Control"] == "public, max-age=30"
    for path in ("/api/v1/changes", "/metrics", "/websub"):
        assert shape.edge.get(path).headers.get("X-Cache") != "HIT"
        assert shape.edge.get(path).headers.get("X-Cache") != "HIT"


def test_an_edit_reaches_the_edge_and_the_replica(shape: Shape) -> None:
    cached_at_edge(shape.edge, PATH)
    (shape.workdir / "content" / STORY).write_text(
        story().replace("on Friday.", "on Friday after a week of talks.")
    )
    saved = time.monotonic()
    until(lambda: "week of talks" in shape.edge.get(PATH).body, 3, "the edit at the edge")
    until(lambda: "week of talks" in shape.replica.get(PATH).body, 10, "the edit on the replica")
    assert time.monotonic() - saved < 10


def test_a_withdrawal_answers_410_through_the_edge_and_a_restoration_200(shape: Shape) -> None:
    path = "/en/world/2026/11/21/a-story-taken-down"
    text = article_text(title="A story taken down", published="2026-11-21T08:00:00+01:00")
    file = shape.workdir / "content" / "world" / "taken-down.md"
    file.write_text(text)
    shape.primary.wait_for(path, 200)
    cached_at_edge(shape.edge, path)
    file.write_text(text.replace("---\n\n", "status: withdrawn\n---\n\n", 1))
    until(lambda: shape.edge.get(path).status == 410, 3, "410 at the edge")
    gone = shape.edge.get(path)
    assert gone.headers["Cache-Control"] == "public, max-age=60"
    cached_at_edge(shape.edge, path)  # a 410 is kept, and purged when the story comes back
    file.write_text(text)
    until(lambda: shape.edge.get(path).status == 200, 3, "200 at the edge again")


def test_a_retitled_storys_old_address_answers_301_through_the_edge(shape: Shape) -> None:
    old = "/en/world/2026/11/22/ferry-timetable-changes"
    new = "/en/world/2026/11/22/ferry-timetable-changes-for-winter"
    file = shape.workdir / "content" / "world" / "ferry.md"
    text = article_text(title="Ferry timetable changes", published="2026-11-22T08:00:00+01:00")
    file.write_text(text)
    shape.primary.wait_for(old, 200)
    cached_at_edge(shape.edge, old)
    file.write_text(text.replace("Ferry timetable changes", "Ferry timetable changes for winter"))
    moved = until(lambda: (r := shape.edge.get(old)).status == 301 and r, 3, "301 at the edge")
    assert moved.headers["Location"].endswith(new)
    assert moved.headers["Cache-Control"] == "public, max-age=300"


def test_the_replica_sends_partners_and_the_hub_to_the_primary(shape: Shape) -> None:
    answer = shape.replica.get("/api/v1/changes?limit=1")
    assert answer.status == 307
    assert answer.headers["Location"] == shape.primary.base + "/api/v1/changes?limit=1"
    assert shape.replica.get("/websub").status == 307


def test_the_replica_serves_when_the_primary_dies_and_promoted_takes_edits(
    shape: Shape,
) -> None:
    workdir = shape.workdir
    key = add_partner(workdir, "Coast Weekly", "--sections", "world")
    puller = Puller(shape.primary, key)
    assert puller.pull()
    head = shape.primary.get("/en/world/").body
    until(lambda: shape.replica.get("/en/world/").body == head, 10, "the replica caught up")
    until(lambda: _partners_in(workdir / "replica" / "copy.db"), 10, "the partner replicated")
    os.kill(shape.primary.process.pid, signal.SIGKILL)
    shape.primary.process.wait()
    assert shape.replica.get(PATH).status == 200
    # The edge finds the primary sick and sends what it has not kept to the replica.
    until(lambda: shape.edge.get("/en/culture/").status == 200, 10, "the edge uses the replica")
    assert shape.edge.get("/en/world/").status == 200

    copy = workdir / "replica" / "copy.db"
    promoted = syndication(
        "promote", "--db", str(copy), "--content", str(workdir / "content"), cwd=workdir
    )
    assert promoted.returncode == 0, promoted.stderr
    shape.replica.process.wait(timeout=30)  # promote stopped its following
    again = syndication("serve", "--replica", str(shape.store), "--db", str(copy), cwd=workdir)
    assert again.returncode != 0 and "not a replica's copy" in again.stderr  # refuses, keeps it
    with serving(workdir, "--db", str(copy)) as new_primary:
        (workdir / "content" / "world" / "after.md").write_text(
            article_text(title="Pilots return to work", published="2026-11-23T08:00:00+01:00")
        )
        new_primary.wait_for("/en/world/2026/11/23/pilots-return-to-work", 200)
        puller.server = new_primary
        assert "Pilots return to work" in [title(i) for i in puller.pull()]


def _partners_in(copy: Path) -> int:
    """Partners the replica's copy holds (read without a lock Litestream would wait on)."""
    with contextlib.closing(sqlite3.connect(f"file:{copy}?immutable=1", uri=True)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM partners").fetchone()[0])
        except sqlite3.DatabaseError:  # a page being written: ask again
            return 0
