"""Two partners with different entitlements pull from `syndication serve` over real HTTP while
the newsroom publishes, corrects, embargoes, adds a wire story and withdraws."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import article_text
from tests.live import REPO, Server, serving, syndication
from tests.ninjs_check import assert_ninjs
from tests.waiting import until

pytestmark = pytest.mark.processes

KEY = re.compile(r"^key: (\S+)$", re.M)
WIRE = "Coastal states deliver written reply in fishing-rights dispute"
AGENCY_PHOTO = "Island ferry fares to fall by a fifth from January"


class Puller:
    """A partner's importer: keeps its cursor and everything it received, in order."""

    def __init__(self, server: Server, key: str) -> None:
        self.server, self.key, self.cursor = server, key, ""
        self.received: list[dict[str, Any]] = []

    def pull(self) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        while True:
            query = f"?limit=20&cursor={self.cursor}" if self.cursor else "?limit=20"
            request = urllib.request.Request(
                self.server.base + "/api/v1/changes" + query,
                headers={"Authorization": f"Bearer {self.key}"},
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                body = json.loads(reply.read())
            for item in body["items"]:
                assert_ninjs(item)
            new += body["items"]
            self.cursor = body["next_cursor"]
            if not body["has_more"]:
                self.received += new
                return new


def title(item: dict[str, Any]) -> str:
    return str(item["headlines"][0]["value"]) if "headlines" in item else ""


def by_uri(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["uri"]: i for i in items}


def add_partner(workdir: Path, *args: str) -> str:
    added = syndication("partners", "add", *args, cwd=workdir)
    assert added.returncode == 0, added.stderr
    match = KEY.search(added.stdout)
    assert match is not None
    return match[1]


def write(workdir: Path, rel: str, text: str) -> None:
    path = workdir / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_two_partners_follow_a_day_of_news(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    coast_key = add_partner(tmp_path, "Coast Weekly", "--sections", "world", "business")
    early_key = add_partner(tmp_path, "Early Bird", "--sections", "world", "--embargo-access")
    with serving(tmp_path) as server:
        coast, early = Puller(server, coast_key), Puller(server, early_key)

        first = coast.pull()
        titles = [title(i) for i in first]
        assert len(titles) == len(set(titles)) > 5
        assert WIRE not in titles
        ferry = next(i for i in first if title(i) == AGENCY_PHOTO)
        assert "associations" not in ferry
        early_first = early.pull()
        pages = [i["altIds"][0]["value"] for i in early_first]
        assert pages and all("/world/" in page for page in pages)  # its one section
        assert AGENCY_PHOTO not in {title(i) for i in early_first}  # business: not entitled

        # Published.
        write(
            tmp_path,
            "world/tide.md",
            article_text(
                title="Record tide floods quay",
                published="2026-11-27T08:00:00+01:00",
                body="Water reached the fish market.",
            ),
        )
        got = until(lambda: coast.pull())
        assert [title(i) for i in got] == ["Record tide floods quay"]
        assert [title(i) for i in until(lambda: early.pull())] == ["Record tide floods quay"]
        tide_uri = got[0]["uri"]

        # Corrected: a new version, once.
        write(
            tmp_path,
            "world/tide.md",
            article_text(
                title="Record tide floods quay",
                published="2026-11-27T08:00:00+01:00",
                body="Water reached the fish hall.",
                corrections='[{date: 2026-11-27, text: "The water reached the fish hall, '
                'not the market."}]',
            ),
        )
        corrected = until(lambda: coast.pull())
        assert [(i["uri"], i["version"]) for i in corrected] == [(tide_uri, "2")]
        assert [i["version"] for i in until(lambda: early.pull())] == ["2"]

        # Embargoed: only the partner with embargo access sees it before its time. The one
        # wait of the suite for a time to come: a running server publishes by the wall clock
        # (in-process tests move their clock instead).
        when = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
        write(
            tmp_path,
            "world/budget.md",
            article_text(title="Port budget doubles dredging", published=when.isoformat()),
        )
        held = until(lambda: early.pull())
        assert [(title(i), i["pubStatus"]) for i in held] == [
            ("Port budget doubles dredging", "withheld")
        ]
        assert held[0]["embargoedUntil"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert coast.pull() == []
        lifted = until(lambda: coast.pull())
        assert [(title(i), i["pubStatus"]) for i in lifted] == [
            ("Port budget doubles dredging", "usable")
        ]
        assert [i["pubStatus"] for i in until(lambda: early.pull())] == ["usable"]

        # A wire story: licensed in, never passed on.
        write(
            tmp_path,
            "world/wire.md",
            article_text(
                title="Agency reports calmer seas",
                published="2026-11-27T09:00:00+01:00",
                source="Continental Press Agency",
            ),
        )
        server.wait_for("/en/world/2026/11/27/agency-reports-calmer-seas", 200)
        # in the archive the API reads (the page is): never passed on
        assert coast.pull() == [] and early.pull() == []

        # Withdrawn: canceled for both, with no content.
        write(
            tmp_path,
            "world/tide.md",
            article_text(
                title="Record tide floods quay",
                published="2026-11-27T08:00:00+01:00",
                status="withdrawn",
            ),
        )
        for puller in (coast, early):
            canceled = until(lambda p=puller: p.pull())
            assert [(i["uri"], i["pubStatus"]) for i in canceled] == [(tide_uri, "canceled")]
            assert "bodies" not in canceled[0]

        everything = coast.received + early.received
        assert WIRE not in {title(i) for i in everything}
        assert "Agency reports calmer seas" not in {title(i) for i in everything}
        assert not any("associations" in i for i in everything if title(i) == AGENCY_PHOTO)

    tide_id = tide_uri.rsplit(":", 1)[1]
    log = syndication("partners", "deliveries", "--article", tide_id, cwd=tmp_path)
    assert log.returncode == 0
    lines = log.stdout.splitlines()
    assert {line.split()[2] for line in lines} == {"Coast", "Early"}
    assert sum("canceled" in line for line in lines) == 2
    assert sum(" v2 " in line and "usable" in line for line in lines) == 2


def test_a_cursor_from_before_a_restore_misses_nothing_after_it(tmp_path: Path) -> None:
    """Pull, back up, publish, restore the older backup, publish again, pull again: the
    partner's cursor gets every later change, never a silent empty answer."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    key = add_partner(tmp_path, "Coast Weekly", "--sections", "world")
    world = tmp_path / "content" / "world"
    with serving(tmp_path) as server:
        puller = Puller(server, key)
        assert puller.pull()
        assert syndication("backup", str(tmp_path / "older.db"), cwd=tmp_path).returncode == 0
        (world / "after-backup.md").write_text(
            article_text(title="Published after the backup", published="2026-11-30")
        )
        server.wait_for("/en/world/2026/11/30/published-after-the-backup", 200)
        assert [title(i) for i in puller.pull()] == ["Published after the backup"]
    restored = syndication("restore", str(tmp_path / "older.db"), "--replace", cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    with serving(tmp_path) as server:
        puller.server = server
        (world / "after-restore.md").write_text(
            article_text(title="Published after the restore", published="2026-12-01")
        )
        server.wait_for("/en/world/2026/12/01/published-after-the-restore", 200)
        again = {title(i) for i in puller.pull()}
        assert {"Published after the backup", "Published after the restore"} <= again
        ahead = urllib.request.Request(
            server.base + "/api/v1/changes?cursor=sfffffffffffff",
            headers={"Authorization": f"Bearer {key}"},
        )
        try:
            urllib.request.urlopen(ahead, timeout=10)
            raise AssertionError("a cursor ahead of the archive was answered")
        except urllib.error.HTTPError as error:
            assert error.code == 409 and "without a cursor" in json.loads(error.read())["error"]
