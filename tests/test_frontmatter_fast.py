"""Front matter read by line (ingest/frontmatter_fast.py) must be what the YAML parser reads.

Wherever the line reader answers, its fields, their lines (in the same order) and the lack
of warnings are compared with the YAML parser's, on generated front matter built to sit on
the edge of what the line reader takes: indicators, quotes, brackets, colons, spaces and
characters YAML treats specially, in every position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndication.errors import ContentError
from syndication.ingest import frontmatter, frontmatter_fast
from tests.conftest import examples

REPO = Path(__file__).resolve().parent.parent

_TRICKY = "aZ9 .:#&*!|>'\"%@`,[]{}?-~\\/é€\t\xa0\u2028\u00ad"
# Mostly what headlines hold, with every character YAML treats specially now and then.
_PLAIN = "abcdefXYZ019   .,:'\"-é"
_WORDS = ["title", "true", "True", "null", "NULL", "~", "false", "yes", "NO", "1984", "a b"]
_TEXT = st.one_of(
    st.text(_PLAIN, max_size=12),
    st.text(_PLAIN, max_size=12),
    st.text(_PLAIN, max_size=12),
    st.text(_PLAIN + _TRICKY, max_size=12),
    st.sampled_from(_WORDS),
)
_KEY = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
    st.sampled_from(["title", "topics", "image", "src", "alt", "true", "null", "a-b", "x y"]),
    st.text(_TRICKY, min_size=1, max_size=4),
)
_SEPARATOR = st.sampled_from([": "] * 6 + [":  ", ":", ":\t", " : "])
_TRAILING = st.sampled_from([""] * 8 + [" ", "  ", "\t", " # c"])


@st.composite
def _value(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    text = draw(_TEXT)
    if kind == 0:
        return text
    if kind == 1:
        return f'"{text}"'
    if kind == 2:
        return "'" + text.replace("'", draw(st.sampled_from(["''", "'"]))) + "'"
    if kind == 3:
        items = draw(st.lists(_TEXT, max_size=4))
        return "[" + draw(st.sampled_from([",", ", ", ", ", " ,", ",  "])).join(items) + "]"
    if kind == 4:
        return ""
    if kind >= 6:
        return text
    return draw(st.sampled_from(["|", ">", "&a x", "*a", "!!str x", "- a", "{a: b}", "---"]))


@st.composite
def _field(draw: st.DrawFn) -> str:
    return f"{draw(_KEY)}{draw(_SEPARATOR)}{draw(_value())}{draw(_TRAILING)}"


@st.composite
def _lines(draw: st.DrawFn) -> list[str]:
    """A field, a group of indented fields, or a line of another shape."""
    kind = draw(st.integers(0, 20))
    if kind <= 11:
        return [draw(_field())]
    if kind <= 17:
        indent = draw(st.sampled_from([" ", "  ", "  ", "    "]))
        group = [f"{draw(_KEY)}:{draw(_TRAILING)}"]
        for _ in range(draw(st.integers(0, 3))):
            shift = draw(st.sampled_from(["", "", "", "", " ", "-"]))
            line = draw(_field())
            group.append(f"{indent[:-1] if shift == '-' else indent + shift}{line}")
        return group
    if kind == 18:
        spaces = draw(st.sampled_from(["", " ", "  "]))
        return [f"{spaces}- {draw(_value())}", spaces + draw(_TEXT)]
    if kind == 19:  # a block list, its items now and then out of step or continued
        lines = [f"{draw(_KEY)}:{draw(_TRAILING)}"]
        indent = draw(st.sampled_from(["", "", " ", "  "]))
        for _ in range(draw(st.integers(1, 3))):
            shift = draw(st.sampled_from([""] * 6 + [" ", "  "]))
            dash = draw(st.sampled_from(["- "] * 6 + ["-", "-  ", "- - "]))
            lines.append(f"{indent}{shift}{dash}{draw(_value())}{draw(_TRAILING)}")
        return lines
    return [draw(st.sampled_from(["", " ", "# a comment", "...", "%YAML 1.2"]))]


_FRONT_MATTER = st.lists(_lines(), min_size=1, max_size=6).map(
    lambda blocks: [line for block in blocks for line in block]
)


# Front matter as editors write it, with what headlines hold inside values (colons, quotes,
# commas, dots, dashes, words YAML resolves), so that the line reader answers most of it.
_INSIDE = st.text("abXZ09 .,:'\"-é", max_size=10)
_USUAL_TEXT = st.one_of(
    st.builds("{}{}".format, st.sampled_from("aZ9é"), _INSIDE), st.sampled_from(_WORDS)
)
_USUAL_VALUE = st.one_of(
    _USUAL_TEXT,
    _USUAL_TEXT.map(lambda text: '"' + text.replace('"', "") + '"'),
    _USUAL_TEXT.map(lambda text: "'" + text.replace("'", "''") + "'"),
    st.lists(_USUAL_TEXT.map(lambda text: text.replace(",", "")), max_size=3).map(
        lambda items: "[" + ", ".join(items) + "]"
    ),
)
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


@st.composite
def _usual(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(_NAME)
        kind = draw(st.integers(0, 2))
        if kind == 0:
            lines.append(f"{name}: {draw(_USUAL_VALUE)}{draw(st.sampled_from(['', ' ']))}")
        elif kind == 1:  # a block list, as YAML writers (and WordPress imports) write them
            indent = draw(st.sampled_from(["", "", "  "]))
            lines.append(f"{name}:")
            lines += [f"{indent}- {draw(_USUAL_TEXT)}" for _ in range(draw(st.integers(1, 3)))]
        else:
            indent = draw(st.sampled_from(["  ", "  ", " ", "    "]))
            lines.append(f"{name}:")
            lines += [
                f"{indent}{draw(_NAME)}: {draw(_USUAL_VALUE)}"
                for _ in range(draw(st.integers(0, 3)))
            ]
    return lines


def _yaml(text: str) -> tuple[dict[str, Any], list[tuple[str, int]], int] | ContentError:
    try:
        fields, lines, warnings = frontmatter.load_yaml(text, "f.md")
    except ContentError as error:
        return error
    return fields, list(lines.items()), len(warnings)


def _same_as_yaml(text: str) -> None:
    read = frontmatter_fast.read(text)
    if read is None:
        return
    expected = _yaml(text)
    assert not isinstance(expected, ContentError), (text, expected)
    assert expected == (read[0], list(read[1].items()), 0), text
    assert repr(expected[0]) == repr(read[0])  # True is not 1, nor "true"


@settings(max_examples=examples(1500), deadline=None)
@given(_FRONT_MATTER)
@example(["title: A", "image:", "  src: a.png", "  alt: 'It''s'", "topics: [a, b]"])
@example(["title: a:b", "published: 2024-03-01T09:30:00+01:00", "syndication: FALSE"])
@example(["image:", "topics: []", "authors: [ ]", "rights: ~", "standfirst:"])
@example(["title: x", "image:", "   src: a", "  alt: b"])
@example(['title: "a" b', "x: 'a' b", "y: [a]b"])
@example(["title:", "-  "])  # an empty item: null, not a space
def test_front_matter_read_by_line_is_what_yaml_reads(lines: list[str]) -> None:
    _same_as_yaml("\n".join(lines))


@settings(max_examples=examples(1500), deadline=None)
@given(_usual())
def test_usual_front_matter_read_by_line_is_what_yaml_reads(lines: list[str]) -> None:
    _same_as_yaml("\n".join(lines))


def test_the_usual_front_matter_is_read_by_line() -> None:
    """What editors write, and every file of the sample site, takes the fast way."""
    usual = (
        'title: "Harbour pilots strike: ships wait"\n'
        "published: 2024-03-01T09:30:00+01:00\n"
        "standfirst: Pilots walked out at dawn, the port says\n"
        "authors: [Ines Lambert, Hugo Duval]\n"
        "topics: [Port Averne, Strikes]\n"
        "image:\n"
        "  src: /images/pilots.jpg\n"
        "  alt: 'Two pilot boats at the quay'\n"
        "  credit: Ledger Photo Desk\n"
        "syndication: false"
    )
    fields, lines = frontmatter_fast.read(usual) or pytest.fail("declined")
    assert fields["image"] == {
        "src": "/images/pilots.jpg",
        "alt": "Two pilot boats at the quay",
        "credit": "Ledger Photo Desk",
    }
    assert fields["syndication"] is False and fields["authors"] == ["Ines Lambert", "Hugo Duval"]
    assert lines["image.credit"] == 10 and lines["topics.1"] == 6
    listed, listed_lines = frontmatter_fast.read(
        "authors:\n- A\n- 'B'\ntopics:\n  - C"
    ) or pytest.fail("declined")
    assert listed == {"authors": ["A", "B"], "topics": ["C"]}
    assert listed_lines == {
        "authors": 2,
        "topics": 5,
        "topics.0": 6,
        "authors.0": 3,
        "authors.1": 4,
    }
    _same_as_yaml(usual)
    sample = sorted((REPO / "content").rglob("*.md"))
    read = 0
    for path in sample:
        text = path.read_text()
        end = text.index("\n---", 3)
        yaml_text = text[4:end]
        _same_as_yaml(yaml_text)
        read += frontmatter_fast.read(yaml_text) is not None
    assert read >= len(sample) * 3 // 4, (read, len(sample))


@pytest.mark.parametrize(
    "text",
    [
        "title: A # not part of it",  # a comment: YAML warns of what it cut
        "title: AT&T buys",  # an entity-like `&`, warned about in prose
        'title: "a\\tb"',  # an escape
        "title: A\ntitle: B",  # given twice: YAML's error names the line
        "corrections:\n- date: 2024-03-01\n  text: A",  # a list of groups
        "title: one\n  two",  # text over two lines
        "title:\ta",  # a tab
        "title: a\u2028b",  # a line separator
    ],
)
def test_what_the_line_reader_leaves_to_yaml(text: str) -> None:
    assert frontmatter_fast.read(text) is None
