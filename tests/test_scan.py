"""A full scan walks content/ beside the archive's rows instead of holding either side: the
walk must come out in the archive's own order, a scan past what it holds must end as one
that held everything, and a scan of many unchanged files must hold next to nothing."""

from __future__ import annotations

import os
import sqlite3
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from syndication.ingest import files, plan
from tests.conftest import Newsroom, article_text, examples, make_settings, set_clock

# Names that sort close to "/" and to each other: "-" and "." sort before "/", "0" and
# letters after it; a folder may be named like an article, and names may not be ASCII.
NAME = st.text(alphabet="-./0_aé€😀 ", min_size=1, max_size=4).filter(
    lambda n: n not in (".", "..") and "/" not in n
)
SEGMENT = st.one_of(NAME, NAME.map(lambda n: n + ".md"))
TREE = st.lists(st.lists(SEGMENT, min_size=1, max_size=3), max_size=25)


def plant(root: Path, paths: list[list[str]]) -> set[str]:
    """Create each path as a file (its folders as needed); the article paths a scan sees."""
    for parts in paths:
        target = root.joinpath(*parts)
        if any(p.exists() and not p.is_dir() for p in target.parents):
            continue  # a file already stands where this path needs a folder
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_text("x")
    seen = set()
    for folder, folders, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        if any(part.startswith(".") for part in prefix.split("/") if part):
            continue
        seen.update(prefix + n for n in (*folders, *names) if files.is_article_name(n))
    return seen


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(paths=TREE)
def test_the_walk_comes_out_in_the_archives_own_order(
    tmp_path_factory: pytest.TempPathFactory, paths: list[list[str]]
) -> None:
    root = tmp_path_factory.mktemp("tree")
    expected = plant(root, paths)
    walked = [rel for rel, _ in files.walk(root)]
    assert set(walked) == expected
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE files (file TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO files VALUES (?)", [(rel,) for rel in walked])
    assert walked == [r[0] for r in db.execute("SELECT file FROM files ORDER BY file")]


def room(root: Path) -> Newsroom:
    root.mkdir()
    settings = make_settings(root)
    clock = set_clock()
    return Newsroom(settings, ArchiveWriter(open_writer(settings.db_path, clock), clock), clock)


def story(n: int, **fields: object) -> str:
    return article_text(
        title=f"Story {n}", published=f"2024-03-{1 + n % 28:02d}T09:30:00Z", **fields
    )


def test_a_scan_too_large_to_hold_ends_as_one_that_held_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, walked = room(tmp_path / "held"), room(tmp_path / "walked")
    states = []
    for newsroom, hold in ((held, 1000), (walked, 3)):
        monkeypatch.setattr(plan, "HOLD", hold)
        for n in range(12):
            newsroom.write(f"world/{n:02d}.md", story(n))
        first = newsroom.scan()
        assert first.published == 12 and not first.errors
        (newsroom.content / "world" / "00.md").unlink()  # gone
        (newsroom.content / "world" / "01.md").unlink()
        for n in (2, 3, 4):  # edited
            newsroom.write(f"world/{n:02d}.md", story(n, standfirst="Now with a standfirst."))
        (newsroom.content / "world" / "05.md").rename(newsroom.content / "world" / "0-moved.md")
        (newsroom.content / "world" / "11.md").rename(newsroom.content / "world" / "zz.md")
        newsroom.write("world/20.md", story(20))  # new
        newsroom.write("world/06.md", "---\ntitle: [broken\n---\n")  # broken: stays up
        second = newsroom.scan()
        assert (second.published, second.updated, second.withdrawn) == (1, 3, 2), second
        assert [e.file for e in second.errors] == ["world/06.md"]
        states.append(
            newsroom.query("SELECT id, state, source_file, version FROM articles ORDER BY id")
        )
    assert states[0] == states[1]
    moved = [row for row in states[1] if row[2] in ("world/0-moved.md", "world/zz.md")]
    assert [row[1:] for row in moved] == [
        ("live", "world/0-moved.md", 1),
        ("live", "world/zz.md", 1),
    ]


def test_a_file_saved_between_the_two_walks_is_read_as_it_is_then(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "HOLD", 1)
    for n in range(3):
        newsroom.write(f"world/{n}.md", story(n))
    todo = plan.full(newsroom.content, newsroom.writer, set(), force_all=False)
    assert todo.held is None and todo.count == 3
    newsroom.write("world/1.md", story(1, standfirst="Saved while the scan was walking."))
    (newsroom.content / "world" / "2.md").unlink()
    now = {c.file: c.size for c in todo.candidates()}
    assert now == {
        "world/0.md": len(story(0)),
        "world/1.md": (newsroom.content / "world/1.md").stat().st_size,
    }


def test_a_walk_out_of_order_stops_the_scan_before_anything_is_withdrawn(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        newsroom.write(f"world/{n}.md", story(n))
    assert newsroom.scan().published == 3
    newsroom.write("world/3.md", story(3))
    walk = files.walk
    monkeypatch.setattr(files, "walk", lambda root: reversed(list(walk(root))))
    with pytest.raises(RuntimeError, match="out of order"):
        newsroom.scan()
    assert newsroom.query("SELECT count(*) FROM articles WHERE state = 'live'") == [(3,)]


@pytest.mark.slow
def test_a_scan_of_many_unchanged_files_holds_next_to_nothing(tmp_path: Path) -> None:
    """20,000 files the archive knows, unchanged, in folders by month: the scan's peak
    memory is a small part of what holding the walk and the archive's rows takes."""
    settings = make_settings(tmp_path)
    rows = []
    for n in range(20_000):
        folder = settings.content_dir / "world" / f"{2000 + n // 2400}" / f"{1 + n // 200 % 12:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{n:05d}-a-story-with-a-headline-of-ordinary-length.md"
        path.write_bytes(b"x")
        rel = files.relative(path, settings.content_dir)
        rows.append((rel, f"id{n}", "h" * 32, 1, path.stat().st_mtime_ns))
    clock = set_clock()
    writer = ArchiveWriter(open_writer(settings.db_path, clock), clock)
    with writer.conn:
        writer.conn.executemany(
            "INSERT INTO files (file, article_id, content_hash, size, mtime_ns) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    del rows

    def peak(work: Callable[[], object]) -> int:
        """The most memory Python held while `work` ran and its result was kept."""
        tracemalloc.start()
        try:
            result = work()
            most = tracemalloc.get_traced_memory()[1]
            del result
            return most
        finally:
            tracemalloc.stop()

    holding = peak(lambda: (files.scan(settings.content_dir), dict(writer.file_rows_in_order())))
    walking = peak(lambda: plan.full(settings.content_dir, writer, set(), force_all=False))
    assert walking < holding / 10, (walking, holding)
    todo = plan.full(settings.content_dir, writer, set(), force_all=False)
    assert (todo.count, todo.gone, todo.rejected) == (0, set(), [])


@pytest.mark.parametrize("folder", ["", "world", "world/2024"])
def test_a_folder_that_cannot_be_listed_withdraws_nothing(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    """Tests run as root, whom permissions do not stop: the listing fails as an unreadable
    folder's (or a failing disk's) would."""
    newsroom.write("world/2024/a.md", story(1))
    newsroom.write("world/b.md", story(2))
    newsroom.write("culture/c.md", story(3, section="culture"))
    assert newsroom.scan().published == 3
    newsroom.write("world/2024/new.md", story(4))
    (newsroom.content / "culture" / "c.md").unlink()
    broken = str(newsroom.content / folder).rstrip("/")
    listing = os.scandir

    def scandir(path: str) -> object:
        if str(path).rstrip("/") == broken:
            raise PermissionError(13, "Permission denied", path)
        return listing(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    result = newsroom.scan()
    live = {
        row[0] for row in newsroom.query("SELECT source_file FROM articles WHERE state = 'live'")
    }
    assert {"world/2024/a.md", "world/b.md"} <= live  # under the folder: left as they were
    assert ("culture/c.md" in live) == (folder == "")  # elsewhere, a file gone is gone
    assert result.withdrawn == (0 if folder == "" else 1)
