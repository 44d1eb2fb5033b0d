"""The command line as an editor or operator runs it: real processes, real files."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from syndication.archive.lock import writer_lock
from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from syndication.ingest.pipeline import Ingestor
from tests.conftest import REPO, article_text, make_settings, set_clock
from tests.live import serving
from tests.live import syndication as run
from tests.waiting import until

pytestmark = pytest.mark.processes  # the command line as processes of its own


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "a.md").write_text(article_text())
    return tmp_path


def test_check_passes_on_the_sample_content() -> None:
    result = run("check", "content", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and "0 errors" in result.stderr


def test_check_names_file_line_and_field_and_writes_nothing(workdir: Path) -> None:
    (workdir / "content" / "world" / "b.md").write_text(
        "---\ntitle: B\npublishd: 2024-01-01\n---\nx\n"
    )
    result = run("check", cwd=workdir)
    assert result.returncode == 1
    # (the sample's settings name authors these two files do not have: said apart, below)
    assert _of_files(result.stdout) == [
        "content/world/b.md:3: publishd: unknown field `publishd`; did you mean `published`?"
    ]
    assert "syndication.toml: warning: [authors." in result.stdout
    assert not (workdir / "syndication.db").exists()
    single = run("check", "content/world/a.md", cwd=workdir)
    assert single.returncode == 0 and "1 files checked" in single.stderr


def test_check_finds_duplicate_ids_among_files(workdir: Path) -> None:
    (workdir / "content" / "world" / "a.md").write_text(article_text(title="A", id="same"))
    (workdir / "content" / "world" / "b.md").write_text(article_text(title="B", id="same"))
    result = run("check", cwd=workdir)
    assert result.returncode == 1
    assert "content/world/b.md:4: id: the id 'same' is already used by world/a.md" in result.stdout
    single = run("check", "content/world/b.md", cwd=workdir)  # the same clash, file alone
    assert single.returncode == 1 and _of_files(single.stdout) == _of_files(result.stdout)


def _of_files(output: str) -> list[str]:
    """What `check` says of the files, without what it says of the settings."""
    return [line for line in output.splitlines() if line.startswith("content/")]


def test_ingest_then_status(workdir: Path) -> None:
    first = run("ingest", cwd=workdir)
    assert first.returncode == 0 and "1 published" in first.stdout
    (workdir / "content" / "world" / "bad.md").write_text("---\ntitle: x\n")
    second = run("ingest", cwd=workdir)
    assert second.returncode == 1 and "1 invalid" in second.stdout
    assert "content/world/bad.md:1:" in second.stderr
    status = run("status", cwd=workdir)
    assert "1 live" in status.stdout and "ingest errors: 1" in status.stdout
    assert (
        "content/world/bad.md:1: " in status.stdout and "last change: #1 published" in status.stdout
    )
    as_json = json.loads(run("status", "--json", cwd=workdir).stdout)
    assert as_json["articles"] == {"live": 1} and as_json["errors"][0]["file"] == "world/bad.md"


def test_status_lists_drafts_and_scheduled_stories_with_their_times(workdir: Path) -> None:
    world = workdir / "content" / "world"
    (world / "draft.md").write_text(
        article_text(title="Quay plan, first draft", published="2026-11-30", status="draft")
    )
    (world / "embargoed.md").write_text(
        article_text(title="Budget under embargo", published="2099-01-05T09:00:00+01:00")
    )
    assert run("ingest", cwd=workdir).returncode == 0
    status = run("status", cwd=workdir).stdout
    assert "waiting: world/embargoed.md: scheduled for 2099-01-05 08:00Z: Budget under" in status
    assert "waiting: world/draft.md: draft, dated 2026-11-29 23:00Z: Quay plan" in status
    waiting = json.loads(run("status", "--json", cwd=workdir).stdout)["waiting"]
    assert [(w["file"], w["state"]) for w in waiting] == [
        ("world/draft.md", "draft"),
        ("world/embargoed.md", "scheduled"),
    ]
    assert waiting[0]["embargoed_until"] is None
    assert waiting[1]["embargoed_until"] == "2099-01-05T08:00:00+00:00"
    assert waiting[1]["path"] == "/en/world/2099/01/05/budget-under-embargo"


def test_flags_and_environment_choose_folders(workdir: Path) -> None:
    (workdir / "content").rename(workdir / "elsewhere")
    by_flag = run("ingest", "--content", "elsewhere", "--db", "x.db", cwd=workdir)
    assert by_flag.returncode == 0 and (workdir / "x.db").exists()
    env = {"SYNDICATION_CONTENT_DIR": "elsewhere", "SYNDICATION_DB_PATH": "y.db"}
    by_env = run("ingest", cwd=workdir, env=env)
    assert by_env.returncode == 0 and (workdir / "y.db").exists()
    bad = run("ingest", cwd=workdir, env={"SYNDICATION_PORT": "eighty"})
    assert bad.returncode == 2 and "port" in bad.stderr


def test_status_without_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    result = run("status", cwd=tmp_path)
    assert result.returncode == 2 and "run `syndication ingest` first" in result.stderr


def test_backup_of_a_live_archive_while_the_writer_writes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    (settings.content_dir / "world").mkdir()
    clock = set_clock()
    writer = ArchiveWriter(open_writer(settings.db_path, clock), clock)
    for i in range(200):
        (settings.content_dir / "world" / f"a{i}.md").write_text(article_text(title=f"Story {i}"))
    Ingestor(settings, writer).full_scan()

    stop = threading.Event()

    def keep_writing() -> None:  # the writer keeps publishing while the backup runs
        n = 0
        while not stop.is_set():
            (settings.content_dir / "world" / f"b{n}.md").write_text(
                article_text(title=f"More {n}")
            )
            Ingestor(settings, writer).ingest_paths({f"world/b{n}.md"})
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = run(
            "backup", str(tmp_path / "copy.db"), "--db", str(settings.db_path), cwd=tmp_path
        )
    finally:
        stop.set()
        thread.join()
        writer.conn.close()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] >= 200
    seqs = copy.execute("SELECT count(*), max(seq) - min(seq) + 1 FROM changes").fetchone()
    assert seqs[0] == seqs[1]  # a consistent snapshot: no gap in the change log
    copy.close()


def test_one_writer_at_a_time_restore_and_ingest_refuse_beside_a_running_server(
    tmp_path: Path,
) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    assert run("ingest", cwd=tmp_path).returncode == 0
    assert run("backup", str(tmp_path / "copy.db"), cwd=tmp_path).returncode == 0
    with serving(tmp_path) as server:
        for command in (["ingest"], ["restore", str(tmp_path / "copy.db"), "--replace"]):
            refused = run(*command, cwd=tmp_path)
            assert refused.returncode == 2, refused.stdout
            assert "in use by `syndication serve` (pid" in refused.stderr, refused.stderr
        added = run("partners", "add", "Still works", "--sections", "world", cwd=tmp_path)
        assert added.returncode == 0, added.stderr  # partner commands need no writer lock
        assert server.get("/en/").status == 200
    again = run("restore", str(tmp_path / "copy.db"), "--replace", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_status_says_when_the_running_writers_state_is_in_another_runtime_folder(
    workdir: Path,
) -> None:
    (workdir / "server-runtime").mkdir()
    env = {"SYNDICATION_RUNTIME_DIR": str(workdir / "server-runtime")}
    with serving(workdir, env=env):
        found = run("status", cwd=workdir, env=env)
        assert "writes: ok" in found.stdout, found.stdout
        elsewhere = run("status", cwd=workdir, env={"SYNDICATION_RUNTIME_DIR": str(workdir)})
    assert "writes: not known here: `syndication serve` (pid" in elsewhere.stdout
    assert "is SYNDICATION_RUNTIME_DIR the server's?" in elsewhere.stdout


def test_partner_commands_never_make_or_migrate_an_archive_beside_its_writer(
    tmp_path: Path,
) -> None:
    """`partners` writes beside a running server without the lock; but an archive that is
    missing or older than the command is made current only when nobody writes it."""
    added = run("partners", "add", "First", "--sections", "world", cwd=tmp_path)
    assert added.returncode == 0, added.stderr  # no archive yet, nobody writing: made
    assert (tmp_path / "syndication.db").exists()
    (tmp_path / "syndication.db").rename(tmp_path / "elsewhere.db")
    with writer_lock(
        tmp_path / "syndication.db", "serve", set_clock()
    ):  # a writer, of another version
        refused = run("partners", "add", "Second", "--sections", "world", cwd=tmp_path)
    assert refused.returncode == 2 and "in use by `syndication serve`" in refused.stderr
    assert not (tmp_path / "syndication.db").exists()


def test_a_backup_taken_while_serving_restores_into_a_fresh_archive(tmp_path: Path) -> None:
    """Backup of the running server's archive, restore into a new file, compare."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    assert run("partners", "add", "Kept", "--sections", "world", cwd=tmp_path).returncode == 0
    with serving(tmp_path) as server:
        assert server.get("/en/").status == 200
        made = run("backup", str(tmp_path / "copy.db"), cwd=tmp_path)
        assert made.returncode == 0, made.stderr
    refused = run("restore", str(tmp_path / "copy.db"), cwd=tmp_path)
    assert refused.returncode == 2 and "--replace" in refused.stderr  # never over a live file
    done = run(
        "restore", str(tmp_path / "copy.db"), "--db", str(tmp_path / "restored.db"), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    original = sqlite3.connect(tmp_path / "syndication.db")
    restored = sqlite3.connect(tmp_path / "restored.db")
    for table in ("articles", "changes", "article_topics", "related", "partners", "url_history"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert original.execute(query).fetchall() == restored.execute(query).fetchall(), table
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    not_an_archive = tmp_path / "junk.db"
    not_an_archive.write_bytes(b"not sqlite at all" * 100)
    junk = run("restore", str(not_an_archive), "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert junk.returncode == 2 and "not" in junk.stderr


def test_workers_share_a_port_the_kernel_picked(tmp_path: Path) -> None:
    """`--port 0 --workers 2`: the supervisor holds a kernel-picked port, names it, and both
    readers answer on it (each /healthz names the process that answered)."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    with serving(tmp_path, "--workers", "2") as server:
        assert not server.base.endswith(":0")
        pids: set[int] = set()

        def both_answered() -> bool:  # the second reader may still be starting
            pids.add(json.loads(server.get("/healthz").body)["pid"])
            return len(pids) == 2

        until(both_answered, 20, "both readers answering")
        home = server.get("/")
    assert home.status == 200 and server.base in home.body  # links name the real port
    assert len(pids) == 2, pids


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("serve", "--replica=-config=x://y"), "is not a replica URL"),
        (("serve", "--replica", " "), "no replica given"),
        (("serve", "--replica", "store", "--workers", "2"), "one process"),
        (("promote",), "is not a replica's copy"),
    ],
)
def test_replica_commands_refuse_what_they_cannot_do(
    workdir: Path, args: tuple[str, ...], words: str
) -> None:
    """Before anything starts: a replica URL that is not one, or a promotion of an archive
    that is not a replica's copy (it would renumber a primary's changes), is refused."""
    assert run("ingest", cwd=workdir).returncode == 0
    before = (workdir / "syndication.db").read_bytes()
    refused = run(*args, cwd=workdir)
    assert refused.returncode == 2 and words in refused.stderr, refused.stderr
    assert (workdir / "syndication.db").read_bytes() == before


@pytest.mark.parametrize("named_by", ["--config", "SYNDICATION_CONFIG"])
def test_a_settings_file_named_but_missing_is_an_error_not_the_defaults(
    workdir: Path, named_by: str
) -> None:
    """On the defaults, a misspelt settings file ingested with no sections and no licensed-in
    sources; nothing may be written then."""
    missing = workdir / "syndicaton.toml"
    named = ["--config", str(missing)] if named_by == "--config" else []
    done = subprocess.run(
        [sys.executable, "-m", "syndication", "ingest", *named],
        cwd=workdir,
        env={**os.environ, "SYNDICATION_CONFIG": str(missing)} if not named else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"{named_by} names {missing}, and there is no such file" in done.stderr
    assert not (workdir / "syndication.db").exists()


def test_help_names_every_command_and_readme_shows_each(capsys: pytest.CaptureFixture[str]) -> None:
    """`--help` is made from the parser, so it names every command; README's table shows each."""
    from syndication.cli import _parser

    parser = _parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    out = capsys.readouterr().out
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(commands.choices) >= 11
    for name in commands.choices:
        assert re.search(rf"^ +{name} ", out, re.M), name  # listed, with what it does
        assert f" {name} " in " ".join(out.split()).replace("|", " "), name  # and in the line
        assert f"`syndication {name}" in readme, name


def test_check_rights_reads_the_served_sample_site_and_finds_no_disagreement(
    workdir: Path,
) -> None:
    """`syndication check --rights` against `syndication serve`, as docs/rights.md says to
    run it: every surface of the sample site agrees with its policy, and one served under
    another policy is told, line by line, with exit 1."""
    with serving(workdir) as app:
        done = run("check", "--rights", "--url", app.base, cwd=workdir)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"\d+ statements read from \d+ kinds of surface, 0 disagree", done.stderr)
        other = workdir / "other.toml"
        other.write_text((REPO / "syndication.toml").read_text() + '\n[rights]\ntdm = "allowed"\n')
        told = subprocess.run(
            [sys.executable, "-m", "syndication", "check", "--rights", "--url", app.base,
             "--config", str(other)],
            cwd=workdir, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert told.returncode == 1, told.stderr
        assert "tdmrep.json:" in told.stdout and "the policy: Reserved:" in told.stdout
    refused = run("check", "--limit", "3", cwd=workdir)
    assert refused.returncode != 0 and "go with --rights" in refused.stderr
