"""What one serving process reads of the figures the others leave (`serve --workers N`):
whatever such a file holds, /metrics is answered; files that hold no figures are passed over."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from syndication.histogram import BUCKETS
from syndication.runtime import runtime_file
from syndication.web.metrics import Snapshot, families, forget_shared, merge, siblings
from tests.conftest import examples

COUNTERS = ("cache_hits", "cache_builds", "lane_answers", "cache_bytes", "hub_delivered",
            "hub_failed", "ping_sent", "ping_failed")  # fmt: skip
OWN: Snapshot = {
    "requests": [["/{edition}/", "GET", 200, 3]],
    "latency": {"/{edition}/": [3] + [0] * len(BUCKETS)},
    "seconds": {"/{edition}/": 0.01},
    "counters": dict.fromkeys(COUNTERS, 1),
    "ingest": {"published": 2},
    "sequence": 5,
    "audience": [["/en/feed.atom", "Feedly", 12]],
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
# Near the real shape: each part of a snapshot, with any JSON in its place now and then.
NEAR = st.fixed_dictionaries(
    {
        "requests": st.one_of(JSON, st.lists(st.lists(JSON, min_size=4, max_size=4))),
        "latency": st.one_of(JSON, st.dictionaries(st.text(max_size=5), st.lists(JSON))),
        "seconds": st.one_of(JSON, st.dictionaries(st.text(max_size=5), JSON)),
        "counters": st.one_of(JSON, st.dictionaries(st.sampled_from(COUNTERS), JSON)),
        "ingest": st.one_of(JSON, st.dictionaries(st.text(max_size=5), JSON)),
        "sequence": JSON,
        "audience": st.one_of(JSON, st.lists(st.lists(JSON, min_size=3, max_size=3))),
    }
)


class _Figures(Collector):
    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap

    def collect(self) -> Any:
        return families(self.snap)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive path for every example: each cleans up the files it left."""
    return tmp_path_factory.mktemp("archive") / "archive.db"


@settings(max_examples=examples(100), deadline=None)
@given(st.one_of(JSON, NEAR), st.booleans())
def test_whatever_a_sibling_left_the_figures_are_still_given(
    archive_path: Path, left: Any, as_text: bool
) -> None:
    db = archive_path
    sibling = runtime_file(db, f"metrics-{os.getpid() + 1}.json")
    try:
        sibling.write_text(json.dumps(left) if as_text else repr(left), encoding="utf-8")
        found = siblings(db)
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Figures(merge([OWN, *found])))
        text = generate_latest(registry).decode()
    finally:
        forget_shared(db)
    assert "syndication_http_requests_total" in text and "syndication_cache_hits_total" in text


def test_a_sibling_s_real_figures_are_added(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    runtime_file(db, f"metrics-{os.getpid() + 1}.json").write_text(json.dumps(OWN))
    try:
        merged = merge([OWN, *siblings(db)])
    finally:
        forget_shared(db)
    assert merged["requests"] == [["/{edition}/", "GET", 200, 6]]
    assert merged["counters"]["cache_hits"] == 2
    # a service's subscribers, heard by two processes, are its latest figure, not twice it
    assert merged["audience"] == [["/en/feed.atom", "Feedly", 12]]
