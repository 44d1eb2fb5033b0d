"""Every copy a client holds agrees with the archive: the short profile of the stateful test
of the whole chain (tests/fuzz_chain.py; `make fuzz` runs the long one)."""

from __future__ import annotations

from tests.fuzz_chain import run


def test_every_answer_equals_a_fresh_render_after_every_step() -> None:
    tally = run(examples=3, steps=8, seed=14)
    assert tally.sequences >= 3 and tally.steps > 0
    # every kind of page and feed was compared, and copies were revalidated both ways
    kinds = ("/en/", "/feed.atom", "/feed.rss", "/feed.json", "/archive/", "/sitemaps/", "/topic/")
    for kind in kinds:
        assert any(kind in url for url in tally.urls), kind
    assert tally.comparisons > 100 and tally.revalidations > 100
