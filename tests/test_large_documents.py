"""Large documents are made off the event loop: a month's sitemap (30,000 stories once kept
static files waiting 2.1 s behind it) is shaped, built, hashed and compressed on a thread, so
the loop answers other requests meanwhile. (Its cost: `docs/benchmarks.md`.)"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from syndication.clock import SetClock
from syndication.config import Settings
from syndication.publish import sitemaps
from syndication.web.app import create_app
from tests.conftest import Newsroom, article_text

Client = TestClient[Any, Any]


async def test_a_months_sitemap_is_built_on_a_thread_not_the_loop(
    newsroom: Newsroom,
    clock: SetClock,
    aiohttp_client: Callable[..., Awaitable[Client]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(200):
        newsroom.write(
            f"world/s{n}.md",
            article_text(title=f"Story {n}", published=f"2026-10-{1 + n % 28:02d}T09:00:00Z"),
        )
    settings: Settings = newsroom.settings
    client = await aiohttp_client(create_app(settings, clock))
    built_on: list[threading.Thread] = []
    real = sitemaps.month_sitemap

    def recording(*args: Any) -> bytes:  # the real builder, noting where it ran
        built_on.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(sitemaps, "month_sitemap", recording)
    answer = await client.get("/sitemaps/2026-10.xml", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200 and answer.headers["Content-Encoding"] == "gzip"
    assert (await answer.text()).count("<url>") == 200
    assert built_on and all(t is not threading.main_thread() for t in built_on)
