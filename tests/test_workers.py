"""`syndication serve --workers 2`: one writer, two readers on one port, restarts, draining."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import article_text
from tests.live import REPO, syndication
from tests.waiting import until

pytestmark = pytest.mark.processes


def get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def reader_pids(base: str, tries: int = 60) -> set[int]:
    """The readers answering `tries` connections (one being replaced may refuse some)."""
    pids = set()
    for _ in range(tries):
        with contextlib.suppress(OSError, ValueError):
            pids.add(json.loads(get(base, "/healthz")[1])["pid"])
    return pids


def two_readers(base: str) -> set[int]:
    """The two readers' pids, once two answer; none until then."""
    pids = reader_pids(base, tries=20)
    return pids if len(pids) == 2 else set()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_writer_two_readers_on_one_port(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    supervisor = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndication",
            "serve",
            "--workers",
            "2",
            "--port",
            "0",  # the supervisor holds a port the kernel picks and names it
            "--config",
            str(REPO / "syndication.toml"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert supervisor.stdout is not None
        line = supervisor.stdout.readline()
        assert "with 2 reader processes" in line
        base = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)[1]  # type: ignore[index]
        until(lambda: get_status(base) == 200, 20, "a reader answering")
        # the second may still be starting
        pids = until(lambda: two_readers(base), 20, "two readers answering")
        assert supervisor.pid not in pids

        # One rate budget per partner across the readers: 10 a minute is 10, not 10 each.
        added = syndication(
            "partners", "add", "Ten", "--sections", "world", "--rate", "10", cwd=tmp_path
        )
        key = re.search(r"^key: (\S+)$", added.stdout, re.M)
        assert key is not None, added.stderr
        answers = [
            api_status(base, "/api/v1/changes?limit=1", key[1]) for _ in range(30)
        ]  # each on a connection of its own, spread over the readers by the kernel
        assert answers.count(200) <= 11 and answers.count(429) >= 19, answers

        # /metrics describes the whole service, whichever reader answers: the writer's
        # ingest figures, and the refusals of both readers added up (each process leaves its
        # figures every second).
        refused = (
            'syndication_http_requests_total{method="GET",route="/api/v1/changes",status="429"}'
        )

        def whole(text: str) -> bool:
            published = r'syndication_ingest_files_total\{outcome="published"\} [1-9]'
            line = next((ln for ln in text.splitlines() if ln.startswith(refused)), "x 0")
            return bool(re.search(published, text)) and float(line.split()[-1]) == answers.count(
                429
            )

        until(  # four answers in a row, from either reader
            lambda: all(whole(get(base, "/metrics")[1]) for _ in range(4)),
            5,
            "the figures of every process, whichever reader answers",
        )

        # A change made by the writer is seen within a second, and then by every reader.
        (tmp_path / "content" / "world" / "new.md").write_text(
            article_text(title="Lock gates replaced", published="2026-11-27T10:00:00+01:00")
        )
        path = "/en/world/2026/11/27/lock-gates-replaced"
        until(lambda: get(base, path)[0] == 200, 1.0, "the change visible within 1 s")
        until(lambda: {get(base, path)[0] for _ in range(30)} == {200}, 3.0, "by every reader")

        # A reader that dies is replaced; the port keeps answering meanwhile.
        victim = sorted(pids)[0]
        os.kill(victim, signal.SIGKILL)
        answered = sum(get_status(base) == 200 for _ in range(40))
        assert answered >= 30
        children = until(
            lambda: victim not in (now := two_readers(base)) and now,
            10,
            "a reader in place of the one killed",
        )
    finally:
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(timeout=40)
    assert code == 0, supervisor.stderr.read() if supervisor.stderr else ""
    assert not any(alive(pid) for pid in children)


def api_status(base: str, path: str, key: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code


def get_status(base: str) -> int:
    try:
        return get(base, "/readyz")[0]
    except OSError:
        return 0
