"""`syndication import wordpress`: a generated export of a few hundred posts, hostile ones
among them, into content/, then served: counts match the source less the reported skips, old
permalinks answer 301, a second import writes nothing, an import killed halfway ends, when
run again, with the files of an uninterrupted one, and nothing hostile gets through."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.cli import main
from syndication.config import load_settings
from syndication.importing.wxr import Export, read_items
from syndication.ingest.check import check_paths
from syndication.web.app import create_app
from tests.conftest import examples, set_clock
from tests.live import REPO
from tests.test_serve import _processes_mentioning
from tests.waiting import until
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
    client = await aiohttp_client(create_app(settings, set_clock()))
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
    assert pictured.status == 200 and "/media/imported/old-example-org/media/" in (
        await pictured.text()
    )
    # A picture in the text: copied when it is in the uploads folder, served from here with
    # its size; else left on the old site, and the report says so.
    page = await (await client.get("/2019/05/08/post-7/")).text()
    inline = re.search(
        r'<img width="300" height="200" src="(/media/[^"]+/inline-7-[0-9a-f]{16}\.jpg\?v=\w+)"',
        page,
    )
    assert inline is not None and 7 in expected.inline_in_uploads, page
    assert (await client.get(inline[1])).content_type == "image/jpeg"
    page = await (await client.get("/2019/05/09/post-8/")).text()
    assert 'src="https://old.example.org/wp-content/uploads/inline-8.jpg"' in page
    assert "inline-8.jpg stays on the old site: it is not in the uploads folder" in said

    assert _import(root, config, export) == 0  # again: nothing new, nothing twice
    again = capsys.readouterr().out
    assert again.startswith(f"0 imported, 0 updated, {stories} unchanged, "), again


async def _count(client: Client, sql: str) -> int:
    from syndication.web.services import SERVICES

    return int(await client.app[SERVICES].archive.db.value(sql))


@pytest.mark.processes
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
    imported = root / "content" / "imported"
    until(lambda: len(list(imported.rglob("*.md"))) >= 60, 60, "60 files imported", every=0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # its converting workers see it gone and end
    until(lambda: not _processes_mentioning(str(root)), 10, "no process of the killed import")
    halfway = len(list(imported.rglob("*.md")))
    assert 0 < halfway < 300, halfway  # killed with part of the files written
    finished = _files(whole)
    for name, data in _files(root).items():  # every story file there is whole
        assert not name.endswith(".md") or data == finished[name], name
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    assert _files(root) == finished  # a temporary file the kill left is gone too


def test_an_export_with_entities_or_a_dtd_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "content").mkdir()
    bombs = {
        "billion-laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel>&lol2;</channel></rss>',
        "external": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&x;</title></item></channel></rss>",
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


def _good_posts(count: int) -> list[dict[str, str]]:
    return [
        {"title": f"Post number {n}", "body": f"<p>The text of post {n}.</p>", "status": "publish",
         "date": "2019-05-03 10:00:00", "slug": f"post-{n}", "category": "News", "tag": "t",
         "post_id": str(n + 1)}
        for n in range(count)
    ]  # fmt: skip


@settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))
@given(cut=st.floats(0, 1))
def test_an_export_cut_short_imports_every_item_before_the_cut(
    tmp_path_factory: pytest.TempPathFactory, cut: float
) -> None:
    """A file cut anywhere (a download that stopped) imports the items whole before the
    cut, says where it stopped and exits 1; nothing after it is made up."""
    root = tmp_path_factory.mktemp("cut")
    (root / "content").mkdir()
    whole = _export_of(_good_posts(6)).encode()
    at = round(cut * len(whole))
    export = root / "cut.xml"
    export.write_bytes(whole[:at])
    before = whole[:at].count(b"</item>")
    code = main(
        ["import", "wordpress", str(export), "--content", str(root / "content"),
         "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml")]
    )  # fmt: skip
    written = sorted((root / "content").rglob("*.md"))
    assert len(written) == before
    assert code == (0 if at == len(whole) else 1 if before else 2)


def test_reading_an_export_holds_no_more_for_more_items(tmp_path: Path) -> None:
    """Memory while reading is the item's, not the export's: four times the posts, about
    the same peak (each item read is dropped from the tree, not only emptied)."""
    peaks = []
    for count in (500, 2000):
        export = tmp_path / f"{count}.xml"
        export.write_text(_export_of(_good_posts(count)))
        tracemalloc.start()
        for _ in read_items(export, Export()):
            pass
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5, peaks


HOSTILE_BODIES = [
    "<script>alert(1)</script><p>x</p>",
    '<a href="javascript:alert(1)">x</a> text',
    "[caption]broken",
    "<!-- wp:paragraph -->",
    "<p>" + "<b>" * 300 + "deep</p>",
    "]]>",
    "\x00\x01 controls",
    '<img src="//evil.example/x.png" onerror="x()">',
]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "body": st.one_of(TEXT, st.sampled_from(HOSTILE_BODIES)),
                "status": st.sampled_from(["publish", "draft", "future", "trash", "", "x"]),
                "date": st.one_of(
                    TEXT,
                    st.sampled_from(
                        [
                            "2019-02-30 10:00:00",
                            "0000-00-00 00:00:00",
                            "2019-05-03 10:00:00",
                            "9999-12-31 23:59:59",
                        ]
                    ),
                ),
                "slug": TEXT,
                "category": TEXT,
                "tag": TEXT,
                "post_id": st.one_of(st.integers(1, 20).map(str), TEXT),
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_post_is_imported_as_a_file_that_publishes_or_skipped_with_a_reason(
    posts: list[dict[str, str]],
) -> None:
    """Whatever a post's fields hold: the import ends, and every file it writes is one the
    archive accepts, or the post is in the report with a reason."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        export = root / "export.xml"
        export.write_text(_export_of(posts), encoding="utf-8")
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            code = main(
                ["import", "wordpress", str(export), "--content", str(root / "content"),
                 "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml")]
            )  # fmt: skip
        assert code == 0
        counts = re.match(r"(\d+) imported, 0 updated, 0 unchanged, (\d+) skipped", said.getvalue())
        assert counts and int(counts[1]) + int(counts[2]) == len(posts), said.getvalue()
        written = list((root / "content").rglob("*.md"))
        assert len(written) == int(counts[1])
        if written:
            report = check_paths(
                load_settings(REPO / "syndication.toml", {}).with_overrides(
                    content_dir=root / "content", db_path=root / "a.db"
                ),
                written,
            )
            assert report.errors == [], report.errors


def _export_of(posts: list[dict[str, str]]) -> str:
    items = "".join(
        f"<item><title>{escape(p['title'])}</title>"
        f"<link>https://old.example.org/{escape(p['slug'])}/</link>"
        f"<content:encoded>{escape(p['body'])}</content:encoded>"
        f"<wp:post_id>{escape(p['post_id'])}</wp:post_id>"
        f"<wp:post_date>{escape(p['date'])}</wp:post_date>"
        f"<wp:post_date_gmt>{escape(p['date'])}</wp:post_date_gmt>"
        f"<wp:post_name>{escape(p['slug'])}</wp:post_name>"
        f"<wp:status>{escape(p['status'])}</wp:status><wp:post_type>post</wp:post_type>"
        f'<category domain="category" nicename="{escape(p["category"], {chr(34): "&quot;"})}">'
        f"{escape(p['category'])}</category>"
        f'<category domain="post_tag" nicename="t">{escape(p["tag"])}</category></item>'
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<link>https://old.example.org</link>" + items + "</channel></rss>"
    )


async def test_pictures_are_fetched_only_from_the_hosts_named(
    tmp_path: Path, aiohttp_server: Callable[..., Awaitable[Any]]
) -> None:
    """Without an uploads folder, a featured picture comes from its attachment URL when its
    host is named; another host, a private address or a redirect elsewhere is never asked."""
    from aiohttp import web

    from tests.wordpress_export import AUTHOR, HEAD, SITE, TAIL, _attachment, _post

    asked: dict[str, list[str]] = {"named": [], "other": []}

    def site(name: str, redirect: str = "") -> web.Application:
        async def picture(request: web.Request) -> web.Response:
            asked[name].append(request.path)
            if request.path.endswith("moved.jpg"):
                raise web.HTTPFound(redirect)
            buffer = io.BytesIO()
            Image.new("RGB", (300, 200), (10, 20, 30)).save(buffer, "JPEG")
            return web.Response(body=buffer.getvalue(), content_type="image/jpeg")

        app = web.Application()
        app.router.add_get("/{name:.+}", picture)
        return app

    other = await aiohttp_server(site("other"))
    other_url = str(other.make_url("")).rstrip("/")
    named = await aiohttp_server(site("named", redirect=other_url + "/elsewhere.jpg"))
    named_url = str(named.make_url("")).rstrip("/")
    pictures = [
        (named_url + "/up/2019/05/a.jpg", "2019/05/a.jpg"),
        (other_url + "/up/b.jpg", "b.jpg"),
        ("http://10.255.255.1/c.jpg", "c.jpg"),
        (named_url + "/up/moved.jpg", "moved.jpg"),
    ]
    parts = [HEAD.format(site=SITE, authors=AUTHOR.format(n=1, login="greta", name="Greta"))]
    for n, (url, file) in enumerate(pictures, 1):
        parts.append(_attachment(900 + n, file, url=url))
        parts.append(_post(n, f"Pictured story {n}", f"<p>Body {n}.</p>", thumbnail=900 + n))
    inline = (named_url + "/inline/d.jpg", other_url + "/inline/e.jpg", "http://10.0.0.9/f.jpg")
    body = "".join(
        f'<p>Picture {n}: <img src="{url}" alt="P{n}"></p>' for n, url in enumerate(inline)
    )
    parts.append(_post(5, "Pictures in the text", body))
    export = tmp_path / "export.xml"
    export.write_text("".join(parts) + TAIL)
    (tmp_path / "content").mkdir()
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = await asyncio.to_thread(
            main,
            ["import", "wordpress", str(export), "--fetch-from", named_url.split("//")[1],
             "--content", str(tmp_path / "content"), "--db", str(tmp_path / "a.db"),
             "--config", str(REPO / "syndication.toml")],
        )  # fmt: skip
    report = said.getvalue()
    assert code == 0 and report.startswith("5 imported, 0 updated, 0 unchanged, 0 skipped; 2 "), (
        report
    )
    assert asked == {"named": ["/up/2019/05/a.jpg", "/up/moved.jpg", "/inline/d.jpg"], "other": []}
    assert report.count("a host not named") == 3
    first = (tmp_path / "content" / "imported" / "old-example-org" / "1.md").read_text()
    assert re.search(r"src: /imported/old-example-org/media/a-[0-9a-f]{16}\.jpg", first)
    text = (tmp_path / "content" / "imported" / "old-example-org" / "5.md").read_text()
    assert re.search(r"\]\(/imported/old-example-org/media/d-[0-9a-f]{16}\.jpg\)", text)
    assert f"]({inline[1]})" in text and f"]({inline[2]})" in text  # left where they are


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "default_section",
                    "sections",
                    "sources",
                    "sections.sport",
                    "sources.Wire",
                    "sections.news",
                ]
            ),
            st.sampled_from(
                [
                    '"world"',
                    '"nowhere"',
                    "3",
                    "true",
                    "[1, 2]",
                    '{ a = "b" }',
                    '"Continental Press Agency"',
                    '"Nobody"',
                    '""',
                ]
            ),
        ),
        max_size=4,
    )
)
def test_any_import_table_is_taken_or_refused_with_a_config_error(
    entries: list[tuple[str, str]],
) -> None:
    """Whatever `[import]` says: a mapping the import can use, or ConfigError naming the
    file; never another exception."""
    from syndication.errors import ConfigError
    from syndication.importing.mapping import load_mapping

    lines = {f"{k} = {v}" for k, v in entries}
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "syndication.toml"
        config.write_text(
            (REPO / "syndication.toml").read_text() + "\n[import]\n" + "\n".join(lines)
        )
        settings_ = load_settings(REPO / "syndication.toml", {})
        try:
            mapping = load_mapping(config, settings_)
        except ConfigError as error:
            assert str(config) in str(error)
            return
        known = {s.slug for s in settings_.sections}
        assert mapping.default_section in known and set(mapping.sections.values()) <= known


@pytest.mark.parametrize(
    "argv",
    [
        ["wordpress", "EXPORT", "--timezone", "Not/AZone"],
        ["wordpress", "EXPORT", "--timezone", "../../etc/passwd"],
        ["wordpress", "EXPORT", "--uploads", "/nonexistent-uploads"],
        ["wordpress", "/nonexistent.xml"],
        ["feed", "ftp://old.example/feed"],
        ["feed", "not a url"],
        ["feed", "http://"],
    ],
)
def test_bad_import_arguments_are_refused_with_exit_2(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    export, _, _ = write_export(tmp_path / "source", posts=3)
    argv = [str(export) if a == "EXPORT" else a for a in argv]
    code = main(
        ["import", *argv, "--content", str(tmp_path / "content"), "--db", str(tmp_path / "a.db"),
         "--config", str(REPO / "syndication.toml")]
    )  # fmt: skip
    assert code == 2 and capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").rglob("*.md"))
