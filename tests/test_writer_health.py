"""A writer that stops getting on is seen, and never keeps the server from stopping.

The archive's one writer does everything that writes, one task at a time. A task that gets
no further for `writer_stall_seconds` (a read the system does not answer) makes /readyz
answer 503 saying so, and `status` too, until it gets on; at a stop, a writer that does not
finish its task in time is abandoned rather than waited for forever (serve.py then ends the
process, which releases the archive's lock)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from syndication.clock import SetClock
from syndication.ingest import health, service
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, make_settings
from tests.waiting import until_async

Client = TestClient[Any, Any]


@pytest.fixture
async def client(
    tmp_path: Path, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    settings = make_settings(tmp_path, writer_stall_seconds=0.2)
    (settings.content_dir / "world").mkdir()
    (settings.content_dir / "world" / "a.md").write_text(article_text())
    return await aiohttp_client(create_app(settings, clock))


async def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    answer = await client.get("/readyz")
    return answer.status, await answer.json()


async def test_a_writer_that_gets_no_further_makes_readyz_say_so_until_it_does(
    client: Client,
) -> None:
    assert (await _ready(client))[0] == 200
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    held = threading.Event()
    task = asyncio.create_task(ingest.write(lambda conn: held.wait(30)))  # a task held

    async def stuck() -> dict[str, Any] | None:
        status, body = await _ready(client)
        return body if status == 503 else None

    body = await until_async(stuck, 5, "/readyz 503 for a writer held")
    assert "got no further" in body["writes"]["reason"], body
    said = health.read(client.app[SERVICES].settings.db_path)  # what `status` prints
    assert said is not None and "got no further" in said.describe()
    held.set()
    await task
    await until_async(lambda: _ok(client), 5, "/readyz 200 once it got on")


async def _ok(client: Client) -> bool:
    return (await _ready(client))[0] == 200


async def test_a_stop_does_not_wait_forever_for_a_writer_held(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "STOP_SECONDS", 0.5)
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    held = threading.Event()
    task = asyncio.create_task(ingest.write(lambda conn: held.wait(30)))
    await until_async(lambda: ingest._busy_since is not None, 5, "the writer held")
    started = time.monotonic()
    await ingest.stop()
    assert ingest.abandoned and time.monotonic() - started < 3
    held.set()  # let the thread end, as the process's end would have
    task.cancel()
