"""The archive's rules: identity, the changes log, withdrawals, drafts, the schedule, migrations."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from syndication.archive import bodies
from syndication.archive.queries import Archive
from syndication.archive.schema import (
    LATEST_VERSION,
    Access,
    connect,
    migrations,
    open_writer,
    split_statements,
)
from tests.conftest import Newsroom, article_text, set_clock


def changes(room: Newsroom) -> list[tuple[object, ...]]:
    return room.query("SELECT article_id, kind, version FROM changes ORDER BY seq")


def test_schema_is_versioned_and_in_wal_mode(newsroom: Newsroom) -> None:
    assert newsroom.one("PRAGMA user_version") == LATEST_VERSION >= 1
    assert newsroom.one("PRAGMA journal_mode") == "wal"
    tables = {r[0] for r in newsroom.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "articles",
        "article_topics",
        "article_authors",
        "url_history",
        "changes",
        "files",
        "ingest_errors",
        "articles_fts",
    } <= tables


def test_a_new_archive_gives_freed_pages_back_to_the_file_system(newsroom: Newsroom) -> None:
    """A first ingest's index merges free pages; a new archive hands them back after it."""
    assert newsroom.one("PRAGMA auto_vacuum") == 2  # incremental
    newsroom.writer.set_meta("scratch", os.urandom(2_000_000).hex())
    full = newsroom.one("PRAGMA page_count")
    newsroom.writer.set_meta("scratch", "")
    assert newsroom.one("PRAGMA freelist_count") > 200
    newsroom.writer.give_back_free_pages()
    assert newsroom.one("PRAGMA freelist_count") == 0
    assert newsroom.one("PRAGMA page_count") < full - 200  # type: ignore[operator]


def test_reopening_migrates_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    open_writer(db, set_clock()).close()
    conn = open_writer(db, set_clock())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    conn.close()


def archive_at(db: Path, version: int) -> sqlite3.Connection:
    """A new archive with the schema as migration `version` left it, on a plain connection."""
    conn = sqlite3.connect(db, isolation_level=None)
    clock = set_clock()  # what migrate() gives a migration that needs the time
    conn.create_function("clock_ms", 0, lambda: int(clock.time() * 1000))
    for _, _, sql in migrations()[:version]:
        for statement in split_statements(sql):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


# An article's row as archives before 0014 kept it (the body twice: HTML and plain text).
OLD_ROW: dict[str, object] = {
    "num": 7, "id": "abc", "id_given": 0, "edition": "en", "section": "world",
    "slug": "harbour", "path": "/en/world/2024/03/01/harbour", "title": "Harbour reopens",
    "standfirst": "After repairs.", "body_html": "<p>Breakwater mended.</p>",
    "body_text": "Breakwater mended.", "word_count": 2, "published": "2024-03-01T08:30:00Z",
    "status": "published", "state": "live", "source": "", "rights": "", "syndication": 1,
    "original_url": "", "translation_of": "", "corrections": "[]",
    "source_file": "world/a.md", "content_hash": "h", "digest": "d", "version": 1,
    "first_seen": "2024-03-01T08:30:00Z", "last_changed": "2024-03-01T08:30:00Z",
}  # fmt: skip


def insert_row(conn: sqlite3.Connection, **changes: object) -> None:
    """OLD_ROW with `changes`, and its words in the full-text index."""
    row = {**OLD_ROW, **changes}
    conn.execute(
        f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, standfirst, body_text) VALUES (?, ?, ?, ?)",
        (row["num"], row["title"], row["standfirst"], row["body_text"]),
    )


def test_an_archive_of_the_first_schema_keeps_everything_when_migrated(tmp_path: Path) -> None:
    """0002 rebuilds `articles` (other tables point at it); nothing may cascade away."""
    db = tmp_path / "a.db"
    conn = archive_at(db, 1)
    insert_row(conn)
    conn.execute("INSERT INTO article_topics VALUES (7, 'ports', 'Ports', 0)")
    conn.execute("INSERT INTO article_authors VALUES (7, 'ana', 'Ana', 0)")
    conn.close()

    conn = open_writer(db, set_clock())
    row = conn.execute(
        "SELECT id, state, body_text, a.title FROM articles a JOIN article_texts USING (num)"
    ).fetchone()
    assert row == ("abc", "live", "Breakwater mended.", "Harbour reopens")
    assert conn.execute("SELECT slug, published FROM article_topics").fetchall() == [
        ("ports", "2024-03-01T08:30:00Z")
    ]
    assert conn.execute("SELECT slug FROM article_authors").fetchall() == [("ana",)]
    assert conn.execute("SELECT article_num FROM related_due").fetchall() == [(7,)]
    match = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'breakwater'"
    assert conn.execute(match).fetchall() == [(7,)]
    conn.execute(  # the trigger keeps the index in step
        "UPDATE articles SET body_html = compressed_body('<p>Quay mended.</p>') WHERE num = 7"
    )
    assert conn.execute(match).fetchall() == []
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_bodies_kept_twice_are_kept_once_compressed_and_the_index_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    """0014: the plain text goes, the HTML is compressed; search, its snippets and the index
    triggers see the same text, nothing a partner sees changes version, and a plain sqlite3
    connection can still read and check every table."""
    db = tmp_path / "a.db"
    conn = archive_at(db, 13)
    html = (
        "<p>Pilots &amp; tug crews return to the <em>Tessel</em> quays.</p>\n<p>Ferries sail.</p>"
    )
    text = "Pilots & tug crews return to the Tessel quays.\nFerries sail."
    insert_row(
        conn, num=3, slug="pilots", path="/en/world/2024/03/01/pilots", title="Pilots return",
        standfirst="After the strike.", body_html=html, body_text=text, word_count=11, version=4,
    )  # fmt: skip
    conn.close()

    conn = open_writer(db, set_clock())
    stored, version, digest = conn.execute(
        "SELECT body_html, version, digest FROM articles"
    ).fetchone()
    assert isinstance(stored, bytes)
    assert bodies.body_html(stored) == html and (version, digest) == (4, "d")
    assert conn.execute("SELECT body_text FROM article_texts").fetchone() == (text,)
    snippet = (
        "SELECT snippet(articles_fts, 2, '[', ']', '…', 8) FROM articles_fts "
        "WHERE articles_fts MATCH ?"
    )
    assert conn.execute(snippet, ("tug",)).fetchall() == [
        ("Pilots & [tug] crews return to the Tessel quays…",)
    ]
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    conn.execute(
        "UPDATE articles SET body_html = compressed_body('<p>Harbour quiet.</p>') WHERE num = 3"
    )
    assert conn.execute(snippet, ("tug",)).fetchall() == []
    assert conn.execute(snippet, ("quiet",)).fetchall() == [("Harbour [quiet].",)]
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()
    plain = sqlite3.connect(db)
    assert plain.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(plain.execute("SELECT * FROM articles").fetchall()) == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    try:
        open_writer(db, set_clock())
    except Exception as exc:
        assert "newer than this program" in str(exc)
    else:
        raise AssertionError("a newer schema must not be opened")


def test_a_reader_in_a_long_transaction_does_not_block_the_writer(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text())
    newsroom.scan()
    reader = sqlite3.connect(f"file:{newsroom.settings.db_path}?mode=ro", uri=True)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    newsroom.write("world/b.md", article_text(title="Second story"))
    assert newsroom.scan().published == 1  # commits while the reader's snapshot is open
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)  # its snapshot
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    reader.close()


def test_publish_update_and_unchanged(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(topics="[Energy, Ports]"))
    result = newsroom.scan()
    assert result.published == 1
    article_id = newsroom.one("SELECT id FROM articles")
    assert newsroom.scan().published == 0  # unchanged: skipped by size and mtime
    newsroom.write("world/a.md", article_text(body="A corrected body.", topics="[Energy]"))
    assert newsroom.scan().updated == 1
    assert changes(newsroom) == [(article_id, "published", 1), (article_id, "updated", 2)]
    assert newsroom.query("SELECT slug FROM article_topics") == [("energy",)]
    hits = newsroom.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'corrected'")
    assert len(hits) == 1


def test_touching_a_file_without_changing_it_logs_nothing(newsroom: Newsroom) -> None:
    path = newsroom.write("world/a.md", article_text())
    newsroom.scan()
    os.utime(path, (1, 1))
    result = newsroom.scan()
    assert (result.published, result.updated, result.unchanged) == (0, 0, 1)
    assert len(changes(newsroom)) == 1


def test_title_change_keeps_id_and_records_the_old_address(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(title="First headline"))
    newsroom.scan()
    article_id, old_path = newsroom.query("SELECT id, path FROM articles")[0]
    newsroom.write("world/a.md", article_text(title="Better headline"))
    newsroom.scan()
    new_id, new_path = newsroom.query("SELECT id, path FROM articles")[0]
    assert (
        new_id == article_id and new_path != old_path and str(new_path).endswith("better-headline")
    )
    assert newsroom.query("SELECT path, article_id FROM url_history") == [(old_path, article_id)]


def test_a_renamed_or_moved_file_keeps_its_id(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text())
    newsroom.scan()
    article_id = newsroom.one("SELECT id FROM articles")
    (newsroom.content / "business").mkdir()
    os.rename(newsroom.content / "world/a.md", newsroom.content / "business/renamed.md")
    result = newsroom.scan()
    assert result.withdrawn == 0
    assert newsroom.query("SELECT id, section, state FROM articles") == [
        (article_id, "business", "live")
    ]
    assert newsroom.query("SELECT file FROM files") == [("business/renamed.md",)]
    assert [c[1] for c in changes(newsroom)] == ["published", "updated"]


def test_a_file_moved_and_edited_in_one_go_keeps_its_id(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(body="First words."))
    newsroom.scan()
    article_id = newsroom.one("SELECT id FROM articles")
    (newsroom.content / "world/a.md").unlink()
    newsroom.write("world/b.md", article_text(body="First words, then more."))
    newsroom.scan()
    assert newsroom.query("SELECT id, state FROM articles") == [(article_id, "live")]


def test_deleting_a_file_withdraws_and_restoring_revives(newsroom: Newsroom) -> None:
    path = newsroom.write("world/a.md", article_text())
    newsroom.scan()
    article_id = newsroom.one("SELECT id FROM articles")
    text = path.read_text()
    path.unlink()
    assert newsroom.scan().withdrawn == 1
    assert newsroom.query("SELECT state, file_gone FROM articles") == [("withdrawn", 1)]
    newsroom.write("world/restored.md", text)
    assert newsroom.scan().published == 1
    assert newsroom.query("SELECT id, state FROM articles") == [(article_id, "live")]


def test_status_withdrawn_and_draft(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text())
    newsroom.write("world/d.md", article_text(title="A draft", status="draft"))
    newsroom.scan()
    assert newsroom.one("SELECT state FROM articles WHERE title = 'A draft'") == "draft"
    newsroom.write("world/a.md", article_text(status="withdrawn"))
    result = newsroom.scan()
    assert result.withdrawn == 1
    assert newsroom.one("SELECT state FROM articles WHERE title = 'Harbour reopens'") == "withdrawn"
    assert [c[1] for c in changes(newsroom)] == ["published", "withdrawn"]  # drafts log nothing


def test_a_scheduled_article_goes_live_at_its_time_with_no_file_change(newsroom: Newsroom) -> None:
    newsroom.write("world/s.md", article_text(published="2026-11-27T15:00:00+01:00"))
    newsroom.scan()
    assert newsroom.one("SELECT state FROM articles") == "scheduled"
    # Only partners with embargo access hear of it yet; nothing public changed.
    assert [c[1] for c in changes(newsroom)] == ["embargo"]
    assert newsroom.writer.next_due() is not None
    assert newsroom.writer.promote_due().published == 0
    newsroom.clock.advance(timedelta(hours=2, minutes=1))
    assert newsroom.writer.promote_due().published == 1
    assert newsroom.one("SELECT state FROM articles") == "live"
    assert [c[1] for c in changes(newsroom)] == ["embargo", "published"]
    assert newsroom.writer.next_due() is None


def test_assigned_ids_are_the_same_when_the_archive_is_rebuilt(
    make_newsroom, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first = make_newsroom()
    first.write("world/a.md", article_text())
    first.scan()
    original = first.one("SELECT id FROM articles")
    first.writer.conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(first.settings.db_path) + suffix).unlink(missing_ok=True)
    second = make_newsroom()
    second.scan()
    assert second.one("SELECT id FROM articles") == original


def test_two_files_claiming_one_id(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(title="First", id="story-1"))
    newsroom.scan()
    newsroom.write("world/b.md", article_text(title="Second", id="story-1"))
    result = newsroom.scan()
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.file == "world/b.md" and error.field == "id" and error.line == 4
    assert "already used by world/a.md" in error.message
    assert newsroom.query("SELECT title FROM articles") == [("First",)]
    assert newsroom.query("SELECT file, field FROM ingest_errors") == [("world/b.md", "id")]


def test_two_files_claiming_one_address(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(title="Same title"))
    newsroom.write("world/b.md", article_text(title="Same title", body="Other words."))
    result = newsroom.scan()
    assert result.published == 1 and len(result.errors) == 1
    assert (
        result.errors[0].file == "world/b.md"
        and "already has the address" in result.errors[0].message
    )
    assert result.errors[0].field == "title" and result.errors[0].line == 2


def test_a_given_id_moves_with_the_file(newsroom: Newsroom) -> None:
    newsroom.write("world/a.md", article_text(id="keep-me"))
    newsroom.scan()
    os.rename(newsroom.content / "world/a.md", newsroom.content / "world/b.md")
    result = newsroom.scan()
    assert not result.errors and result.withdrawn == 0
    assert newsroom.query("SELECT id, state, source_file FROM articles") == [
        ("keep-me", "live", "world/b.md")
    ]


def test_each_role_opens_the_archive_with_its_own_rules(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    open_writer(db, set_clock()).close()

    def pragma(conn: sqlite3.Connection, name: str) -> object:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]

    writer, appender, reader = (connect(db, role) for role in Access)
    assert pragma(writer, "journal_mode") == "wal" and pragma(writer, "foreign_keys") == 1
    assert pragma(appender, "foreign_keys") == 1 and pragma(appender, "busy_timeout") == 5000
    assert pragma(reader, "query_only") == 1 and pragma(reader, "busy_timeout") == 5000
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("CREATE TABLE t (x)")
    for conn in (writer, appender, reader):
        conn.close()


async def test_a_replica_reopening_its_copy_cuts_short_no_query_running(
    newsroom: Newsroom,
) -> None:
    """A replica reads through a new connection after each transaction Litestream applies.
    A query holds its connection from statement to last row: one closed in between failed
    ("Connection closed"), and its page answered 500."""
    for i in range(30):
        newsroom.write(f"world/s{i:02d}.md", article_text(title=f"Story number {i}"))
    newsroom.scan()
    newsroom.writer.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a copy has no WAL
    failures: list[BaseException] = []

    async with Archive.open(newsroom.settings.db_path, copy=True) as archive:
        first = archive.db.conn

        async def read() -> None:
            for _ in range(100):
                try:
                    assert len(await archive.db.rows("SELECT id FROM articles")) == 30
                    assert await archive.current_seq() == 30
                except Exception as exc:  # every failure is the finding
                    failures.append(exc)

        async def reopen() -> None:
            for _ in range(50):
                await archive.reopen()
                await asyncio.sleep(0)

        await asyncio.gather(*(read() for _ in range(8)), reopen())
        assert archive.db.conn is not first
    assert failures == []
    with pytest.raises(ValueError, match="no active connection"):  # the old ones were closed
        await first.execute("SELECT 1")
