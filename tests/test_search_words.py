"""The words a search offers ("did you mean") are those of live headlines only."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.archive.queries import Archive
from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from tests.conftest import Newsroom, article_text, examples, make_settings, set_clock

WORDS = ("harbour", "ferries", "pilots", "council", "lighthouse", "fisheries", "dredging")
STORY_STATES = st.sampled_from(["live", "draft", "scheduled", "withdrawn", "deleted"])


@settings(max_examples=examples(60), deadline=None)
@given(
    stories=st.lists(
        st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), STORY_STATES),
        min_size=1,
        max_size=6,
    ),
    typo=st.sampled_from(WORDS).map(lambda w: w[:-1] + ("x" if w[-1] != "x" else "y")),
)
def test_did_you_mean_offers_only_words_of_live_headlines(
    stories: list[tuple[list[str], str]], typo: str
) -> None:
    """A search that finds nothing offers the nearest headline words, and only those of live
    stories: never a draft's, a scheduled story's, a withdrawn one's or a deleted draft's."""
    with tempfile.TemporaryDirectory() as folder:
        offered, live = _offered(Path(folder), stories, typo)
    assert offered is None or offered in live, (typo, offered, stories)


def _offered(
    root: Path, stories: list[tuple[list[str], str]], typo: str
) -> tuple[str | None, set[str]]:
    settings = make_settings(root)
    clock = set_clock()
    room = Newsroom(settings, ArchiveWriter(open_writer(settings.db_path, clock), clock), clock)
    for n, (words, state) in enumerate(stories):
        fields = {"status": "draft"} if state in ("draft", "deleted") else {}
        if state == "withdrawn":
            fields = {"status": "withdrawn"}
        published = "2099-01-01" if state == "scheduled" else "2024-03-01"
        room.write(
            f"world/s{n}.md",
            article_text(title=" ".join(words).title(), published=published, **fields),
        )
    room.scan()
    for n, (_, state) in enumerate(stories):
        if state == "deleted":
            (room.content / f"world/s{n}.md").unlink()
    room.scan()
    try:
        offered = asyncio.run(_did_you_mean(room, typo))
    finally:
        room.writer.conn.close()
    return offered, {w for words, state in stories if state == "live" for w in words}


async def _did_you_mean(room: Newsroom, text: str) -> str | None:
    async with Archive.open(room.settings.db_path) as archive:
        return await archive.search.did_you_mean(text)
