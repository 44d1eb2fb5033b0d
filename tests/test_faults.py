"""Bad input never unpublishes the last good version; each gives an error an editor can act on."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from syndication.errors import ContentError
from syndication.ingest.files import read_file
from tests.conftest import Newsroom, article_text

GOOD_BODY = "The last good version of this story."


@pytest.fixture
def published(newsroom: Newsroom) -> Newsroom:
    newsroom.write("world/story.md", article_text(body=GOOD_BODY))
    assert newsroom.scan().published == 1
    return newsroom


def still_good(room: Newsroom) -> None:
    kept = room.query(
        "SELECT state, body_text, version FROM articles JOIN article_texts USING (num)"
    )
    assert kept == [("live", GOOD_BODY, 1)]
    assert [k for (k,) in room.query("SELECT kind FROM changes")] == ["published"]


def error_for(room: Newsroom, file: str = "world/story.md") -> tuple[object, ...]:
    rows = room.query("SELECT line, field, message FROM ingest_errors WHERE file = ?", file)
    assert len(rows) == 1, rows
    return rows[0]


def test_invalid_yaml_keeps_last_good_then_clears_when_fixed(published: Newsroom) -> None:
    published.write("world/story.md", "---\ntitle: [unclosed\npublished: 2024-01-01\n---\nBody\n")
    result = published.scan()
    assert len(result.errors) == 1 and "not valid YAML" in result.errors[0].message
    still_good(published)
    line, _, message = error_for(published)
    assert line is not None and "not valid YAML" in str(message)
    published.write("world/story.md", article_text(body="Fixed and better."))
    assert published.scan().updated == 1
    assert published.query("SELECT * FROM ingest_errors") == []


def test_an_unchanged_broken_file_is_not_reread(published: Newsroom) -> None:
    published.write("world/story.md", "---\ntitle: x\n")
    assert len(published.scan().errors) == 1
    assert published.scan().errors == []  # same size and mtime: the recorded error stands
    assert len(published.query("SELECT * FROM ingest_errors")) == 1


def test_restoring_the_exact_last_good_bytes_clears_the_error(published: Newsroom) -> None:
    good = (published.content / "world/story.md").read_bytes()
    published.write("world/story.md", b"---\nbroken")
    published.scan()
    published.write("world/story.md", good)
    result = published.scan()
    assert result.errors == [] and published.query("SELECT * FROM ingest_errors") == []
    still_good(published)


def test_non_utf8_bytes(published: Newsroom) -> None:
    published.write("world/story.md", article_text(body="Caf\u00e9 cr\u00e8me").encode("cp1252"))
    published.scan()
    still_good(published)
    line, _, message = error_for(published)
    assert line == 6 and "not UTF-8" in str(message)


def test_a_50_mb_file_is_refused_without_reading_it(published: Newsroom) -> None:
    path = published.content / "world/story.md"
    with path.open("wb") as handle:
        handle.write(article_text().encode())
        handle.truncate(50 * 1024 * 1024)
    published.scan()
    still_good(published)
    assert "the limit is 1.0 MB" in str(error_for(published)[2])


def test_a_binary_file_with_an_md_name(published: Newsroom) -> None:
    published.write("world/story.md", bytes(range(256)) * 64)
    published.scan()
    still_good(published)
    assert "binary data" in str(error_for(published)[2])


def test_a_symlink_out_of_content_is_refused(published: Newsroom, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(article_text(title="Secret"))
    os.symlink(outside, published.content / "world/linked.md")
    published.scan()
    assert "outside the content folder" in str(error_for(published, "world/linked.md")[2])
    assert published.query("SELECT title FROM articles") == [("Harbour reopens",)]


def test_a_symlink_inside_content_is_followed(published: Newsroom) -> None:
    target = published.write("culture/real.md", article_text(title="Real one"))
    os.symlink(target, published.content / "world/alias.md")
    result = published.scan()
    assert result.published == 2 and result.errors == []
    assert published.query("SELECT section FROM articles WHERE title = 'Real one' ORDER BY 1") == [
        ("culture",),
        ("world",),
    ]


def test_a_half_written_file(published: Newsroom) -> None:
    full = article_text(title="Harbour reopens", body=GOOD_BODY + " Now with more detail.")
    published.write("world/story.md", full[: len(full) // 3])  # the editor's save, step one
    published.scan()
    still_good(published)
    assert published.query("SELECT count(*) FROM ingest_errors") == [(1,)]
    published.write("world/story.md", full)  # step two
    assert published.scan().updated == 1
    assert published.query("SELECT count(*) FROM ingest_errors") == [(0,)]


def test_a_new_half_written_file_publishes_nothing_until_complete(newsroom: Newsroom) -> None:
    full = article_text(title="Brand new")
    newsroom.write("world/new.md", full[:20])
    newsroom.scan()
    assert newsroom.query("SELECT count(*) FROM articles") == [(0,)]
    newsroom.write("world/new.md", full)
    assert newsroom.scan().published == 1


def test_a_file_replaced_by_a_directory(published: Newsroom) -> None:
    path = published.content / "world/story.md"
    path.unlink()
    path.mkdir()
    result = published.scan()
    assert result.withdrawn == 0
    still_good(published)
    assert "now a folder" in str(error_for(published)[2])
    path.rmdir()
    published.write("world/story.md", article_text(body=GOOD_BODY))
    published.scan()
    still_good(published)
    assert published.query("SELECT count(*) FROM ingest_errors") == [(0,)]


def test_a_deleted_folder_withdraws_only_its_files(published: Newsroom) -> None:
    published.write("culture/other.md", article_text(title="Other"))
    published.scan()
    shutil.rmtree(published.content / "culture")
    result = published.scan()
    assert result.withdrawn == 1
    assert published.one("SELECT state FROM articles WHERE title = 'Harbour reopens'") == "live"


def test_broken_files_in_a_scan_big_enough_for_the_worker_pool(newsroom: Newsroom) -> None:
    """Parse workers send errors back across a process boundary; each must arrive whole."""
    for i in range(400):
        newsroom.write(f"world/s{i:03d}.md", article_text(title=f"Story number {i}"))
    newsroom.write("world/broken.md", article_text(publishd="2024-01-01"))
    result = newsroom.scan()
    assert result.published == 400
    [error] = result.errors
    assert (error.file, error.line, error.field) == ("world/broken.md", 4, "publishd")


def _read_within(root: Path, rel: str, seconds: float) -> list[object]:
    """read_file on another thread: what it gave, or [] when it is still held."""
    got: list[object] = []

    def read() -> None:
        try:
            got.append(read_file(root, rel, 1_000_000))
        except Exception as error:  # a ContentError, or what the test reports as wrong
            got.append(error)

    reader = threading.Thread(target=read, daemon=True)  # a held one must not hold pytest
    reader.start()
    reader.join(seconds)
    return got


# What an editor's folder can hold at an article's name, made at `path` (the folder's `root`).
KINDS: dict[str, Callable[[Path, Path], None]] = {
    "a file": lambda path, root: path.write_text(article_text()),
    "a folder": lambda path, root: path.mkdir(),
    "a named pipe": lambda path, root: os.mkfifo(path),
    "a socket": lambda path, root: _socket_at(path),
    "a link to a file inside": lambda path, root: path.symlink_to(_made(root / "in.md")),
    "a link to a file outside": lambda path, root: path.symlink_to(_made(root.parent / "o.md")),
    "a link to a pipe inside": lambda path, root: path.symlink_to(_pipe(root / "p")),
    "a link to /dev/zero": lambda path, root: path.symlink_to("/dev/zero"),
    "a link to nothing": lambda path, root: path.symlink_to(root / "nowhere.md"),
    "a link to itself": lambda path, root: path.symlink_to(path),
}


def _made(path: Path) -> Path:
    path.write_text(article_text())
    return path


def _pipe(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket_at(path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_whatever_an_articles_name_holds_reading_it_gives_bytes_or_an_error_at_once(
    tmp_path: Path, kind: str
) -> None:
    root = (tmp_path / "content").resolve()
    (root / "world").mkdir(parents=True)
    KINDS[kind](root / "world" / "a.md", root)
    got = _read_within(root, "world/a.md", 5)
    assert got, f"reading {kind} is still held after 5 s"
    if kind in ("a file", "a link to a file inside"):
        assert isinstance(got[0], bytes)
    else:
        assert isinstance(got[0], ContentError) and got[0].message, kind


def test_a_pipe_renamed_over_an_article_between_reads_never_holds_the_reader(
    tmp_path: Path,
) -> None:
    """The race an outside test won: the article saved by rename, and a named pipe renamed
    over it, back and forth, while the reader reads it again and again. Each read gives the
    bytes or an error at once; none waits on the pipe (which nobody will ever write)."""
    root = (tmp_path / "content").resolve()
    (root / "world").mkdir(parents=True)
    article, spare = root / "world" / "a.md", root / "world" / ".swap"
    article.write_text(article_text())
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            os.mkfifo(spare)
            os.replace(spare, article)
            spare.write_text(article_text())
            os.replace(spare, article)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    try:
        for _ in range(2000):
            assert _read_within(root, "world/a.md", 5), "a read is held by the pipe"
    finally:
        stop.set()
        swapper.join(5)
