"""Every copy a client holds agrees with the archive: the short profile of the stateful test
of the whole chain (tests/fuzz_chain.py; `make fuzz` runs the long one)."""

from __future__ import annotations

from tests.conftest import examples
from tests.fuzz_chain import run


def test_every_answer_equals_a_fresh_render_after_every_step() -> None:
    sequences = examples(3, least=1)  # `make check` runs the first sequence alone
    tally = run(examples=sequences, steps=8, seed=14)
    assert tally.sequences >= sequences and tally.steps > 0
    # every kind of page and feed was compared, and copies were revalidated both ways (the
    # first sequence has no topic yet; the third does)
    kinds = ("/en/", "/feed.atom", "/feed.rss", "/feed.json", "/archive/", "/sitemaps/")
    kinds += ("/topic/",) if sequences >= 3 else ()
    for kind in kinds:
        assert any(kind in url for url in tally.urls), kind
    assert tally.comparisons > 100 and tally.revalidations > 100
