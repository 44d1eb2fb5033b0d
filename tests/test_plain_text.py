"""A body's plain text, word count and forbidden characters take shortcuts on the usual
text (ASCII, single spaces, a block a line); generated text checks that they give what
their plain definitions give, on the usual text and beside it."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndication.archive.bodies import plain_text, word_count
from syndication.ingest.characters import FORBIDDEN_IN_BODY, first_forbidden_in_body
from tests.conftest import examples

# Words, single spaces and newlines mostly; now and then every other kind of space, line
# break and control, in ASCII and beyond.
_USUAL = st.text("ab  \n", max_size=40)
_ODD = st.text(
    "ab  \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x7f\x85\xa0\u2028\u3000é\x00\x01\ufffd\ud800", max_size=40
)
_TEXT = st.one_of(_USUAL, _USUAL, _ODD, st.builds("{}{}{}".format, _USUAL, _ODD, _USUAL))


def _plain_text(text: str) -> str:
    return "\n".join(" ".join(words) for line in text.splitlines() if (words := line.split()))


@settings(max_examples=examples(2000), deadline=None)
@given(_TEXT)
@example("a b\nc")
@example("a  b")
@example("a \nb")
@example("\n\na b\n\n")
@example("a\tb")
def test_plain_text_and_word_count_are_their_definitions(text: str) -> None:
    assert plain_text(text) == _plain_text(text)
    assert word_count(text) == len(text.split())
    assert word_count(plain_text(text)) == len(text.split())


@settings(max_examples=examples(2000), deadline=None)
@given(_TEXT)
@example("plain text\n")
@example("a\x7fb")
def test_the_first_forbidden_character_is_the_one_the_pattern_finds(text: str) -> None:
    found = FORBIDDEN_IN_BODY.search(text)
    assert first_forbidden_in_body(text) == (found.start() if found else None)


def test_markup_is_left_out_of_plain_text() -> None:
    assert plain_text("<p>One  <em>two</em></p>\n<p>three &amp; four</p>\n") == (
        "One two\nthree & four"
    )
    assert re.fullmatch(r"[^<>]*", plain_text("<h2>A</h2>\n<p>b</p>"))
