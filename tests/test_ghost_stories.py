"""The archive is a function of the files on disk: claims on ids follow the files as they are
now, a file refused for a claim is read again when the claim goes, and a story with no file
left is withdrawn. A stateful test writes files with ids, saves by rename over other files,
moves across sections and deletes, with and without restarts, and checks after every step
that the stories up are exactly those the files on disk describe."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from syndication.ingest.pipeline import Ingestor
from tests.conftest import Newsroom, article_text, examples, make_settings, set_clock

PATHS = [f"{section}/m1/{name}.md" for section in ("world", "business") for name in "abc"]
IDS = ["m1a", "m1b", "m1c"]


def story(article_id: str, edit: int) -> str:
    # The title follows the id, so files of one id ask for one address in a section and
    # the only claims that clash are ids.
    return article_text(
        title=f"Story {article_id}",
        published="2026-11-20T09:00:00+01:00",
        body=f"Edit number {edit} of the story.",
        id=article_id,
    )


def untitled(path: str, edit: int) -> str:
    """A story whose file gives no id (the archive names it); its title follows its path,
    so it asks for an address no other file asks for."""
    return article_text(
        title=f"Untitled {path.replace('/', ' ').removesuffix('.md')}",
        published="2026-11-20T09:00:00+01:00",
        body=f"Edit number {edit} of a story with no id.",
    )


def on_disk(content: Path) -> dict[str, str]:
    """Each article file there now, and the id it gives ("" for none)."""
    found = {}
    for path in sorted(content.rglob("*.md")):
        given = [line[4:] for line in path.read_text().splitlines() if line.startswith("id: ")]
        found[path.relative_to(content).as_posix()] = given[0] if given else ""
    return found


def check_follows_the_files(room: Newsroom) -> None:
    files = on_disk(room.content)
    up = {
        str(file): str(article_id)
        for article_id, file in room.query(
            "SELECT id, source_file FROM articles WHERE state != 'withdrawn'"
        )
    }
    errors = dict(room.query("SELECT file, held_by FROM ingest_errors"))
    # An id given to a story the archive had named is an alias of it (docs/content-format.md)
    aliases = dict(room.query("SELECT alias, article_id FROM id_aliases"))
    files = {file: aliases.get(given, given) for file, given in files.items()}
    # No ghost: every story up is held by a file there now that names it, or whose new
    # version is refused (a refused file never takes its last good version down).
    for file, article_id in up.items():
        assert files.get(file) in (article_id, "") or (file in files and file in errors), (
            file,
            article_id,
            files,
        )
    # Every id some file gives is up, held by one of the files giving it: an id a file
    # asks for beats one the archive gave a file that gives none.
    giving: defaultdict[str, list[str]] = defaultdict(list)
    for file, article_id in files.items():
        if article_id:
            giving[article_id].append(file)
    held = {article_id: file for file, article_id in up.items()}
    for article_id, holders in giving.items():
        assert held.get(article_id) in holders, (article_id, holders, up)
    # Every other file giving an id is refused because of the file that holds it, which is
    # there; every file giving none is up under an id of the archive's, or refused for an
    # address a file there holds (a moved file's copy keeps its headline).
    for file, article_id in files.items():
        if not article_id:
            if file in up:
                assert up[file] not in giving, (file, up, giving)
            else:
                assert errors.get(file) in files, (file, up, errors)
        elif up.get(file) != article_id:
            assert errors.get(file) == held[article_id], (file, errors, up)


def test_the_reported_sequence_leaves_no_ghost(newsroom: Newsroom) -> None:
    """Eight saves and a save-by-rename, as the watcher sees them."""
    steps = [
        ("world/m1/a.md", "m1c"),
        ("world/m1/c.md", "m1a"),
        ("business/m1/c.md", "m1c"),  # refused: world/m1/a.md holds m1c
        ("world/m1/a.md", "m1c"),
        ("world/m1/c.md", "m1b"),
        ("world/m1/c.md", "m1a"),
        ("business/m1/a.md", "m1b"),
    ]
    ingestor = Ingestor(newsroom.settings, newsroom.writer)
    for edit, (path, article_id) in enumerate(steps):
        newsroom.write(path, story(article_id, edit))
        ingestor.ingest_paths({path})
        check_follows_the_files(newsroom)
    (newsroom.content / "world/m1/c.md").rename(newsroom.content / "world/m1/a.md")
    ingestor.ingest_paths({"world/m1/c.md", "world/m1/a.md"})
    check_follows_the_files(newsroom)
    # m1c is free again: the file refused for it is published, without being touched.
    assert newsroom.one("SELECT source_file FROM articles WHERE id = 'm1c'") == "business/m1/c.md"
    (newsroom.content / "world/m1/a.md").unlink()
    ingestor.ingest_paths({"world/m1/a.md"})
    check_follows_the_files(newsroom)
    assert newsroom.one("SELECT state FROM articles WHERE id = 'm1a'") == "withdrawn"


def test_an_id_a_file_asks_for_beats_one_kept_by_a_file_that_dropped_it(
    newsroom: Newsroom,
) -> None:
    ingestor = Ingestor(newsroom.settings, newsroom.writer)
    newsroom.write("world/p.md", story("m1a", 1))
    ingestor.ingest_paths({"world/p.md"})
    newsroom.write("world/q.md", story("m1a", 2))  # refused: p.md gives m1a
    ingestor.ingest_paths({"world/q.md"})
    check_follows_the_files(newsroom)
    newsroom.write("world/p.md", untitled("world/p.md", 3))  # p.md gives no id now
    ingestor.ingest_paths({"world/p.md"})
    check_follows_the_files(newsroom)
    assert newsroom.one("SELECT source_file FROM articles WHERE id = 'm1a'") == "world/q.md"
    restarted = Ingestor(newsroom.settings, newsroom.writer)
    restarted.full_scan()
    check_follows_the_files(newsroom)


class FilesAndArchive(RuleBasedStateMachine):
    """Editors' saves, renames and deletions; the watcher's ingest after each; restarts."""

    def __init__(self) -> None:
        super().__init__()
        self.edit = 0

    @initialize()
    def start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ghosts-"))
        settings = make_settings(self.tmp)
        clock = set_clock()
        self.room = Newsroom(
            settings, ArchiveWriter(open_writer(settings.db_path, clock), clock), clock
        )
        self.ingestor = Ingestor(settings, self.room.writer)

    def teardown(self) -> None:
        if hasattr(self, "room"):
            self.room.writer.conn.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(path=st.sampled_from(PATHS), article_id=st.sampled_from(IDS))
    def save(self, path: str, article_id: str) -> None:
        self.edit += 1
        self.room.write(path, story(article_id, self.edit))
        self.ingestor.ingest_paths({path})

    @rule(path=st.sampled_from(PATHS))
    def save_without_id(self, path: str) -> None:
        self.edit += 1
        self.room.write(path, untitled(path, self.edit))
        self.ingestor.ingest_paths({path})

    @rule(source=st.sampled_from(PATHS), over=st.sampled_from(PATHS))
    def save_by_rename(self, source: str, over: str) -> None:
        """An editor's tool writes a temporary file and renames it over the file (or a
        file moved over another, across sections too)."""
        if source == over or not (self.room.content / source).exists():
            return
        (self.room.content / over).parent.mkdir(parents=True, exist_ok=True)
        (self.room.content / source).rename(self.room.content / over)
        self.ingestor.ingest_paths({source, over})

    @rule(path=st.sampled_from(PATHS))
    def delete(self, path: str) -> None:
        if (self.room.content / path).exists():
            (self.room.content / path).unlink()
            self.ingestor.ingest_paths({path})

    @rule()
    def restart(self) -> None:
        """The service starts again: its writer reopened, a full scan."""
        self.room.writer.conn.close()
        settings, clock = self.room.settings, self.room.clock
        self.room.writer = ArchiveWriter(open_writer(settings.db_path, clock), clock)
        self.ingestor = Ingestor(settings, self.room.writer)
        self.ingestor.full_scan()

    @invariant()
    def follows_the_files(self) -> None:
        if hasattr(self, "room"):
            check_follows_the_files(self.room)


FilesAndArchive.TestCase.settings = settings(
    max_examples=examples(150), stateful_step_count=30, deadline=None
)
test_the_archive_follows_the_files_on_disk = pytest.mark.filterwarnings("ignore")(
    FilesAndArchive.TestCase
)


def test_one_address_never_shows_two_stories(newsroom: Newsroom) -> None:
    """A refused file's last good version gives up an address its file no longer asks
    for: the file that takes the address is the only story there."""
    ingestor = Ingestor(newsroom.settings, newsroom.writer)
    steps = [
        ("world/a.md", article_text(title="Story one")),
        ("world/b.md", article_text(title="Other", slug="taken")),
        ("world/a.md", article_text(title="Story one", slug="taken")),  # refused
        ("world/z.md", article_text(title="Story one", body="Another story.")),
    ]
    for path, text in steps:
        newsroom.write(path, text)
        ingestor.ingest_paths({path})
    up = newsroom.query(
        "SELECT source_file FROM articles WHERE path LIKE '%story-one' AND state != 'withdrawn'"
    )
    assert up == [("world/z.md",)]
