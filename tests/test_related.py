""" "More on this topic": ranked by the writer, kept in step with every change."""

from __future__ import annotations

import pytest

from syndication.archive import related
from tests.conftest import Newsroom, article_text


def related_titles(room: Newsroom, title: str) -> list[str]:
    rows = room.query(
        "SELECT o.title FROM articles me JOIN related r ON r.article_num = me.num "
        "JOIN articles o ON o.num = r.related_num WHERE me.title = ? ORDER BY r.position",
        title,
    )
    return [str(r[0]) for r in rows]


def story(
    room: Newsroom,
    name: str,
    title: str,
    topics: str,
    day: int = 1,
    body: str = "A story.",
    **fields: object,
) -> None:
    room.write(
        f"world/{name}.md",
        article_text(
            title=title,
            published=f"2024-03-{day:02d}T09:00:00Z",
            topics=topics,
            body=body,
            **fields,
        ),
    )


def test_a_rare_shared_topic_outranks_a_common_one(newsroom: Newsroom) -> None:
    for i in range(12):  # "Weather" is on almost everything
        story(newsroom, f"filler{i}", f"Filler {i}", "[Weather]", day=2)
    story(newsroom, "main", "Main", "[Weather, Lighthouses]")
    story(newsroom, "rare", "Rare match", "[Lighthouses]", day=20)
    newsroom.scan()
    ranked = related_titles(newsroom, "Main")
    assert ranked[0] == "Rare match"
    assert len(ranked) == related.LIMIT


def test_text_similarity_finds_a_story_with_no_shared_topic(newsroom: Newsroom) -> None:
    for i in range(10):
        story(newsroom, f"other{i}", f"Council budget meeting {i}", "[Budget]")
    story(newsroom, "main", "Breakwater repairs finished", "[Ports]", body="The breakwater.")
    story(newsroom, "twin", "Breakwater repairs begin", "[Engineering]", body="The breakwater.")
    newsroom.scan()
    assert related_titles(newsroom, "Breakwater repairs finished") == ["Breakwater repairs begin"]


def test_only_live_articles_of_the_same_edition(newsroom: Newsroom) -> None:
    story(newsroom, "main", "Main", "[Ferries]")
    story(newsroom, "live", "Live one", "[Ferries]")
    story(newsroom, "draft", "Draft one", "[Ferries]", status="draft")
    newsroom.write(
        "world/future.md",
        article_text(title="Future one", published="2099-01-01T09:00:00Z", topics="[Ferries]"),
    )
    newsroom.write(
        "world/french.md",
        article_text(title="Les ferries", edition="fr", topics="[Ferries]"),
    )
    newsroom.scan()
    assert related_titles(newsroom, "Main") == ["Live one"]
    assert related_titles(newsroom, "Draft one") == []


def test_a_change_reaches_the_articles_it_moves(newsroom: Newsroom) -> None:
    story(newsroom, "main", "Main", "[Ferries]", day=10)
    story(newsroom, "old", "Timetable change", "[Ferries]", day=1)
    newsroom.scan()
    assert related_titles(newsroom, "Main") == ["Timetable change"]

    story(newsroom, "new", "Captain retires", "[Ferries]", day=9)  # closer in time to Main
    newsroom.scan()
    assert related_titles(newsroom, "Main") == ["Captain retires", "Timetable change"]
    assert related_titles(newsroom, "Captain retires") == ["Main", "Timetable change"]

    (newsroom.content / "world/new.md").unlink()  # withdrawn: gone from every list
    newsroom.scan()
    assert related_titles(newsroom, "Main") == ["Timetable change"]
    assert related_titles(newsroom, "Captain retires") == []

    story(newsroom, "old", "Timetable change", "[Buses]", day=1)  # no longer on the topic
    newsroom.scan()
    assert related_titles(newsroom, "Main") == []
    assert newsroom.one("SELECT count(*) FROM related_due") == 0


def test_a_large_scan_ranks_every_article_once_as_a_fresh_ranking_would(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(related, "BULK", 5)  # 15 new files: ranked after the scan, in bulk
    monkeypatch.setattr(related, "BATCH", 2)  # more batches than are ever in flight at once
    topics = ["[Ferries]", "[Ferries, Ports]", "[Ports]", "[Ports, Weather]", "[Weather]"]
    for i in range(15):
        story(newsroom, f"s{i}", f"Story {i}", topics[i % 5], day=1 + i)
    newsroom.scan()
    assert newsroom.one("SELECT count(*) FROM related_due") == 0
    ranker = related.RelatedRanker(newsroom.writer.conn)
    for (num,) in newsroom.query("SELECT num FROM articles"):
        stored = newsroom.query(
            "SELECT related_num FROM related WHERE article_num = ? ORDER BY position", num
        )
        fresh = ranker.rank(int(str(num)), 15, ranker.topic_counts(int(str(num))))
        assert [r[0] for r in stored] == fresh and 1 <= len(fresh) <= related.LIMIT
