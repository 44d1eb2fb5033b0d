"""What a WordPress post's text becomes: WordPress's paragraph rule applied as WordPress
applies it (blank lines make paragraphs between block elements, however much HTML the post
also holds), and both forms of [caption]."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.importing.html_markdown import as_picture_story, to_markdown
from tests.conftest import examples

WORD = st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True)
PARAGRAPH = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
BLOCKS = st.sampled_from(
    [
        '<p style="color: red">A styled paragraph</p>',
        "<pre>code line\n\nmore code</pre>",
        '<object><param name="movie" value="https://video.example/v"></object>',
        "<blockquote>A quoted line</blockquote>",
        '<picture><img src="/q.jpg" alt="The quay"></picture>',
        "<ul><li>one</li><li>two</li></ul>",
    ]
)
OLD = "https://old.example.org/2019/05/03/post/"


@settings(max_examples=examples(300), deadline=None)
@given(parts=st.lists(st.one_of(PARAGRAPH, BLOCKS), min_size=1, max_size=8))
def test_every_paragraph_of_a_classic_post_stays_a_paragraph(parts: list[str]) -> None:
    """Each run of text between blank lines is a paragraph of its own in the Markdown,
    whatever block elements stand among them."""
    markdown = to_markdown("\n\n".join(parts), OLD, "old.example.org", wordpress=True)
    blocks = [block.strip() for block in markdown.split("\n\n")]
    for part in parts:
        if not part.startswith("<"):
            assert part in blocks, (part, markdown)


def test_the_paragraphs_of_a_post_with_some_html_are_kept() -> None:
    post = (
        "First paragraph.\n\nSecond paragraph,\nwith a line break.\n\n"
        '<p style="text-align: center">Centred.</p>\n\nThird paragraph.'
    )
    markdown = to_markdown(post, OLD, "old.example.org", wordpress=True)
    assert markdown.split("\n\n") == [
        "First paragraph.",
        "Second paragraph,  \nwith a line break.",
        "Centred.",
        "Third paragraph.\n",
    ]


def test_a_block_editor_post_is_left_as_its_blocks_are() -> None:
    post = "<!-- wp:paragraph -->\n<p>One\nline</p>\n<!-- /wp:paragraph -->"
    assert to_markdown(post, OLD, "old.example.org", wordpress=True) == "One\nline\n"


def test_both_forms_of_caption_keep_the_caption() -> None:
    for post in (
        '[caption id="a1" align="alignnone" width="300"]<img src="/q.jpg" alt="Quay"> '
        "Boats at the quay[/caption]",
        '[caption id="a1" caption="Boats at the quay"]<img src="/q.jpg" alt="Quay">[/caption]',
    ):
        markdown = to_markdown(post, OLD, "old.example.org", wordpress=True)
        assert (
            "![Quay](https://old.example.org/q.jpg)" in markdown
            and "*Boats at the quay*" in markdown
        ), markdown


def test_a_post_of_a_picture_alone_is_a_picture_story() -> None:
    markdown = as_picture_story(
        to_markdown('<img src="/q.jpg" alt="Boats at the quay">', OLD, "old.example.org"), "Quay"
    )
    assert markdown.endswith("*Boats at the quay*\n") and "![Boats at the quay]" in markdown
    untitled = as_picture_story(to_markdown('<img src="/q.jpg" alt="">', OLD, "o"), "The quay")
    assert untitled.endswith("*The quay*\n")
    assert as_picture_story("Text.\n\n![a](/q.jpg)\n", "T") == "Text.\n\n![a](/q.jpg)\n"
