"""The front page as editors shape it: `placement: lead | top`, with an optional end."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from syndication.clock import SetClock
from syndication.config import Settings
from syndication.ingest.check import check_paths
from syndication.web.app import create_app
from tests.conftest import set_clock

Client = TestClient[Any, Any]


def _story(folder: Path, name: str, title: str, published: str, extra: str = "") -> None:
    (folder / name).write_text(
        f"---\ntitle: {title}\npublished: {published}\nsection: world\n{extra}---\n\n"
        "Two short sentences of body. Nothing more is needed here.\n",
        encoding="utf-8",
    )


def _lead_and_top(text: str) -> tuple[str, list[str]]:
    lead = re.search(r'<article class="lead">.*?<h2><a href="[^"]+">([^<]+)</a>', text, re.S)
    top = re.search(r'<ol class="teasers top">(.*?)</ol>', text, re.S)
    assert lead and top
    return lead[1], re.findall(r'<h2><a href="[^"]+">([^<]+)</a>', top[1])


async def test_editors_place_the_lead_and_top_stories_until_the_time_they_give(
    site: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    folder = site.content_dir / "world"
    soon = (clock.now() + timedelta(seconds=3)).isoformat(timespec="seconds")
    _story(
        folder, "old-lead.md", "An old story placed as the lead", "2021-05-04", "placement: lead\n"
    )
    _story(
        folder, "top-for-now.md", "A story on top for three seconds", "2021-05-03",
        f"placement: top\nplacement_until: {soon}\n",
    )  # fmt: skip
    _story(
        folder, "ended.md", "A placement that has ended", "2021-05-02",
        "placement: top\nplacement_until: 2021-06-01\n",
    )  # fmt: skip
    client = await aiohttp_client(create_app(site, clock))
    lead, top = _lead_and_top(await (await client.get("/en/")).text())
    assert lead == "An old story placed as the lead"
    assert top[0] == "A story on top for three seconds" and len(top) == 4
    assert "A placement that has ended" not in top
    clock.advance(3)  # the placement ends: the cached page is built again
    lead, top = _lead_and_top(await (await client.get("/en/")).text())
    assert lead == "An old story placed as the lead"
    assert "A story on top for three seconds" not in top and len(top) == 4
    newest = await (await client.get("/fr/")).text()  # another edition is not touched
    assert "An old story placed" not in newest


async def test_a_placement_an_editor_cannot_mean_is_refused_with_its_line(
    site: Settings, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    folder = site.content_dir / "world"
    _story(folder, "a.md", "Placed in the middle", "2021-05-04", "placement: middle\n")
    _story(folder, "b.md", "Until with no place", "2021-05-04", "placement_until: 2030-01-01\n")
    _story(
        folder, "c.md", "Ends before it starts", "2021-05-04",
        "placement: lead\nplacement_until: 2020-01-01\n",
    )  # fmt: skip
    client = await aiohttp_client(create_app(site, set_clock()))
    front = await (await client.get("/en/")).text()
    assert "Placed in the middle" not in front and "Ends before" not in front
    report = check_paths(site, [folder / "a.md", folder / "b.md", folder / "c.md"])
    said = {error.file: (error.line, str(error)) for error in report.errors}
    assert said["world/a.md"][0] == 5 and "placement" in said["world/a.md"][1]
    assert "needs `placement: lead`" in said["world/b.md"][1]
    assert said["world/c.md"][0] == 6 and "not after `published`" in said["world/c.md"][1]
