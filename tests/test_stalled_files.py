"""A folder of content/ on a file system that stops answering (a network or FUSE mount whose
server hung), mounted for real (FUSE, tests/stalled_fs.py): the files it holds that can be
read come in, the one that hangs is refused with a line saying so, the site keeps serving,
and a writer held by the system shows in `status`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import article_text
from tests.live import REPO, serving, syndication
from tests.waiting import until

pytestmark = [pytest.mark.processes, pytest.mark.root]  # mounts a FUSE file system


@dataclass
class Stalling:
    backing: Path  # what the mount shows, written to directly by the test
    mountpoint: Path  # content/world
    server: subprocess.Popen[bytes]

    def abort(self) -> None:
        """What an operator does for a hung mount: calls waiting on it fail, and it is gone."""
        if self.server.poll() is None:
            self.server.kill()
            self.server.wait(timeout=10)
        subprocess.run(["umount", "-l", str(self.mountpoint)], check=False)


@pytest.fixture
def stalling(tmp_path: Path) -> Iterator[Stalling]:
    """content/world mounted from a backing folder through a file system that can hang."""
    backing, mountpoint = tmp_path / "backing", tmp_path / "content" / "world"
    backing.mkdir()
    mountpoint.mkdir(parents=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.stalled_fs", str(backing), str(mountpoint)], cwd=REPO
    )
    mounted = Stalling(backing, mountpoint, server)
    try:
        until(lambda: os.path.ismount(mountpoint), 10, "the FUSE file system mounted")
        yield mounted
    finally:
        mounted.abort()


def stories(backing: Path, count: int) -> None:
    for n in range(count):
        (backing / f"story-{n}.md").write_text(
            article_text(title=f"Held folder story {n}", published="2024-03-02")
        )


@pytest.mark.parametrize("count", [3, 320])  # read on a thread; read by a pool of processes
def test_a_file_whose_read_hangs_is_refused_and_the_rest_come_in(
    tmp_path: Path, stalling: Stalling, count: int
) -> None:
    backing = stalling.backing
    stories(backing, count)
    (backing / "hang-read.md").write_text(article_text(title="Never read"))
    env = {"SYNDICATION_FILE_READ_SECONDS": "1"}
    with serving(tmp_path, env=env) as server:
        assert server.get("/readyz").status == 200
        for n in (0, count - 1):
            story = server.get(f"/en/world/2024/03/02/held-folder-story-{n}")
            assert story.status == 200, n
        status = syndication("status", "--json", cwd=tmp_path)
        errors = json.loads(status.stdout)["errors"]
        assert [e["file"] for e in errors] == ["world/hang-read.md"], errors
        assert "could not be read within 1 s" in errors[0]["message"], errors


def test_a_scan_held_by_a_stat_that_hangs_shows_in_status_and_ends_when_the_mount_goes(
    tmp_path: Path, stalling: Stalling
) -> None:
    stories(stalling.backing, 2)
    (stalling.backing / "hang-stat.md").write_text(article_text(title="Never seen"))
    env = {**os.environ, "SYNDICATION_WRITER_STALL_SECONDS": "1"}
    command = [sys.executable, "-m", "syndication", "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--config", str(REPO / "syndication.toml")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def stuck() -> subprocess.CompletedProcess[str] | None:
            status = syndication("status", cwd=tmp_path)
            return status if "got no further" in status.stdout else None

        status = until(stuck, 20, "status saying the writer is stuck")
        assert status.returncode == 1 and "writes: FAILING" in status.stdout, status.stdout
        process.send_signal(signal.SIGTERM)
        # A stat the file system never answers holds its thread in the kernel, where no
        # signal reaches it (not even SIGKILL): the process cannot end while the mount hangs.
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=3)
        stalling.abort()
        process.wait(timeout=15)  # and ends by itself, without another signal, once it is gone
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert "Traceback" not in (process.stderr.read().decode() if process.stderr else "")
    # The archive's lock went with it: the next writer takes it at once.
    again = syndication("ingest", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
