"""The sample site answers every address byte for byte as recorded (tests/golden.py): a change
to how the archive is built or stored leaves what readers, feed readers and partners get as
it was. A change meant to alter outputs writes the record again with
`python -m tests.golden --update`, and the record's diff shows what it altered."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.conftest import sample_settings
from tests.golden import RECORD, crawl, differences


def test_every_answer_of_the_sample_site_is_as_recorded(tmp_path: Path) -> None:
    now = asyncio.run(crawl(sample_settings(tmp_path)))
    kept = json.loads(RECORD.read_text())
    # pages, feeds, sitemaps, search, the partner API and its feeds were all reached
    kinds = ("/en/world/", "/feed.atom", "/feed.rss", "/feed.json", "/sitemaps/", "/search?q=",
             "/api/v1/items/", "/api/v1/feeds/", "/topic/", "/static/")  # fmt: skip
    for kind in kinds:
        assert any(kind in path for path in now), kind
    assert differences(kept, now) == []
