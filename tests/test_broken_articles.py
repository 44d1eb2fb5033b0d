"""The last line of defence looks in rendered bytes for exactly the characters ingest refuses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.ingest.characters import first_forbidden
from syndication.publish.broken_articles import FORBIDDEN_UTF8
from tests.conftest import examples

# The edges of every forbidden range, and their neighbours, beside ordinary text.
_EDGES = [
    chr(c)
    for base in (0x00, 0x08, 0x0B, 0x0E, 0x1F, 0x7F, 0x9F, 0xA0, 0xFDD0, 0xFDEF, 0xFEFF, 0xFFFD)
    for c in (base - 1, base, base + 1)
    if c >= 0 and not 0xD800 <= c <= 0xDFFF
] + [chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFD, 0xFFFE, 0xFFFF)]
_TEXT = st.text(st.one_of(st.sampled_from(_EDGES), st.characters(codec="utf-8")), max_size=40)


@settings(max_examples=examples(100), deadline=None)
@given(_TEXT)
def test_rendered_bytes_are_refused_exactly_when_their_text_would_be(text: str) -> None:
    body = f"<p>{text}</p>".encode()
    assert (FORBIDDEN_UTF8.search(body) is None) == (first_forbidden(text) is None), repr(text)


def test_each_edge_alone_is_judged_as_ingest_judges_it() -> None:
    for char in _EDGES:
        body = f"<p>a{char}b</p>".encode()
        assert (FORBIDDEN_UTF8.search(body) is None) == (first_forbidden(char) is None), hex(
            ord(char)
        )
