"""The sample site answers every address byte for byte as recorded (tests/golden.py), on a
clock set to the instant the record was made: a change to how the archive is built or stored
leaves what readers, feed readers and partners get as it was, on any day the test runs. A
change meant to alter outputs writes the record again with `python -m tests.golden --update`,
which prints what it altered."""

from __future__ import annotations

import asyncio
from pathlib import Path

from syndication.clock import SetClock
from tests.conftest import sample_settings
from tests.golden import crawl, differences, read_record


def test_every_answer_of_the_sample_site_is_as_recorded(tmp_path: Path) -> None:
    instant, kept = read_record()
    now = asyncio.run(crawl(sample_settings(tmp_path), SetClock(instant)))
    # pages, feeds, sitemaps, search, the partner API and its feeds were all reached
    kinds = ("/en/world/", "/feed.atom", "/feed.rss", "/feed.json", "/sitemaps/news.xml",
             "/search?q=", "/api/v1/items/", "/api/v1/feeds/", "/topic/", "/static/")  # fmt: skip
    for kind in kinds:
        assert any(kind in path for path in now), kind
    diff = differences(kept, now)
    assert not diff, "the sample site's answers changed:\n" + "\n".join(diff)


def test_a_changed_byte_is_shown_as_a_diff_of_its_answer() -> None:
    """What a failure prints: the answer's changed line, not only that its digest moved."""
    _, kept = read_record()
    path = next(p for p, a in kept.items() if p.startswith("/en/world/") and a["status"] == 200)
    page = kept[path]
    changed = dict(page, body=page["body"].replace("</h1>", "!</h1>", 1), sha256="changed")
    diff = differences(kept, {**kept, path: changed})
    assert diff[0] == f"changed: {path}"
    assert any(line.startswith("  +") and "!</h1>" in line for line in diff)
    assert any(line.startswith("  -") and "</h1>" in line for line in diff)
