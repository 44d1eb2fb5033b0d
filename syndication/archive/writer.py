"""The archive's one writer: every change to the SQLite file goes through here.

All methods are synchronous and must be called from one thread (the writer thread, see
ingest.service), which is what makes "exactly one writer" true rather than hoped for.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from syndication.archive import dependencies, ownership, related
from syndication.archive.article_row import ARTICLE_COLUMNS
from syndication.archive.articles import WAS_PUBLIC
from syndication.archive.batch import (
    Accepted,
    ApplyResult,
    FileRow,
    Rejected,
    Restamped,
)
from syndication.archive.column_values import from_iso, to_iso
from syndication.archive.schema import CHANGE_HEAD, transaction
from syndication.archive.sql import Query
from syndication.clock import Clock
from syndication.errors import ContentError
from syndication.model import Article, Author, ChangeKind, State, Status, Topic

# Set by the writer, not the file: state, source_file, content_hash, id_given, digest.
_WRITER_COLUMNS = ("state", "source_file", "content_hash", "id_given", "digest")
_INSERTED = (*ARTICLE_COLUMNS, *_WRITER_COLUMNS, "id", "version", "first_seen", "last_changed")
_INSERT = (
    f"INSERT INTO articles ({', '.join(_INSERTED)}) VALUES ({', '.join('?' * len(_INSERTED))})"
)
_UPDATE = (
    f"UPDATE articles SET {', '.join(c + ' = ?' for c in ARTICLE_COLUMNS + _WRITER_COLUMNS)}, "
    "file_gone = 0, version = ?, last_changed = ? WHERE num = ?"
)


_TRANSLATION_OF = ARTICLE_COLUMNS.index("translation_of")
# Filled in again when only the file was re-read (what a newer version of the program keeps
# of a story that is not in its digest): old addresses, whose copy it is and its picture's.
_REFILLED = ("aliases", "image", "permissions", "licensed_from", "others_pictures")
_REFILL = ", ".join(f"{name} = ?" for name in _REFILLED)
_REFILLED_AT = tuple(ARTICLE_COLUMNS.index(name) for name in _REFILLED)
PAGE = 1000  # rows a scan reads at a time of what the archive knows of its files


def state_of(status: Status, published: datetime, now: datetime) -> State:
    if status is Status.DRAFT:
        return State.DRAFT
    if status is Status.WITHDRAWN:
        return State.WITHDRAWN
    return State.SCHEDULED if published > now else State.LIVE


class ArchiveWriter:
    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self.conn = conn
        self.clock = clock
        self._logged: list[str] = []  # article ids logged in `changes` by the current batch
        self._counted = False  # the current batch is counted in meta's `last_commit`
        self.related = related.RelatedRanker(conn)

    # -- what ingest needs to decide what to read ------------------------------------------

    def file_rows(self, files: Iterable[str], folders: Iterable[str] = ()) -> dict[str, FileRow]:
        """Just `files` and those under `folders` (for a watched change): an edit must not
        read 100,000 rows to find one. A full scan reads them all with file_rows_in_order."""
        select = "SELECT file, article_id, content_hash, size, mtime_ns FROM files"
        rows = list(
            self.conn.execute(
                f"{select} WHERE file IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(set(files))),),
            )
        )
        for folder in folders:  # a range on the primary key: files under "folder/"
            rows += self.conn.execute(
                f"{select} WHERE file >= ? AND file < ?", (folder + "/", folder + "0")
            )
        return {r[0]: FileRow(r[1], r[2], r[3], r[4]) for r in rows}

    def file_rows_in_order(self) -> Iterator[tuple[str, FileRow]]:
        """Every file ingest knows, in name order, a page at a time: a scan of a million
        files goes through them beside its walk of content/ instead of holding them all.
        No cursor stays open between pages, as the scan writes batches between them."""
        for r in _paged(self.conn, "file, article_id, content_hash, size, mtime_ns", "files"):
            yield r[0], FileRow(r[1], r[2], r[3], r[4])

    def error_stats_in_order(self) -> Iterator[tuple[str, tuple[int, int]]]:
        """error_stats() in name order, a page at a time."""
        for r in _paged(self.conn, "file, size, mtime_ns", "ingest_errors"):
            yield r[0], (r[1], r[2])

    def error_stats(self) -> dict[str, tuple[int, int]]:
        """Files with a recorded error and the size/mtime they had, to skip unchanged ones."""
        rows = self.conn.execute("SELECT file, size, mtime_ns FROM ingest_errors")
        return {r[0]: (r[1], r[2]) for r in rows}

    def meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, name: str, value: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value)
            )

    def dependents(self, paths: Iterable[str]) -> set[str]:
        """Article files that depend on these paths (images, or folders of them)."""
        return dependencies.dependents(self.conn, paths)

    def recorded_dependencies(self) -> Iterator[tuple[str, str, int, int]]:
        return dependencies.recorded(self.conn)

    # -- applying a batch -------------------------------------------------------------------

    def apply(
        self,
        accepted: Sequence[Accepted] = (),
        rejected: Sequence[Rejected] = (),
        touched: Sequence[Restamped] = (),
        gone: Iterable[str] = (),
        *,
        withdraw_gone: bool = True,
        defer_related: bool = False,
    ) -> ApplyResult:
        """One transaction for the batch: all of it lands or none of it does.

        `gone` files may be claimed by a new file with the same content (a move), even one
        that cannot be published as it is (moved without its image): its article stays up.
        Those not claimed are withdrawn when `withdraw_gone` (a scan split into chunks passes
        the gone set with every chunk, and withdraws only with the last). "More on this
        topic" is re-ranked in the same transaction, unless `defer_related` (a large scan
        ranks everything once at its end, with `refresh_related`).
        """
        result = ApplyResult()
        self._logged, self._counted = [], False
        self._unsourced: set[str] = set()  # articles that lost a sources row in this batch
        self._displaced: set[str] = set()  # files whose kept id a file asking for it took
        changed_files: set[str] = set()  # files whose claims may have changed
        gone_set = set(gone)
        changed_files |= gone_set  # a move takes them out of gone_set as it goes
        now = self.clock.now()
        batch = _Applying(gone_set, now, result)
        conn = self.conn
        with transaction(conn):
            for same in touched:
                conn.execute(
                    "UPDATE files SET size = ?, mtime_ns = ? WHERE file = ?",
                    (same.size, same.mtime_ns, same.file),
                )
                conn.execute("DELETE FROM ingest_errors WHERE file = ?", (same.file,))
                result.unchanged += 1
            for item in accepted:
                changed_files.add(item.file)
                try:
                    self._upsert(item, batch)
                except ContentError as error:
                    wants = (item.article.id if item.article.id_given else "", item.article.path)
                    self._reject(Rejected(item.file, item.size, item.mtime_ns, error), now, wants)
                    result.errors.append(error)
            for bad in rejected:
                self._keep_moved(bad, gone_set)
                self._reject(bad, now)
                result.errors.append(bad.error)
            if withdraw_gone:
                changed_files |= gone_set
                for file in sorted(gone_set):
                    self._file_gone(file, now, result)
            self._withdraw_unsourced(now, result)
            result.freed = self._refused_for(changed_files) | self._displaced
            if batch.inserted:  # indexed with the text the parse made (the archive keeps none)
                conn.executemany(
                    "INSERT INTO articles_fts(rowid, title, standfirst, body_text) "
                    "VALUES (?, ?, ?, ?)",
                    batch.inserted,
                )
                conn.executemany(
                    "INSERT INTO titles_fts(rowid, title) VALUES (?, ?)",
                    [(num, title) for num, title, _, _ in batch.inserted],
                )
            self._rank_changed(defer=defer_related)
        result.changed = self._logged
        result.seq = self.last_seq()
        return result

    def _upsert(self, item: Accepted, batch: _Applying) -> None:
        art, now, result = item.article, batch.now, batch.result
        article_id, alias = self._identify(item, batch.gone)
        stored = _Stored.of(
            self.conn.execute(f"SELECT {_Stored.COLUMNS} FROM articles WHERE id = ?", (article_id,))
        )
        self._check_ownership(item, article_id, stored, batch)
        if alias:
            ownership.add_alias(self.conn, alias, article_id)
        state = state_of(art.status, art.published, now)
        if stored is not None and stored.same_as(item, state):
            # Read again (a dependency changed, the rules changed) and nothing readers see
            # moved: no new version, and the full-text index is left alone.
            self.conn.execute(
                f"UPDATE articles SET content_hash = ?, {_REFILL} WHERE num = ?",
                (item.content_hash, *(item.columns[at] for at in _REFILLED_AT), stored.num),
            )
            self._source_read(item, article_id)
            result.unchanged += 1
            return
        num, version = self._write_row(item, article_id, stored, state, now)
        if stored is None:
            batch.inserted.append((num, art.title, art.standfirst, art.body_text))
        self._write_names(num, art, replace=stored is not None)
        self._take_file(item, article_id, stored, batch)
        old_state = stored.state if stored is not None else None
        changed = stored is None or version != stored.version
        kind = _change_kind(
            old_state, state, changed=changed, was_public=lambda: self._was_public(article_id)
        )
        if kind is not None:
            self._log(article_id, kind, now, version)
            result.count(kind)
        else:
            result.unchanged += 1

    def _was_public(self, article_id: str) -> bool:
        query = Query("1", "articles a").where("a.id = ?", article_id).where(WAS_PUBLIC).page(1)
        return self.conn.execute(*query.build()).fetchone() is not None

    def _check_ownership(
        self, item: Accepted, article_id: str, stored: _Stored | None, batch: _Applying
    ) -> None:
        """Refuse the file when another present file holds the id or the address, and
        still asks for it. An id this file asks for (`id:`) is taken from a file that holds
        it only because the archive gave it (its file gives no id now), which is read again
        to be given one of its own: the archive follows what the files say, not the order
        they said it in."""
        held_elsewhere = (
            stored is not None
            and stored.source_file != item.file
            and not stored.file_gone
            and stored.source_file not in batch.gone
        )
        displaced = None
        if stored is not None and held_elsewhere:
            if item.article.id_given and not stored.id_given:
                displaced = stored.source_file
            elif self._still_asks(stored.source_file, "id", article_id):
                raise ownership.id_clash(
                    item.file, item.article.id or article_id, stored.source_file, item.lines
                )
        self._check_address(item, article_id, batch)
        if displaced is not None:
            self.conn.execute(
                "DELETE FROM files WHERE file = ? AND article_id = ?", (displaced, article_id)
            )
            self._displaced.add(displaced)

    def _check_address(self, item: Accepted, article_id: str, batch: _Applying) -> None:
        path = item.article.path
        owner = ownership.address_owner(self.conn, path, article_id)
        if owner is None or owner == item.file or owner in batch.gone:
            return  # free; or its own story, whose id it changes, which gives way
        if self._still_asks(owner, "address", path):
            raise ownership.address_clash(item.file, path, owner, item.lines)
        # The holder's file now asks for another address (and is refused): its last good
        # version gives this one up, so one address never shows two stories.
        for (held,) in self.conn.execute(
            "SELECT id FROM articles WHERE path = ? AND source_file = ? AND id != ? "
            "AND state != 'withdrawn'",
            (path, owner, article_id),
        ).fetchall():
            self._withdraw(str(held), batch.now, batch.result, file_gone=False)

    def _write_row(
        self, item: Accepted, article_id: str, stored: _Stored | None, state: State, now: datetime
    ) -> tuple[int, int]:
        """Insert or update the article's row; its number and version. A changed address
        leaves the old one in url_history (answered 301)."""
        conn, art, stamp = self.conn, item.article, to_iso(now)
        columns = list(item.columns)
        columns[_TRANSLATION_OF] = ownership.resolve(conn, art.translation_of)
        values = (
            *columns,
            state.value,
            item.file,
            item.content_hash,
            int(art.id_given),
            item.digest,
        )
        if stored is None:
            cursor = conn.execute(_INSERT, (*values, article_id, 1, stamp, stamp))
            num, version = int(cursor.lastrowid or 0), 1
        else:
            num = stored.num
            version = stored.version + (stored.digest != item.digest or stored.file_gone)
            conn.execute(_UPDATE, (*values, version, stamp, num))
            if stored.path != art.path:
                conn.execute(
                    "INSERT OR REPLACE INTO url_history (path, article_id, until) VALUES (?,?,?)",
                    (stored.path, article_id, stamp),
                )
        conn.execute("DELETE FROM url_history WHERE path = ?", (art.path,))
        # Old addresses of the story (an imported site's) send readers here; one another
        # live story already has stays that story's (a second site's import, or a second
        # post naming the same address, never takes it over).
        conn.executemany(
            "INSERT INTO url_history (path, article_id, until) VALUES (?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET article_id = excluded.article_id, "
            "until = excluded.until WHERE url_history.article_id = excluded.article_id "
            "OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = url_history.article_id "
            "AND a.state != 'withdrawn' AND a.file_gone = 0)",
            [(alias, article_id, stamp) for alias in art.aliases if alias != art.path],
        )
        return num, version

    def _write_names(self, num: int, art: Article, *, replace: bool) -> None:
        """The article's topics and authors, in the editor's order, dated for their feeds."""
        published = to_iso(art.published)
        tables: tuple[tuple[str, Sequence[Topic | Author]], ...] = (
            ("article_topics", art.topics),
            ("article_authors", art.authors),
        )
        for table, names in tables:
            if replace:
                self.conn.execute(f"DELETE FROM {table} WHERE article_num = ?", (num,))
            self.conn.executemany(
                f"INSERT INTO {table} (article_num, slug, name, position, published) "
                "VALUES (?, ?, ?, ?, ?)",
                [(num, n.slug, n.name, i, published) for i, n in enumerate(names)],
            )

    def _take_file(
        self, item: Accepted, article_id: str, stored: _Stored | None, batch: _Applying
    ) -> None:
        """The file is now this article's source: a story it named before (another `id:`)
        loses it, and the article's old file, when it moved, is done with."""
        previous = self.conn.execute("SELECT article_id FROM files WHERE file = ?", (item.file,))
        previous_id = previous.fetchone()
        if previous_id is not None and previous_id[0] != article_id:
            self._withdraw(previous_id[0], batch.now, batch.result, file_gone=True)
        self._source_read(item, article_id)
        if stored is not None and stored.source_file != item.file:
            # The article's old file is done with, unless it holds another story by now
            # (its id moved there): that row, and what it depends on, are that story's.
            left = self.conn.execute(
                "DELETE FROM files WHERE file = ? AND article_id = ?",
                (stored.source_file, article_id),
            )
            if left.rowcount:
                dependencies.forget(self.conn, stored.source_file)
                batch.gone.discard(stored.source_file)

    def _source_read(self, item: Accepted, article_id: str) -> None:
        """The file is the article's source as read now; its error, if any, is over."""
        held = self.conn.execute("SELECT article_id FROM files WHERE file = ?", (item.file,))
        if (had := held.fetchone()) is not None and had[0] != article_id:
            self._unsourced.add(str(had[0]))
        self.conn.execute(
            "INSERT OR REPLACE INTO files (file, article_id, content_hash, size, mtime_ns) "
            "VALUES (?, ?, ?, ?, ?)",
            (item.file, article_id, item.content_hash, item.size, item.mtime_ns),
        )
        self.conn.execute("DELETE FROM ingest_errors WHERE file = ?", (item.file,))
        dependencies.replace(self.conn, item.file, item.needs)

    def _identify(self, item: Accepted, gone: set[str]) -> tuple[str, str | None]:
        """The article this file is (its `id`, its file's article, or one it moved from),
        and an alias to record when an editor gave an `id` to an article that had one."""
        art = item.article
        conn = self.conn
        if art.id_given:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (art.id,)).fetchone():
                return art.id, None
            if (target := ownership.resolve(conn, art.id)) != art.id:
                return target, None
            had = conn.execute(
                "SELECT s.article_id FROM files s JOIN articles a ON a.id = s.article_id "
                "WHERE s.file = ? AND a.id_given = 0",
                (item.file,),
            ).fetchone()
            if had is not None:  # first `id:` on an article the archive named: same story
                return str(had[0]), art.id
            return art.id, None
        known = conn.execute("SELECT article_id FROM files WHERE file = ?", (item.file,))
        row = known.fetchone()
        if row is not None:
            return str(row[0]), None
        if gone:
            for file, article_id in conn.execute(
                "SELECT file, article_id FROM files WHERE content_hash = ?", (item.content_hash,)
            ):
                if file in gone:
                    return str(article_id), None
        # A deleted file restored, at its old place or elsewhere with the same bytes.
        revived = conn.execute(
            "SELECT id FROM articles WHERE file_gone = 1 AND id_given = 0 "
            "AND (content_hash = ? OR source_file = ?) ORDER BY last_changed DESC LIMIT 1",
            (item.content_hash, item.file),
        ).fetchone()
        if revived is not None:
            return str(revived[0]), None
        if gone:  # moved and edited in one go: same edition and headline
            for file, article_id in conn.execute(
                "SELECT s.file, s.article_id FROM files s JOIN articles a ON a.id = s.article_id "
                "WHERE a.edition = ? AND a.title = ?",
                (art.edition, art.title),
            ):
                if file in gone:
                    return str(article_id), None
        candidate = base = item.assigned_id
        suffix = 2
        while conn.execute("SELECT 1 FROM articles WHERE id = ?", (candidate,)).fetchone():
            candidate = f"{base}-{suffix}"
            suffix += 1
        return candidate, None

    def _keep_moved(self, bad: Rejected, gone: set[str]) -> None:
        """A file that cannot be published but has the bytes of a file gone in the same batch
        is that file moved: its article stays up, now belonging to the new file."""
        if not gone or bad.content_hash is None:
            return
        if self.conn.execute("SELECT 1 FROM files WHERE file = ?", (bad.file,)).fetchone():
            return  # the file holds a story of its own (its last good version)
        for file, article_id in self.conn.execute(
            "SELECT file, article_id FROM files WHERE content_hash = ?", (bad.content_hash,)
        ).fetchall():
            if file in gone:
                self.conn.execute(
                    "UPDATE files SET file = ?, size = ?, mtime_ns = ? WHERE file = ?",
                    (bad.file, bad.size, bad.mtime_ns, file),
                )
                self.conn.execute(
                    "UPDATE articles SET source_file = ? WHERE id = ?", (bad.file, article_id)
                )
                dependencies.forget(self.conn, file)
                gone.discard(file)
                return

    def _reject(self, bad: Rejected, now: datetime, wants: tuple[str, str] = ("", "")) -> None:
        """Record why the file cannot be published, what it waits for, and (when it was
        read far enough to know) the id and address its refused version asks for."""
        dependencies.add(self.conn, bad.file, bad.needs)
        err = bad.error
        self.conn.execute(
            "INSERT OR REPLACE INTO ingest_errors "
            "(file, line, field, message, at, size, mtime_ns, held_by, wants_id, wants_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                bad.file,
                err.line,
                err.field,
                err.message,
                to_iso(now),
                bad.size,
                bad.mtime_ns,
                err.held_by,
                *wants,
            ),
        )

    def _still_asks(self, file: str, kind: str, value: str) -> bool:
        """Whether `file` still asks for this id or address: its last good version holds
        them only while its current version (when refused, as its error row says) does."""
        row = self.conn.execute(
            "SELECT wants_id, wants_path FROM ingest_errors WHERE file = ?", (file,)
        ).fetchone()
        if row is None or not row[1]:  # read as it is now, or refused before knowing
            return True
        return bool((row[0] if kind == "id" else row[1]) == value)

    def _withdraw_unsourced(self, now: datetime, result: ApplyResult) -> None:
        """A story no file holds any more (its file now says another id) is withdrawn: the
        archive is what the files on disk say, and a story with no file is a ghost no
        takedown could reach."""
        for article_id in sorted(self._unsourced):
            if not self.conn.execute(
                "SELECT 1 FROM files WHERE article_id = ?", (article_id,)
            ).fetchone():
                self._withdraw(article_id, now, result, file_gone=True)

    def _refused_for(self, files: set[str]) -> set[str]:
        """Files refused for an id or address that one of `files` held: to be read again."""
        if not files:
            return set()
        rows = self.conn.execute(
            "SELECT file FROM ingest_errors WHERE held_by IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(files)),),
        )
        return {str(r[0]) for r in rows}

    def _file_gone(self, file: str, now: datetime, result: ApplyResult) -> None:
        self.conn.execute("DELETE FROM ingest_errors WHERE file = ?", (file,))
        dependencies.forget(self.conn, file)
        row = self.conn.execute("SELECT article_id FROM files WHERE file = ?", (file,)).fetchone()
        if row is None:
            return
        self.conn.execute("DELETE FROM files WHERE file = ?", (file,))
        self._withdraw(row[0], now, result, file_gone=True)

    def _withdraw(
        self, article_id: str, now: datetime, result: ApplyResult, *, file_gone: bool
    ) -> None:
        row = self.conn.execute(
            "SELECT state, version FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return
        # Taking a live story down is a new version, so a partner that keys on (id, version)
        # never takes the cancellation for the copy it holds.
        version = row[1] + 1 if row[0] == State.LIVE else row[1]
        self.conn.execute(
            "UPDATE articles SET state = 'withdrawn', file_gone = ?, last_changed = ?, "
            "version = ? WHERE id = ?",
            (int(file_gone), to_iso(now), version, article_id),
        )
        if row[0] == State.LIVE:
            self._log(article_id, ChangeKind.WITHDRAWN, now, version)
            result.withdrawn += 1
        elif row[0] == State.SCHEDULED:  # a deleted file of an embargoed story
            self._log(article_id, ChangeKind.EMBARGO, now, row[1])
            result.embargo += 1

    def _log(self, article_id: str, kind: ChangeKind, now: datetime, version: int) -> None:
        if kind is not ChangeKind.EMBARGO:  # nothing public changed
            self._logged.append(article_id)
        if not self._counted:
            self._count_commit(now)
        self.conn.execute(
            "INSERT INTO changes (article_id, kind, at, version) VALUES (?, ?, ?, ?)",
            (article_id, kind.value, to_iso(now), version),
        )

    def _count_commit(self, now: datetime) -> None:
        """Count this batch among the commits of its second. HTTP dates count whole seconds:
        readers date what they render by the last commit, and may call that date exact only
        when no other commit shares its second (web/response_cache.py `dated_by_commit`). The
        second never goes back, even if the clock does, so no later answer is dated before an
        earlier."""
        self._counted = True
        row = self.conn.execute("SELECT value FROM meta WHERE name = 'last_commit'").fetchone()
        last, _, count = (row[0] if row else "").partition(" ")
        second = to_iso(now)
        value = f"{last} {int(count) + 1}" if last and second <= last else f"{second} 1"
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('last_commit', ?)", (value,)
        )

    # -- "More on this topic" ---------------------------------------------------------------

    def _rank_changed(self, *, defer: bool) -> None:
        self.related.enqueue(self._logged)
        if not defer and self.related.pending() <= related.BULK:
            self.related.refresh_small()

    def refresh_related(self, rank_batches: related.RankBatches) -> int:
        """Rank what deferred batches (or an interrupted pass) left queued; returns how many
        articles were ranked. A large queue ranks everything, through `rank_batches`."""
        pending = self.related.pending()
        if pending == 0:
            return 0
        if pending > related.BULK:
            return self.related.refresh_all(rank_batches)
        with transaction(self.conn):
            return self.related.refresh_small()

    def give_back_free_pages(self) -> None:
        """Return the pages a large batch freed (the full-text index's merges leave some) to
        the file system, so a first ingest's archive is no larger than what it holds. Only
        archives made with incremental auto-vacuum can; others reuse them as they grow."""
        self.conn.executescript("PRAGMA incremental_vacuum;")  # one step a page: run it out

    # -- the scheduler's side ---------------------------------------------------------------

    def promote_due(self) -> ApplyResult:
        """Scheduled articles whose time has come go live."""
        now = self.clock.now()
        conn = self.conn
        self._logged, self._counted = [], False
        with transaction(conn):
            due = conn.execute(
                "SELECT id, version FROM articles WHERE state = 'scheduled' AND published <= ?",
                (to_iso(now),),
            ).fetchall()
            for article_id, version in due:
                conn.execute(
                    "UPDATE articles SET state = 'live', last_changed = ? WHERE id = ?",
                    (to_iso(now), article_id),
                )
                self._log(article_id, ChangeKind.PUBLISHED, now, version)
            self._rank_changed(defer=False)
        return ApplyResult(published=len(due), changed=self._logged, seq=self.last_seq())

    def next_due(self) -> datetime | None:
        row = self.conn.execute(
            "SELECT min(published) FROM articles WHERE state = 'scheduled'"
        ).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def last_seq(self) -> int:
        row = self.conn.execute(CHANGE_HEAD).fetchone()
        return int(row[0] or 0)


def _paged(conn: sqlite3.Connection, columns: str, table: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a table keyed by `file`, in order, PAGE at a time (a range on its key)."""
    after = ""
    query = f"SELECT {columns} FROM {table} WHERE file > ? ORDER BY file LIMIT {PAGE}"
    while rows := conn.execute(query, (after,)).fetchall():
        yield from rows
        after = rows[-1][0]


def _change_kind(
    old: State | None, new: State, *, changed: bool, was_public: Callable[[], bool]
) -> ChangeKind | None:
    if new is State.LIVE:
        if old is not State.LIVE:
            return ChangeKind.PUBLISHED
        return ChangeKind.UPDATED if changed else None
    if old is State.LIVE:
        return ChangeKind.WITHDRAWN
    if new is State.SCHEDULED and (old is not State.SCHEDULED or changed):
        return ChangeKind.EMBARGO
    if old is State.SCHEDULED:  # dropped before it went out: embargo partners must hear
        return ChangeKind.EMBARGO
    if new is State.WITHDRAWN and changed and was_public():
        # Edited while withdrawn (moved, retitled): its tombstones and its 410 move with it,
        # so readers' caches and partners hear of it as a new version of the withdrawal.
        return ChangeKind.WITHDRAWN
    return None


@dataclass(slots=True)
class _Applying:
    """What one batch's files share while they are applied."""

    gone: set[str]  # files gone from content/; a move takes its old file out
    now: datetime
    result: ApplyResult
    inserted: list[tuple[int, str, str, str]] = field(default_factory=list)  # rows to index


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the archive holds of an article before this write."""

    COLUMNS: ClassVar[str] = "num, source_file, file_gone, state, digest, version, path, id_given"
    num: int
    source_file: str
    file_gone: bool
    state: State
    digest: str
    version: int
    path: str
    id_given: bool

    @classmethod
    def of(cls, cursor: sqlite3.Cursor) -> _Stored | None:
        row = cursor.fetchone()
        if row is None:
            return None
        num, source_file, file_gone, state, digest, version, path, id_given = row
        return cls(
            int(num),
            str(source_file),
            bool(file_gone),
            State(state),
            str(digest),
            int(version),
            str(path),
            bool(id_given),
        )

    def same_as(self, item: Accepted, state: State) -> bool:
        """Read again with nothing a reader sees changed: same bytes, file, state and id."""
        return (
            self.digest == item.digest
            and not self.file_gone
            and self.source_file == item.file
            and self.state is state
            and self.id_given == item.article.id_given
        )
