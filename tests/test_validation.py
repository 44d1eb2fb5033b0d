"""Every rule of the editors' contract, each with the sentence an editor sees."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.config import Settings
from syndication.errors import ContentError
from syndication.ingest.parse import parse_article
from syndication.model import Section
from tests.conftest import PNG_1x1, article_text, examples, make_settings


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def parse(site: Settings, text: str | bytes, rel: str = "world/story.md"):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_article(data, rel, site.content_dir, site)
    return parsed.article, parsed.lines


def error_of(site: Settings, text: str | bytes, rel: str = "world/story.md") -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse(site, text, rel)
    return caught.value


def test_a_full_article_parses_every_field(site: Settings) -> None:
    (site.content_dir / "world").mkdir()
    (site.content_dir / "world" / "pic.png").write_bytes(PNG_1x1)
    text = """---
title: Pilots strike at the harbour
published: 2023-11-02T07:00:00+01:00
updated: 2023-11-03T10:00:00Z
standfirst: Forty ships waited at anchor
authors: [Jonas Keller, Pia Moreau]
topics: [Ports and shipping, Labour]
slug: pilots-strike
id: pilots-2023
image:
  src: pic.png
  alt: A pilot boat
  caption: The pilot boat at the breakwater
  credit: Staff
rights: © 2023 The Harbour Ledger
source: Continental Press Agency
syndication: true
original_url: https://example.org/pilots
corrections:
  - date: 2023-11-03
    text: The number of ships was forty, not sixty.
---

Body **text** here.
"""
    article, lines = parse(site, text)
    assert article.id == "pilots-2023" and article.id_given
    assert article.slug == "pilots-strike"
    assert article.path == "/en/world/2023/11/02/pilots-strike"
    assert article.published == datetime(2023, 11, 2, 6, 0, tzinfo=UTC)
    assert [a.name for a in article.authors] == ["Jonas Keller", "Pia Moreau"]
    assert [t.slug for t in article.topics] == ["ports-and-shipping", "labour"]
    assert article.image is not None and article.image.src == "world/pic.png"
    assert (article.image.width, article.image.height, article.image.media_type) == (
        1,
        1,
        "image/png",
    )
    assert article.syndication is True  # said explicitly, so the licensed-in default is overridden
    assert article.corrections[0].text.startswith("The number")
    assert "<strong>text</strong>" in article.body_html
    assert lines["image"] == 10 and lines["corrections"] == 19 and lines["id"] == 9


@pytest.mark.parametrize(
    ("front", "field", "line", "words"),
    [
        ("title: [a, b]", "title", 2, "must be text"),
        ("title: true", "title", 2, "must be text, not true/false"),
        ("title: Hi\nsyndication: perhaps", "syndication", 4, "true or false"),
        ("title: Hi\npublishd: 2024-01-01", "publishd", 3, "did you mean `published`"),
        ("title: Hi\nstatus: publshed", "status", 4, "did you mean `published`"),
        ("title: Hi\nedition: de", "edition", 4, "must be one of en, fr"),
        ("title: Hi\nsection: sports", "section", 4, "must be one of"),
        ("title: Hi\nslug: Not A Slug", "slug", 4, "write it as 'not-a-slug'"),
        ("title: Hi\noriginal_url: ftp://x", "original_url", 4, "full http(s) address"),
        ("title: Hi\nid: has space", "id", 4, "letters, digits"),
        ("title: Hi\ntopics: {a: 1}", "topics", 4, "list of names"),
        ("title: Hi\ncorrections: [{date: 2024-01-01}]", "corrections.0.text", 4, "required"),
        ("title: Hi\nimage: {src: missing.png, alt: x}", "image.src", 4, "was not found"),
        ("title: Hi\nimage: {src: pic.png}", "image.alt", 4, "describe the picture"),
        (
            "title: Hi\nimage: {src: pic.png, alt: x, credits: y}",
            "image.credits",
            4,
            "did you mean `credit`",
        ),
    ],
)
def test_field_errors_name_field_line_and_fix(
    site: Settings, front: str, field: str, line: int, words: str
) -> None:
    (site.content_dir / "world").mkdir(exist_ok=True)
    (site.content_dir / "world" / "pic.png").write_bytes(PNG_1x1)
    head, _, rest = front.partition("\n")
    text = (
        f"---\n{head}\npublished: 2024-03-01\n{rest}\n---\n\nBody.\n"
        if rest
        else (f"---\n{head}\npublished: 2024-03-01\n---\n\nBody.\n")
    )
    error = error_of(site, text)
    assert error.field == field
    assert error.line == line if field != "publishd" else error.line == 4
    assert words in error.message
    assert error.format().startswith(f"world/story.md:{error.line}: {field}: ")


def test_nested_fields_are_reported_on_their_own_line(site: Settings) -> None:
    (site.content_dir / "world").mkdir()
    (site.content_dir / "world" / "pic.png").write_bytes(PNG_1x1)
    text = (
        "---\ntitle: Hi\npublished: 2024-03-01\nimage:\n  src: pic.png\n  alt: A quay\n"
        "  credits: Staff\ncorrections:\n  - date: 2024-03-02\n    text: Fixed.\n"
        "  - date: 2024-03-02T10:00:00\n    text: Again.\n---\n\nBody.\n"
    )
    error = error_of(site, text)
    assert (error.field, error.line) == ("image.credits", 7)
    fixed = error_of(site, text.replace("credits", "credit"))
    assert (fixed.field, fixed.line) == ("corrections.1.date", 11)
    twice = text.replace("  credits: Staff\n", "  alt: Again\n").replace("T10:00:00", "")
    duplicate = error_of(site, twice)
    assert (duplicate.field, duplicate.line) == ("image.alt", 7)
    assert "given twice" in duplicate.message
    parse(site, twice.replace("  alt: Again\n", ""))  # two list items may repeat their keys


def test_time_without_zone_is_refused_but_a_date_alone_is_local_midnight(site: Settings) -> None:
    error = error_of(site, article_text(published="2024-03-01T09:30:00"))
    assert error.field == "published" and "no time zone" in error.message and error.line == 3
    article, _ = parse(site, article_text(published="2024-03-01"))
    assert article.published == datetime(2024, 2, 29, 23, 0, tzinfo=UTC)  # midnight in Luxembourg


def test_a_correction_dated_the_day_of_publication_comes_after_it(site: Settings) -> None:
    """A correction with a date alone is midnight of that day, unless that is the day the
    story came out: then it is dated at publication, not hours before the story existed."""
    corrections = (
        "\ncorrections:\n  - date: 2024-03-01\n    text: Same day.\n"
        "  - date: 2024-03-02\n    text: Next day.\n"
        "  - date: 2024-03-01T11:00:00+01:00\n    text: With its time."
    )
    text = article_text(published="2024-03-01T09:30:00+01:00").replace(
        "\n---\n\n", corrections + "\n---\n\n"
    )
    article, _ = parse(site, text)
    same, next_day, timed = (c.date for c in article.corrections)
    assert same == article.published == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert next_day == datetime(2024, 3, 1, 23, 0, tzinfo=UTC)  # midnight in Luxembourg
    assert timed == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def test_french_edition_uses_its_own_time_zone_and_path(site: Settings) -> None:
    article, _ = parse(site, article_text(published="2024-07-01", edition="fr"))
    assert article.published == datetime(2024, 6, 30, 22, 0, tzinfo=UTC)
    assert article.path.startswith("/fr/world/2024/07/01/")


def test_updated_before_published_is_refused(site: Settings) -> None:
    error = error_of(site, article_text(updated="2020-01-01"))
    assert error.field == "updated"


def test_missing_required_fields(site: Settings) -> None:
    assert error_of(site, "---\npublished: 2024-01-01\n---\n\nBody\n").field == "title"
    assert error_of(site, "---\ntitle: Hi\n---\n\nBody\n").field == "published"


def test_empty_body_is_refused_with_the_body_line(site: Settings) -> None:
    error = error_of(site, article_text(body="   \n<!-- only a comment -->"))
    assert "no body text" in error.message and error.line == 5


def test_front_matter_shape_errors(site: Settings) -> None:
    assert "must start with a line `---`" in error_of(site, "title: x\n").message
    assert "never closed" in error_of(site, "---\ntitle: x\n").message
    bad_yaml = error_of(site, "---\ntitle: Hi\npublished: [2024\n---\nBody\n")
    assert "not valid YAML" in bad_yaml.message and bad_yaml.line is not None
    twice = error_of(site, "---\ntitle: a\ntitle: b\npublished: 2024-01-01\n---\nBody\n")
    assert twice.field == "title" and twice.line == 3 and "twice" in twice.message
    listy = error_of(site, "---\n- a\n- b\n---\nBody\n")
    assert "field: value" in listy.message


def test_a_file_outside_any_section_folder(site: Settings) -> None:
    error = error_of(site, article_text(), rel="misc/story.md")
    assert error.field == "section" and "'misc' is not a section" in error.message
    article, _ = parse(site, article_text(section="culture"), rel="misc/story.md")
    assert article.section == "culture"


def test_licensed_in_source_is_not_syndicated_unless_said(site: Settings) -> None:
    wire, _ = parse(site, article_text(source="Continental Press Agency"))
    assert wire.syndication is False
    own, _ = parse(site, article_text(source="Harbour Ledger Staff"))
    assert own.syndication is True


def test_non_utf8_and_binary_files(site: Settings) -> None:
    latin = article_text(body="Caf\u00e9 society").encode("latin-1")
    error = error_of(site, latin)
    assert "not UTF-8" in error.message and error.line == 6
    assert "binary data" in error_of(site, b"\x89PNG\r\n\x1a\n\x00\x00").message


def test_reading_time_is_words_over_230_rounded_up(site: Settings) -> None:
    article, _ = parse(site, article_text(body=" ".join(["word"] * 1050)))
    assert article.word_count == 1050 and article.reading_minutes == 5
    short, _ = parse(site, article_text(body="Just four words here."))
    assert short.reading_minutes == 1


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<img src="https://example.org/x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p onclick="steal()">text</p>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<form action="https://evil.example"><input name="pw"></form>',
    ],
)
def test_sanitiser_removes_script_and_friends(site: Settings, hostile: str) -> None:
    article, _ = parse(site, article_text(body=f"Before.\n\n{hostile}\n\nAfter."))
    lowered = article.body_html.lower()
    for banned in (
        "<script",
        "<style",
        "<iframe",
        "onerror",
        "onclick",
        '="javascript:',
        "<object",
        "<embed",
        "<form",
        "<input",
    ):
        assert banned not in lowered
    assert "Before." in article.body_html and "After." in article.body_html


def test_body_h1_becomes_h2_and_text_is_kept_for_search(site: Settings) -> None:
    article, _ = parse(site, article_text(body="# Heading\n\nA *word* &amp; more."))
    assert "<h2>Heading</h2>" in article.body_html and "<h1" not in article.body_html
    assert article.body_text == "Heading\nA word & more."


_PLAIN = Settings(content_dir=Path(tempfile.gettempdir()), sections=(Section("x", {"en": "X"}),))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=300))
def test_any_front_matter_either_parses_or_gives_a_content_error(text: str) -> None:
    try:
        parse_article(f"---\n{text}\n---\nBody\n".encode(), "x/y.md", _PLAIN.content_dir, _PLAIN)
    except ContentError as error:
        assert error.file == "x/y.md" and error.message


@settings(max_examples=examples(300), deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_any_title_gives_a_slug_the_validator_accepts(title: str) -> None:
    front = f"---\ntitle: {json.dumps(title)}\npublished: 2024-01-01\n---\nBody\n"
    try:
        article = parse_article(front.encode(), "x/y.md", _PLAIN.content_dir, _PLAIN).article
    except ContentError as error:
        assert error.field in ("title", "")  # blank titles, or titles with no letters at all
        return
    again = f"---\ntitle: t\nslug: {json.dumps(article.slug)}\npublished: 2024-01-01\n---\nBody\n"
    reparsed = parse_article(again.encode(), "x/y.md", _PLAIN.content_dir, _PLAIN).article
    assert reparsed.slug == article.slug and len(article.slug) <= 80


def test_an_html_entity_in_a_headline_is_published_as_typed_with_a_warning(
    site: Settings,
) -> None:
    """Front matter is text: "AT&amp;T" pasted from a web page publishes as those eight
    characters, and `check` says so, with the character it probably means."""
    text = article_text(title='"AT&amp;T buys R&D arm"', standfirst='"Costs &#8364;2bn"')
    parsed = parse_article(text.encode(), "world/story.md", site.content_dir, site)
    assert parsed.article.title == "AT&amp;T buys R&D arm"
    messages = {(w.field, w.line): w.message for w in parsed.warnings}
    assert messages[("title", 2)].startswith("`&amp;` is published as typed")
    assert "write `&` itself" in messages[("title", 2)]
    assert "write `€` itself" in messages[("standfirst", 4)]
    plain = parse_article(
        article_text(title="R&D and AT&T").encode(), "world/s.md", site.content_dir, site
    )
    assert plain.warnings == ()
