"""No request makes a 5xx: the inputs an outside test found, and a generated short profile of
the whole public surface (tests/fuzz_surface.py; `make fuzz` runs 20,000 requests)."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from itertools import islice
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.config import Settings
from syndication.web.app import create_app
from tests.conftest import examples, set_clock
from tests.fuzz_surface import run
from tests.live import REPO, serving

Client = TestClient[Any, Any]
DIGITS = "9" * 5000


@pytest.fixture
async def keyed(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> tuple[Client, dict[str, str]]:
    conn = open_writer(site.db_path, set_clock())
    key = PartnerStore(conn, set_clock()).add("Coast Weekly", ["world"])[1]
    conn.close()
    return await aiohttp_client(create_app(site, set_clock())), {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/changes?limit=%C2%B2", 400),  # "²".isdigit() is True; int("²") fails
        (f"/api/v1/changes?limit={DIGITS}", 400),
        (f"/api/v1/changes?wait={DIGITS}", 400),
        (f"/api/v1/items?page={DIGITS}", 400),
        ("/api/v1/items?since=0001-01-01T00:00:00%2B01:00", 400),
        ("/api/v1/items?until=9999-12-31T23:59:59-01:00", 400),
        ("/en/0001/01/", 404),
        ("/en/9999/12/31/", 404),
        ("/en/0001/", 404),
        ("/media/a%00.png", 404),
        ("/static/a%00.css", 404),
        ("/static/" + "x" * 300, 404),  # found by the generated walk: ENAMETOOLONG
        ("/media/" + "y" * 300 + ".png", 404),
        ("/en/world/?page=%C2%B2", 400),
        ("/en/search?q=harbour&page=%C2%B2", 400),
        (f"/en/topic/ports-and-shipping/?page={DIGITS}", 400),
    ],
)
async def test_malformed_inputs_the_outside_test_found_are_4xx(
    keyed: tuple[Client, dict[str, str]], path: str, status: int
) -> None:
    client, headers = keyed
    response = await client.get(path, headers=headers)
    assert response.status == status, await response.text()
    body = await response.text()
    assert body and ("error" in body or "<!DOCTYPE html>" in body)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"hub.mode=subscribe&hub.topic=http%3A%2F%2Fnews.test%2Fen%2Ffeed.atom"
            b"&hub.callback=http%3A%2F%2F93.184.216.34%2Fcb&hub.lease_seconds=%C2%B2",
            "application/x-www-form-urlencoded",
        ),
        (
            b'--x\r\nContent-Disposition: form-data; name="hub.mode"\r\n\r\nsub',  # cut short
            "multipart/form-data; boundary=x",
        ),
        (b"\xff\xfe", "multipart/form-data"),
    ],
)
async def test_malformed_hub_requests_are_400(
    keyed: tuple[Client, dict[str, str]], body: bytes, content_type: str
) -> None:
    client, _ = keyed
    response = await client.post("/websub", data=body, headers={"Content-Type": content_type})
    assert response.status == 400 and response.content_type == "text/plain"  # WebSub 5.1.2


def test_a_generated_walk_of_the_public_surface_gets_no_5xx() -> None:
    made, failures = run(examples(600))
    assert made >= examples(600) and failures == []


async def _hammer(base: str, paths: list[str], concurrency: int = 8) -> dict[int, int]:
    statuses: dict[int, int] = {}
    queue = list(reversed(paths))

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            async with session.get(base + queue.pop()) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return statuses


def _memory_mb(pid: int, field: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of a process, in MB."""
    with open(f"/proc/{pid}/status") as handle:
        line = next(line for line in handle if line.startswith(f"{field}:"))
    return int(line.split()[1]) / 1024


@pytest.mark.processes
def test_made_up_urls_and_query_strings_do_not_grow_a_server_past_its_budget(
    tmp_path: Path,
) -> None:
    """Requests for topics that do not exist (each a 404 that used to leave a lock behind,
    some 400 bytes) and distinct query strings on one page (each a new cache key, a rebuild
    and a remembered target, until the budget): after a first 5,000 of each fill what may be
    filled, 10,000 more grow the process by under 2 MB (a leak of 200 bytes a request would
    show), and it stays within response_cache_mb + 100 MB."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    budget_mb = 16  # small, so that 5,000 targets fill what the fast lane may remember
    with serving(tmp_path, env={"SYNDICATION_RESPONSE_CACHE_MB": str(budget_mb)}) as server:
        pid = server.process.pid
        made_up = (f"/en/topic/made-up-{n}/" for n in range(15_000))
        variants = (f"/en/world/?utm_source=x{n}&ref={n * 7}" for n in range(15_000))
        for paths, status in ((made_up, 404), (variants, 200)):
            assert asyncio.run(_hammer(server.base, list(islice(paths, 5_000)))) == {status: 5_000}
            filled = _memory_mb(pid, "VmRSS")
            assert asyncio.run(_hammer(server.base, list(paths))) == {status: 10_000}
            grown = _memory_mb(pid, "VmRSS") - filled
            print(f"{status}s: {grown:.1f} MB more after 10,000 more")  # for the record
            assert grown < 2, f"{grown:.1f} MB more after 10,000 requests answered {status}"
        peak = _memory_mb(pid, "VmHWM")
        metrics = server.get("/metrics").body
    print(f"peak resident memory {peak:.0f} MB (budget {budget_mb} + 100 MB)")  # for the record
    assert peak < budget_mb + 100, f"{peak:.0f} MB"
    builds = float(re.search(r"^syndication_cache_builds_total (\S+)$", metrics, re.M)[1])  # type: ignore[index]
    assert builds < 10, builds  # one entry for /en/world/, however many query strings
