"""The fast renderer's HTML is kept only where it is the reference renderer's, after the
sanitiser (ingest/markdown_fast.py, ingest/markdown_reference.py): generated texts, the
corners where the two part, and the sample site, most of whose stories it renders."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.ingest import markdown, markdown_fast, markdown_reference
from syndication.ingest.characters import strip_forbidden_in_body
from syndication.ingest.frontmatter import split
from syndication.ingest.render import sanitise
from tests.conftest import REPO, examples


def rendered_fast(text: str) -> bool:
    return markdown_fast.fast_html(text) is not None


def assert_as_reference(text: str) -> None:
    kept = strip_forbidden_in_body(text)
    assert sanitise(markdown.to_html(kept)) == sanitise(markdown_reference.reference_html(kept))


# Reporting as a newsroom writes it: words, quoted speech, emphasis, links, pictures,
# headings, lists, entities and escapes. The fast renderer keeps most of these.
PROSE = [
    *("word", "Word", "the", "it's", "é", "ß", "Ã", "1", "2026", "—"),
    *(" ", " ", " ", ". ", ", ", ":", "?", "!", "(", ")", "-", "...", "\n", "\n\n", "\n\n"),
    *('"A quote,"', ' "it said." ', "'single'", '"Word"', '("p")', "&#8217;", "&eacute;"),
    *("*em*", "**strong**", "_u_", "x*y*z", "*", "_", "**", '**"b"**', '*"i"*', '"*i*"'),
    *('_"u"_', '"x"_y_', '\\"', "\\*", "\\'", "\\", "&amp;", "<b>", "</b>", '<b>"x"</b>'),
    *("[a](http://x.test/)", '"[a](http://x.test/)"', 'a"[l](http://l.test)"b', '"<i>x</i>"'),
    *("[l](http://l.test)'s", "![p](a.jpg)", '[link "x"](http://y.test)', "## ", "### "),
    *("> ", "- ", "1. ", "---", "\n  - ", "\n    - ", "\n      1. ", ">>>>> ", "> - > - "),
]
# What breaks renderers: every construct, raw HTML, Unicode spaces and symbols, entities.
HOSTILE = [
    *PROSE,
    *('"', "'", "`", "~~", "~", "|", "|-|", "|:-|", "# ", "    ", "```", "\t", "  \n"),
    *("(c)", "(tm)", "+-", "--", "<div>", "</div>", "<p>", "</p>", "<span>", "<br>"),
    *("<img src=x>", '<a href="h">', "</a>", "<!-- c -->", "&quot;", "&#39;", "&#0;"),
    *("&nbsp;", "=", "<", ">", "&", "€", "£", "°", "©", "😀", "–", "«", "»", "\u00a0"),
    *("\u3000", "\u2028", "\u200b", "。", "[x]", "[x]: http://y.test\n", "<http://z.test>"),
    *("www.x.test", "$", "%", "+", "^", "@", "#", ";", "\r\n", "0)", "*   ", "a_b_c", "***"),
    *("“", "’", "‘", "”", "__"),
]


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(PROSE), max_size=60).map(lambda parts: "".join(parts) + "\n"))
def test_prose_renders_as_the_reference_renders_it(text: str) -> None:
    assert_as_reference(text)


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(HOSTILE), max_size=60).map("".join))
def test_any_text_renders_as_the_reference_renders_it(text: str) -> None:
    assert_as_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "Run `syndication --help` -- or not.\n",  # typography inside code
        "# A heading\n",  # becomes an h2
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n",  # alignment as a class
        '"A," he said. "B."\n\n## Next\n',  # a last quote before a heading
        "Copyright (c)'s owner.\n",  # a symbol made beside a quote
        "\u00a0Indented by a no-break space.\n",  # a Unicode space at a line's end
        '![A "quoted" alt](a.jpg)\n',  # quotes in alt text
        '"[a](http://x.test/)"_b_.\n',  # quotes beside markup
        "Price: €'5'.\n",  # quotes beside a symbol
        ">\n",  # an empty blockquote
        "> A quote\n-\n",  # where a blockquote ends
        "*word_u_*_u_\n",  # emphasis marks of both kinds side by side
        "<div>",  # a raw HTML line with no newline at the end
    ],
)
def test_where_the_fast_renderer_parts_from_the_reference_the_reference_renders(
    text: str,
) -> None:
    assert not rendered_fast(text)
    assert_as_reference(text)


def test_the_sample_site_is_rendered_as_before_and_mostly_by_the_fast_renderer() -> None:
    bodies = [
        split(path.read_text(encoding="utf-8"), path.name).body
        for path in sorted((REPO / "content").rglob("*.md"))
    ]
    fast = [body for body in bodies if rendered_fast(body)]
    for body in bodies:
        assert_as_reference(body)
    assert len(fast) >= 0.8 * len(bodies)


def test_plain_reporting_is_rendered_by_the_fast_renderer() -> None:
    text = (
        'The council voted 31 to 9. "We have waited long enough," said the mayor.\n\n'
        "## What happens next\n\n"
        "Work starts in *spring*, the [plan](https://example.com/plan) says.\n"
    )
    assert rendered_fast(text)
    assert_as_reference(text)


@pytest.mark.processes
@pytest.mark.parametrize("marker", ["1. ", "> ", "+ ", "> - ", "1) "])
def test_nesting_by_the_ten_thousand_on_one_line_goes_to_the_reference_and_kills_nothing(
    marker: str,
) -> None:
    """The fast renderer overflowed its stack on 50,000 levels and took the process with it.
    Rendered in a child process, so a crash is a failure this test reports, not the end of
    the test run."""
    code = (
        "from tests.test_markdown import assert_as_reference; "
        f"assert_as_reference({marker!r} * 60_000 + 'deep\\n'); print('rendered')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert (done.returncode, done.stdout) == (0, "rendered\n"), done.stderr[-500:]


class Panic(BaseException):
    """What a panic in a Rust extension raises: no Exception."""


def test_a_panic_in_the_fast_renderer_leaves_the_body_to_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Panicking:
        def render(self, text: str) -> str:
            raise Panic("index out of bounds")

    text = '"Plain," she said.\n'
    expected = sanitise(markdown.to_html(text))
    monkeypatch.setattr(markdown_fast, "_fast", Panicking())
    reference = sanitise(markdown_reference.reference_html(text))
    assert sanitise(markdown.to_html(text)) == expected == reference


@pytest.mark.parametrize("depth", [6, 9, 10, 19, 20, 25])
@pytest.mark.parametrize("marker", ["> ", "- ", "1. ", "> 1) "])
def test_nesting_past_the_references_limit_goes_to_the_reference(marker: str, depth: int) -> None:
    """The reference stops nesting at 20 levels (a list and its item are two), the fast
    renderer does not: on one line, over lines of `>`, and by indentation."""
    one_line = marker * depth + "deep\n"
    over_lines = "".join(">" * level + " line\n" for level in range(1, depth + 1))
    indented = "".join("  " * level + "- item\n" for level in range(depth))
    for text in (one_line, over_lines, indented):
        assert_as_reference("Before.\n\n" + text)
