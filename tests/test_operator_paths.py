"""No typo of an operator loses the archive: every path `backup`, `restore`, `serve --db`,
`promote --db` and the other commands are given is checked against the archive's files (the
file, its -wal, -shm, -journal and lock, the copies being written), against being a folder,
a device, a pipe, a link to one of those or to nothing, and a folder that is not there. A
refusal is one line and exit 2, and the archive is as it was; a backup that is taken is a
whole archive."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.cli import main
from syndication.errors import SyndicationError
from syndication.ports import kernel_picked
from tests.conftest import REPO, article_text, examples, set_clock

CONFIG = str(REPO / "syndication.toml")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A live archive: stories, a partner, its WAL kept open by a connection as a server's is."""
    root = tmp_path_factory.mktemp("operator")
    (root / "content" / "world").mkdir(parents=True)
    for n in range(3):
        (root / "content" / "world" / f"s{n}.md").write_text(article_text(title=f"Story {n}"))
    db = root / "arch.db"
    assert (
        main(["ingest", "--content", str(root / "content"), "--db", str(db), "--config", CONFIG])
        == 0
    )
    conn = open_writer(db, set_clock())
    PartnerStore(conn, set_clock()).add("Kept Partner", ["world"])
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL holds the partner: as in use
    yield db
    conn.close()


def _state(db: Path) -> tuple[str, int, int]:
    """What must survive a refused command: the archive's sound, its stories and partners."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        stories = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        partners = conn.execute("SELECT count(*) FROM partners").fetchone()[0]
    return check, stories, partners


def _digests(db: Path) -> dict[str, str]:
    """The bytes of the archive's files (not its lock's, which says who last held it)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in db.parent.iterdir()
        if p.name.startswith(db.name) and p.is_file() and not p.name.endswith(".lock")
    }


# Paths an operator may type, by what they are: made in `where` for the archive `db`.
PLACES: dict[str, Callable[[Path, Path], Path]] = {
    "the archive": lambda db, where: db,
    "its -wal": lambda db, where: Path(f"{db}-wal"),
    "its -shm": lambda db, where: Path(f"{db}-shm"),
    "its -journal": lambda db, where: Path(f"{db}-journal"),
    "its lock": lambda db, where: Path(f"{db}.lock"),
    "its copy being written": lambda db, where: Path(f"{db}.partial"),
    "a link to its -wal": lambda db, where: _link(where / "wal-link", Path(f"{db}-wal")),
    "a link to the archive": lambda db, where: _link(where / "db-link", db),
    "a link to nothing": lambda db, where: _link(where / "dangling", where / "nowhere"),
    "the folder": lambda db, where: where,
    "a file in a missing folder": lambda db, where: where / "missing" / "b.db",
    "a file under a file": lambda db, where: _file(where / "plain.txt", b"x") / "b.db",
    "a text file": lambda db, where: _file(where / "notes.txt", b"not an archive\n"),
    # Devices through links in the test's folder: should a regression write over the path
    # given, it replaces the link, never the machine's /dev/full (tests may run as root).
    "a device (/dev/full)": lambda db, where: _link(where / "full", Path("/dev/full")),
    "a device (/dev/null)": lambda db, where: _link(where / "null", Path("/dev/null")),
    "a named pipe": lambda db, where: _fifo(where / "pipe"),
    "the -wal of another name": lambda db, where: where / "other.db-wal",
}


THE_ARCHIVE = ("the archive", "a link to the archive")


def _link(path: Path, target: Path) -> Path:
    if not os.path.lexists(path):
        path.symlink_to(target)
    return path


def _file(path: Path, data: bytes) -> Path:
    if not path.exists():
        path.write_bytes(data)
    return path


def _fifo(path: Path) -> Path:
    if not path.exists():
        os.mkfifo(path)
    return path


def _refused(code: int, err: str) -> bool:
    lines = err.strip().splitlines()
    return code == 2 and len(lines) == 1 and lines[0].startswith("error: ")


ODD_HOSTS = ("", "0.0.0.0", "::", "::1", "localhost", "192.0.2.1", "999.1.1.1", "[::1]",
             "localhost:80", "a\x00b", "\udcff", "xn--", "." * 300, "example.invalid")  # fmt: skip
COMMANDS = ("backup", "restore", "serve", "promote", "status", "ingest")


@pytest.mark.parametrize(
    ("command", "place"),
    [  # every command with every kind of path (serving the archive itself would serve)
        (command, place)
        for command in COMMANDS
        for place in sorted(PLACES)
        if not (command == "serve" and place in THE_ARCHIVE)
    ],
)
def test_a_command_given_any_wrong_path_refuses_in_one_line_and_the_archive_stays(
    archive: Path, tmp_path: Path, command: str, place: str
) -> None:
    path = PLACES[place](archive, tmp_path)
    before = _state(archive), _digests(archive)
    common = ["--config", CONFIG, "--content", str(archive.parent / "content")]
    if command in ("backup", "restore"):
        argv = [command, str(path), "--db", str(archive), *common]
        if command == "restore":
            argv.append("--replace")
    else:  # the path is the archive these commands would open
        argv = [command, "--db", str(path), *common]
    code, err = _stderr_of(argv)
    if place in THE_ARCHIVE and command in ("status", "ingest"):
        assert code in (0, 1), err  # the archive itself, used as it should be
    else:
        assert _refused(code, err), (command, place, code, err)
        assert _digests(archive) == before[1], (command, place)
    assert _state(archive) == before[0]


def _stderr_of(argv: list[str]) -> tuple[int, str]:
    """The exit code and what the command said on stderr, run in this process."""
    saved = sys.stderr, sys.stdout
    sys.stderr, sys.stdout = io.StringIO(), io.StringIO()
    try:
        code = main(argv)
        return code, sys.stderr.getvalue()
    finally:
        sys.stderr, sys.stdout = saved


def test_a_backup_to_a_new_file_or_over_an_earlier_backup_is_whole_and_restores(
    archive: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "nightly.db"
    for _ in range(2):  # the second replaces the first
        code, err = _stderr_of(["backup", str(dest), "--db", str(archive), "--config", CONFIG])
        assert code == 0, err
        assert _state(dest) == _state(archive)
    assert not Path(f"{dest}.partial").exists()
    restored = tmp_path / "restored.db"
    for extra in ([], ["--replace"]):  # into a new archive, then over it
        code, err = _stderr_of(["restore", str(dest), "--db", str(restored), *extra,
                                "--config", CONFIG])  # fmt: skip
        assert code == 0, err
        assert _state(restored) == _state(archive)
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".partial", ".restoring"))]


@settings(max_examples=examples(300), deadline=None)
@given(host=st.one_of(st.text(max_size=40), st.sampled_from(ODD_HOSTS)))
def test_any_host_is_listened_on_or_refused_by_name(host: str) -> None:
    """`serve --host` takes what an operator types: an address of this machine is bound; any
    other text (a name that does not resolve, a NUL, what IDNA cannot encode, an address of
    another machine) is a SyndicationError naming it, never a traceback."""
    try:
        sock = kernel_picked(host)
    except SyndicationError as error:
        assert "cannot listen on" in str(error) and "--host" in str(error)
    else:
        sock.close()


def test_serve_on_an_address_of_another_machine_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    code, err = _stderr_of(
        ["serve", "--host", "192.0.2.1", "--port", "8080", "--config", CONFIG,
         "--content", str(tmp_path / "content"), "--db", str(tmp_path / "a.db")]
    )  # fmt: skip
    assert _refused(code, err) and "cannot listen on '192.0.2.1' port 8080" in err, err


def test_check_given_a_link_to_itself_refuses_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    loop = tmp_path / "content" / "loop.md"
    loop.symlink_to(loop)
    code, err = _stderr_of(
        ["check", str(loop), "--content", str(tmp_path / "content"), "--config", CONFIG]
    )
    assert _refused(code, err) and "leads back to itself" in err, err
