"""The short profile of the ingest fuzzer (tests/fuzz_ingest.py); `make fuzz` runs 20,000+."""

from __future__ import annotations

from tests.conftest import EXAMPLES_SCALE, examples
from tests.fuzz_ingest import run


def test_any_file_gives_an_article_or_an_error_with_a_line_and_valid_documents() -> None:
    # make check's tenth is the same files each run (a random 50 once had one accepted);
    # make test's 250 are new ones each time
    stats = run(examples=examples(250), seed=0 if EXAMPLES_SCALE < 1 else None)
    assert stats.examples >= examples(250)
    # Both paths are exercised: files refused with a line, and articles whose pages, feeds,
    # sitemaps and ninjs items were parsed and checked against the validator's rules.
    # (about one file in ten is accepted: the full profile's 250 must give 25, check's 25 some)
    assert stats.refused > stats.examples / 5
    assert stats.accepted > (25 if stats.examples >= 250 else 1)
    assert stats.documents >= 8 * stats.accepted
    assert stats.slowest < 1.0 and stats.most_memory < 50 * 1024 * 1024
