"""Debian's nginx with deploy/nginx.conf in front of `syndication serve`: the cache tier of
docker-compose.yml, on 127.0.0.1. Also: the deployment files hold together."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import article_text
from tests.live import REPO, Server, free_port, serving, syndication

DEPLOY = REPO / "deploy" / "nginx.conf"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def nginx_config(workdir: Path, app_port: int, port: int) -> Path:
    """deploy/nginx.conf with its upstream, address and paths pointed at this machine."""
    text = DEPLOY.read_text()
    for old, new in (
        ("set $app http://app:8080;", f"set $app http://127.0.0.1:{app_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("/var/cache/nginx-syndication", str(workdir / "cache")),
        ("pid /tmp/nginx.pid;", f"pid {workdir / 'nginx.pid'};"),
    ):
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    conf = workdir / "nginx.conf"
    conf.write_text(text)
    return conf


@pytest.fixture
def tier(tmp_path: Path) -> Iterator[tuple[Server, str, Path]]:
    shutil.copytree(REPO / "content", tmp_path / "content")
    port = free_port()
    env = {"SYNDICATION_FEED_MAX_AGE": "2", "SYNDICATION_PAGE_MAX_AGE": "2"}
    with serving(tmp_path, env=env) as app:
        app_port = int(app.base.rsplit(":", 1)[1])
        conf = nginx_config(tmp_path, app_port, port)
        (tmp_path / "cache").mkdir()
        # Started as root (as CI does), nginx would run its workers as `nobody`, who may not
        # enter the test's private temporary folder.
        extra = " user root;" if os.geteuid() == 0 else ""
        nginx = subprocess.Popen(
            ["nginx", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;" + extra],
            stderr=subprocess.PIPE,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    fetch(base + "/healthz")
                    break
                except OSError:
                    assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            yield app, base, tmp_path
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def test_nginx_caches_feeds_and_pages_and_follows_changes(tier: tuple[Server, str, Path]) -> None:
    app, base, workdir = tier
    feed = "/en/world/feed.atom"
    first = fetch(base + feed)
    second = fetch(base + feed)
    assert first[0] == second[0] == 200
    assert first[1]["X-Cache-Status"] == "MISS" and second[1]["X-Cache-Status"] == "HIT"
    assert second[2] == app.get(feed).body.encode()  # the same bytes as the app's
    assert second[1]["Cache-Control"].startswith("public, max-age=2")

    zipped = [fetch(base + feed, {"Accept-Encoding": "gzip"}) for _ in range(2)]
    assert zipped[1][1]["Content-Encoding"] == "gzip"  # the app's gzip, passed through
    assert zipped[1][1]["X-Cache-Status"] == "HIT"
    assert gzip.decompress(zipped[1][2]) == second[2]

    page = "/en/world/"
    fetch(base + page)
    assert fetch(base + page)[1]["X-Cache-Status"] == "HIT"

    (workdir / "content" / "world" / "fresh.md").write_text(
        article_text(title="Quay lights repaired", published="2026-11-27T11:00:00+01:00")
    )
    app.wait_for(feed, 200, contains="Quay lights repaired")
    started = time.monotonic()
    while b"Quay lights repaired" not in fetch(base + feed)[2]:
        assert time.monotonic() - started < 6, "the change did not reach the cache tier"
        time.sleep(0.2)


def test_the_partner_api_is_never_cached(tier: tuple[Server, str, Path]) -> None:
    _, base, workdir = tier
    added = syndication("partners", "add", "Tier", "--sections", "world", cwd=workdir)
    key = re.search(r"^key: (\S+)$", added.stdout, re.M)
    assert key is not None
    headers = {"Authorization": f"Bearer {key[1]}"}
    answers = [fetch(base + "/api/v1/items", headers) for _ in range(2)]
    for status, response_headers, _ in answers:
        assert status == 200
        assert response_headers["Cache-Control"] == "private, no-store"
        assert response_headers.get("X-Cache-Status", "") == ""  # nginx did not even look
    assert fetch(base + "/api/v1/items")[0] == 401  # and never answers for the app


def test_nginx_serves_stale_feeds_while_the_app_is_down(tier: tuple[Server, str, Path]) -> None:
    app, base, _ = tier
    feed = "/en/feed.rss"
    good = fetch(base + feed)
    deadline = time.monotonic() + 5
    while fetch(base + feed)[1].get("X-Cache-Status") != "HIT":  # stored in the cache
        assert time.monotonic() < deadline, "nginx never stored the feed"
        time.sleep(0.1)
    assert good[0] == 200
    app.process.terminate()
    app.process.wait(timeout=10)
    # Every answer is the last good feed; once its max-age (2 s) has passed nginx asks the
    # app, finds it gone, and says it served a stale copy.
    deadline = time.monotonic() + 8
    while True:
        status, headers, body = fetch(base + feed)
        assert status == 200 and body == good[2], (status, headers)
        if headers["X-Cache-Status"] in ("STALE", "UPDATING"):
            break
        assert time.monotonic() < deadline, headers
        time.sleep(0.25)


def test_the_deployment_files_hold_together(tmp_path: Path) -> None:
    """docker-compose.yml validates, nginx accepts deploy/nginx.conf, and the Dockerfile
    copies only files that exist and runs the command the docs give."""
    compose = subprocess.run(
        ["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert compose.returncode == 0, compose.stderr
    conf = DEPLOY
    if os.geteuid() != 0:  # only root may create the cache folder under /var/cache
        conf = tmp_path / "nginx.conf"
        cache = str(tmp_path / "cache")
        conf.write_text(DEPLOY.read_text().replace("/var/cache/nginx-syndication", cache))
    checked = subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    dockerfile = (REPO / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), f"the Dockerfile copies {source}, not in the repo"
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert command is not None
    words = " ".join(json.loads(command[1]))
    assert words.startswith("syndication serve --workers 2")
    assert "syndication serve --workers 2" in (REPO / "docs" / "operations.md").read_text()
