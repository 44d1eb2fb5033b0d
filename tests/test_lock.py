"""The writer lock's file says who holds it; whatever it holds, the refusal reads well."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.archive.lock import holder, lock_file, writer_lock, writing
from syndication.errors import ArchiveError
from tests.conftest import examples, set_clock


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=200))
def test_whatever_the_lock_file_holds_the_holder_is_named(
    tmp_path_factory: Any, held: bytes
) -> None:
    db = Path(str(tmp_path_factory.mktemp("archive"))) / "archive.db"
    lock_file(db).write_bytes(held)
    said = holder(db)
    assert said == "another syndication process" or said.startswith("`syndication ")


def test_a_second_writer_is_refused_with_the_first_one_s_name(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    refusal = r"`syndication ingest` \(pid"
    with writer_lock(db, "ingest", set_clock()), pytest.raises(ArchiveError, match=refusal):  # noqa: SIM117
        with writer_lock(db, "serve", set_clock()):  # the second writer, refused on entering
            pass


@pytest.mark.parametrize("other_name", ["hard link", "symbolic link", "folder linked"])
def test_a_second_writer_under_another_name_of_the_same_file_is_refused(
    tmp_path: Path, other_name: str
) -> None:
    """The lock beside the archive goes by its name; the archive's file is locked too, so
    a hard link, a link, or its folder reached another way never takes a second writer."""
    (tmp_path / "live").mkdir()
    db = tmp_path / "live" / "archive.db"
    with writing(db, "serve", set_clock()):  # the archive exists and its writer runs
        if other_name == "hard link":
            other = tmp_path / "other.db"
            other.hardlink_to(db)
        elif other_name == "symbolic link":
            other = tmp_path / "other.db"
            other.symlink_to(db)
        else:
            (tmp_path / "again").symlink_to(tmp_path / "live")
            other = tmp_path / "again" / "archive.db"
            # (the same name through another folder: its .lock is the same file, refused so)
        with pytest.raises(ArchiveError, match="in use"):  # noqa: SIM117
            with writer_lock(other, "ingest", set_clock()):
                pass
    with writer_lock(other, "ingest", set_clock()):
        pass  # once the first writer is gone, it may
