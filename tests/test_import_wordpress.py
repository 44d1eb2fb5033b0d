"""`syndication import wordpress`: a generated export of a few hundred posts, hostile ones
among them, into content/, then served: counts match the source less the reported skips, old
permalinks answer 301, a second import writes nothing, an import killed halfway ends, when
run again, with the files of an uninterrupted one, and nothing hostile gets through."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from syndication.cli import main
from syndication.config import load_settings
from syndication.web.app import create_app
from tests.live import REPO
from tests.wordpress_export import Expected, write_export

Client = TestClient[Any, Any]
MAPPING = """
[import]
default_section = "world"
[import.sections]
sport = "sport"
"Arts" = "culture"
[import.sources]
"Wire Desk" = "Continental Press Agency"
"""


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, Path, Expected]:
    (tmp_path / "content").mkdir()
    config = tmp_path / "syndication.toml"
    config.write_text((REPO / "syndication.toml").read_text() + MAPPING)
    export, _, expected = write_export(tmp_path / "source")
    return tmp_path, config, export, expected


def _import(root: Path, config: Path, export: Path, *extra: str) -> int:
    return main(
        [
            "import", "wordpress", str(export), "--uploads", str(root / "source" / "uploads"),
            "--config", str(config), "--content", str(root / "content"),
            "--db", str(root / "archive.db"), *extra,
        ]
    )  # fmt: skip


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "content").rglob("*"))
        if p.is_file()
    }


async def test_an_export_is_imported_served_and_its_old_addresses_redirect(
    site: tuple[Path, Path, Path, Expected],
    aiohttp_client: Callable[..., Awaitable[Client]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, config, export, expected = site
    assert _import(root, config, export, "--dry-run") == 0
    dry = capsys.readouterr().out
    assert not (root / "content" / "imported").exists()  # a dry run writes nothing
    assert _import(root, config, export) == 0
    said = capsys.readouterr().out
    assert (
        said.replace(" (dry run: nothing written)", "").split("\n")[0]
        == dry.replace(" (dry run: nothing written)", "").split("\n")[0]
    )
    stories = expected.published + expected.drafts
    assert said.startswith(f"{stories} imported, 0 updated, 0 unchanged, "), said
    for reason, count in expected.skipped.items():
        assert len(re.findall(rf"skipped post [^\n]*: {reason}", said)) == count, (reason, said)
    assert len(re.findall(r"^  skipped ", said, re.M)) == sum(expected.skipped.values())
    assert "control characters XML cannot carry were removed" in said
    assert "'../../../etc/passwd' is not one we take" in said
    files = list((root / "content" / "imported").rglob("*.md"))
    assert len(files) == stories
    text = "\n".join(f.read_text() for f in files)
    assert "<script" not in text and "javascript:" not in text and "onerror" not in text
    assert "\x07" not in text and "\x1b" not in text
    assert "<!-- wp:" not in text and "[caption" not in text and "*Caption 7*" in text

    settings = load_settings(config, {}).with_overrides(
        content_dir=root / "content", db_path=root / "archive.db"
    )
    client = await aiohttp_client(create_app(settings))
    live = await _count(
        client, "SELECT count(*) FROM articles WHERE state IN ('live', 'scheduled')"
    )
    assert live == expected.published
    assert await _count(client, "SELECT count(*) FROM ingest_errors") == 0
    wire = await _count(client, "SELECT count(*) FROM articles WHERE syndication = 0")
    assert wire == 1  # "Wire Desk" is licensed-in copy: never to partners
    for old, title in list(expected.permalinks.items())[:25]:
        moved = await client.get(old, allow_redirects=False)
        assert moved.status == 301, old
        page = await client.get(moved.headers["Location"])
        assert page.status == 200 and f"<h1>{title}</h1>" in await page.text()
    pictured = await client.get("/2019/05/16/post-15/")  # a featured picture, copied
    assert pictured.status == 200 and "/media/imported/old-example-org/media/2019/05/" in (
        await pictured.text()
    )

    assert _import(root, config, export) == 0  # again: nothing new, nothing twice
    again = capsys.readouterr().out
    assert again.startswith(f"0 imported, 0 updated, {stories} unchanged, "), again


async def _count(client: Client, sql: str) -> int:
    from syndication.web.services import SERVICES

    return int(await client.app[SERVICES].archive.db.value(sql))


def test_an_import_killed_halfway_ends_as_an_uninterrupted_one(
    site: tuple[Path, Path, Path, Expected], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root, config, export, _ = site
    whole = tmp_path_factory.mktemp("whole")
    shutil.copytree(root, whole, dirs_exist_ok=True)
    assert _import(whole, whole / "syndication.toml", whole / "source" / "export.xml") == 0
    command = [
        sys.executable, "-m", "syndication", "import", "wordpress", str(export),
        "--uploads", str(root / "source" / "uploads"), "--config", str(config),
        "--content", str(root / "content"), "--db", str(root / "archive.db"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    imported = root / "content" / "imported"
    while time.monotonic() < deadline and len(list(imported.rglob("*.md"))) < 60:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    halfway = len(list(imported.rglob("*.md")))
    assert 0 < halfway < 300, halfway  # killed with part of the files written
    assert not list(imported.rglob(".importing-*"))  # none half written
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    assert _files(root) == _files(whole)


def test_an_export_with_entities_or_a_dtd_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "content").mkdir()
    bombs = {
        "billion-laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel>&lol2;</channel></rss>',
        "external": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&x;</title></item></channel></rss>",
        "not-xml": "<rss><channel><item><title>cut off",
    }
    for name, text in bombs.items():
        export = tmp_path / f"{name}.xml"
        export.write_text(text)
        code = main(
            ["import", "wordpress", str(export), "--content", str(tmp_path / "content"),
             "--db", str(tmp_path / "a.db"), "--config", str(REPO / "syndication.toml")]
        )  # fmt: skip
        said = capsys.readouterr().err
        assert code == 2 and "error:" in said, (name, said)
    assert list((tmp_path / "content").rglob("*")) == []
