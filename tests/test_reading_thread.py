"""No file is read on the thread that writes the archive: a read that hangs in the operating
system holds only its own reader, and the writer refuses that file after its time and goes
on with the rest (the file's last good version stays up)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.archive.batch import Rejected, Restamped
from syndication.clock import SetClock
from syndication.config import Settings
from syndication.ingest import files
from syndication.ingest.plan import Candidate
from syndication.ingest.reading import Readers
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import article_text, examples, make_settings

Client = TestClient[Any, Any]


def candidate(n: int) -> Candidate:
    return Candidate(f"world/{n}.md", 10, n, None)


@settings(max_examples=examples(30), deadline=None)
@given(stuck=st.sets(st.integers(0, 5), max_size=3))
def test_a_stuck_read_is_given_up_and_the_rest_are_read(stuck: set[int]) -> None:
    release = threading.Event()
    readers_seen: set[str] = set()

    def parse(c: Candidate) -> Restamped:
        readers_seen.add(threading.current_thread().name)
        if c.mtime_ns in stuck:
            release.wait(10)  # as a read stuck in the kernel: until the test ends
        return Restamped(c.file, c.size, c.mtime_ns)

    readers = Readers(parse, seconds=0.05)
    outcomes = list(readers.outcomes([candidate(n) for n in range(6)]))
    release.set()
    assert [o.file for o in outcomes] == [f"world/{n}.md" for n in range(6)]
    for n, outcome in enumerate(outcomes):
        assert isinstance(outcome, Rejected) == (n in stuck)
        if n in stuck:
            assert "could not be read within 0.05 s" in outcome.error.message  # type: ignore[union-attr]
    assert readers.left_behind == len(stuck)
    assert readers_seen == {"read-files"} and threading.current_thread().name != "read-files"


def test_an_error_in_a_reader_is_raised_on_the_writers_thread() -> None:
    def parse(c: Candidate) -> Restamped:
        raise RuntimeError("broken reader")

    with pytest.raises(RuntimeError, match="broken reader"):
        list(Readers(parse, 5).outcomes([candidate(1)]))


async def test_the_writer_thread_never_reads_an_editors_file(
    tmp_path: Any,
    clock: SetClock,
    aiohttp_client: Callable[..., Awaitable[Client]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site: Settings = make_settings(tmp_path)
    (site.content_dir / "world").mkdir()
    read_on: list[str] = []
    real = files.read_file

    def recording(*args: Any, **kwargs: Any) -> bytes:  # the real read, noting its thread
        read_on.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "read_file", recording)
    (site.content_dir / "world" / "a.md").write_text(article_text(title="First"))
    client = await aiohttp_client(create_app(site, clock))
    (site.content_dir / "world" / "b.md").write_text(article_text(title="Second"))
    ingest = client.app[SERVICES].ingest
    assert ingest is not None
    await ingest.ingest_paths({"world/b.md"})
    assert read_on and not [name for name in read_on if name.startswith("archive-writer")]
