"""/metrics, /healthz, /readyz and the JSON access log."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from syndication.config import Settings
from syndication.web.app import create_app
from tests.conftest import set_clock
from tests.live import REPO, serving, syndication

Client = TestClient[Any, Any]


async def test_metrics_count_requests_cache_and_ingest(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    client = await aiohttp_client(create_app(site, set_clock()))
    for _ in range(3):
        assert (await client.get("/en/world/feed.atom")).status == 200
    assert (await client.get("/en/no-such-section/")).status == 404
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = await response.text()
    feed = 'route="/{edition}/{key}/feed.{fmt}"'
    assert f'syndication_http_requests_total{{method="GET",{feed},status="200"}} 3.0' in text
    assert 'status="404"' in text
    buckets = [
        line
        for line in text.splitlines()
        if line.startswith("syndication_http_request_seconds_bucket") and feed in line
    ]
    assert buckets and buckets[-1].endswith(" 3.0") and 'le="+Inf"' in buckets[-1]
    assert "syndication_cache_hits_total 2.0" in text  # built once, then served twice
    assert "syndication_cache_hit_ratio" in text
    seq = re.search(r"syndication_change_sequence (\d+)", text)
    assert seq and int(seq[1]) > 0
    published = re.search(r'syndication_ingest_files_total\{outcome="published"\} (\d+)', text)
    assert published and int(published[1]) > 20
    assert 'syndication_websub_deliveries_total{kind="hub",outcome="delivered"}' in text
    ready = await client.get("/readyz")
    assert ready.status == 200
    body = await ready.json()
    assert (body["ok"], body["archive"], body["ingest_caught_up"]) == (True, True, True)
    assert body["writes"]["ok"] is True and body["writes"]["waiting"] == 0
    assert "syndication_writes_failing 0.0" in text
    assert (await client.get("/healthz")).status == 200


@pytest.mark.processes
def test_the_access_log_is_json_and_never_holds_a_key(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    added = syndication("partners", "add", "Logged", "--sections", "world", cwd=tmp_path)
    key = re.search(r"^key: (\S+)$", added.stdout, re.M)
    assert key is not None
    with serving(tmp_path, env={"SYNDICATION_ACCESS_LOG": "true"}) as server:
        request = urllib.request.Request(
            server.base + "/api/v1/items?q=harbour",
            headers={"Authorization": f"Bearer {key[1]}"},
        )
        urllib.request.urlopen(request, timeout=5).read()
        for _ in range(2):  # aiohttp answers the first, the fast lane the second
            urllib.request.urlopen(server.base + "/en/world/feed.atom?x=1", timeout=5).read()
    assert server.process.stderr is not None
    stderr = server.process.stderr.read().decode()
    assert key[1] not in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    api = [line for line in lines if line["path"] == "/api/v1/items"]
    assert api and api[0]["status"] == 200 and api[0]["query"] == "q=harbour"
    assert {"at", "remote", "method", "bytes", "ms", "agent"} <= set(api[0])
    feeds = [line for line in lines if line["path"] == "/en/world/feed.atom"]
    assert len(feeds) == 2 and feeds[0].keys() == feeds[1].keys()
    assert [(f["status"], f["query"], f["bytes"]) for f in feeds] == [
        (200, "x=1", feeds[0]["bytes"])
    ] * 2
    assert feeds[1]["agent"].startswith("Python-urllib")


async def test_metrics_answer_only_the_operators_networks_or_token(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    elsewhere = replace(site, metrics_networks=("10.0.0.0/8",), metrics_token="s3cret")
    client = await aiohttp_client(
        create_app(elsewhere, set_clock())
    )  # the test client is 127.0.0.1
    refused = await client.get("/metrics")
    assert refused.status == 403 and "not open" in await refused.text()
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 403
    opened = await client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert opened.status == 200 and "syndication_http_requests" in await opened.text()
