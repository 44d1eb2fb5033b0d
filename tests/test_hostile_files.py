"""No editor's file can stop, stall, break or leak the service: one test per example an
outside test found, each class's other members in tests/test_fuzz_ingest.py."""

from __future__ import annotations

import difflib
import time
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.config import Settings
from syndication.errors import ContentError
from syndication.ingest import sources
from syndication.ingest.parse import Parsed, parse_article
from tests.conftest import Newsroom, PNG_1x1, article_text, examples, make_settings

FRONT = "---\ntitle: Harbour reopens\npublished: 2024-03-01\n{extra}---\n\nThe body.\n"


def front(**fields: str) -> str:
    """A file with a title and a date, and `fields` added or put in their place."""
    values = {"title": "Harbour", "published": "2024-03-01T10:00:00+01:00", **fields}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\nBody\n"


def line_of(text: str, field: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(field + ":"))


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def parse(site: Settings, text: str, rel: str = "world/story.md") -> Parsed:
    return parse_article(text.encode(), rel, site.content_dir, site)


def refused(site: Settings, text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse(site, text)
    assert caught.value.file == "world/story.md"
    return caught.value


# -- values YAML accepts but Python cannot hold -----------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("published", "2022-02-30T10:00:00+01:00", "day is out of range for month"),
        ("published", "2022-13-01", "not a date"),
        ("published", "0001-01-01T00:00:00+01:00", "between the years"),
        ("published", "9999-12-31T23:59:59-01:00", "between the years"),
        ("published", "!!timestamp 2022-02-30", "tag"),
        ("updated", "2024-02-30", "day is out of range"),
        ("id", "9" * 5000, "letters, digits"),
        ("id", "!!int 12", "tag"),
        ("title", "!!float 1e400", "tag"),
        ("title", "!!binary aGVsbG8=", "tag"),
        ("topics", "!!set {a, b}", "tag"),
        ("syndication", "!!bool maybe", "true or false"),
        ("title", "!!python/object:os.system x", "tag"),
    ],
)
def test_values_python_cannot_hold_are_errors_with_their_line(
    site: Settings, field: str, value: str, words: str
) -> None:
    text = front(**{field: value})
    error = refused(site, text)
    assert words in error.message
    assert error.line == line_of(text, field)


@pytest.mark.parametrize("blank", ['" "', '"\\t \\n"', "'   '", '"\\u00a0"'])
def test_a_headline_of_white_space_alone_is_empty(site: Settings, blank: str) -> None:
    """Found by the fuzzer: `title: " "` passed, and Atom refused the entry (no title)."""
    error = refused(site, front(title=blank, slug="ok"))
    assert error.field == "title" and "must not be empty" in error.message


def test_numbers_and_dates_in_text_fields_stay_as_typed(site: Settings) -> None:
    article = parse(
        site, FRONT.format(extra="slug: '2024'\n").replace("Harbour reopens", "1984")
    ).article
    assert article.title == "1984" and article.slug == "2024"
    norway = parse(site, FRONT.format(extra="topics: [NO, 10:30, 0x1F]\n")).article
    assert [t.name for t in norway.topics] == ["NO", "10:30", "0x1F"]


# -- alias expansion ------------------------------------------------------------------------


def alias_bomb(levels: int, width: int = 10) -> str:
    names = "abcdefghijklmnop"
    lines = [f"  a: &a [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        name, before = names[level], names[level - 1]
        lines.append(f"  {name}: &{name} [{', '.join([f'*{before}'] * width)}]")
    return "---\ntitle: Bomb\npublished: 2024-03-01\nimage:\n" + "\n".join(lines) + "\n---\nB\n"


@pytest.mark.parametrize("levels", [7, 8, 12])
def test_nested_aliases_are_refused_in_bounded_time_and_memory(site: Settings, levels: int) -> None:
    text = alias_bomb(levels)
    assert len(text) < 2000  # the outside test's file was 1.3 KB
    tracemalloc.start()
    started = time.perf_counter()
    error = refused(site, text)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "aliases" in error.message and error.field == "image"
    assert error.line == 6  # the first `*a`
    assert seconds < 1.0 and peak < 5_000_000, (seconds, peak)


def test_a_single_alias_is_refused_too(site: Settings) -> None:
    error = refused(site, FRONT.format(extra="authors: &who [Ines]\ntopics: *who\n"))
    assert "aliases" in error.message and error.line == 5


# -- characters XML cannot carry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "char"),
    [
        ("title", '"Control char \\x01"', "U+0001"),
        ("title", '"\\0"', "U+0000 (NULL)"),
        ("standfirst", '"a \\e b"', "U+001B (ESCAPE)"),
        ("authors", '["Ines \\x7f"]', "U+007F"),
        ("rights", '"\\x85 2024"', "U+0085"),
        ("topics", '["\\uFFFE"]', "U+FFFE"),
        ("image", '{src: "pic\\x00.png", alt: x}', "U+0000"),
    ],
)
def test_characters_no_feed_can_carry_are_refused_in_front_matter(
    site: Settings, field: str, value: str, char: str
) -> None:
    text = front(**{field: value})
    error = refused(site, text)
    assert char in error.message
    assert error.line == line_of(text, field)


def test_a_raw_control_character_in_front_matter_names_its_line(site: Settings) -> None:
    error = refused(site, "---\ntitle: ok\npublished: 2024-03-01\nstandfirst: a\x07b\n---\nB\n")
    assert "U+0007 (BELL)" in error.message and error.line == 4


def test_control_characters_in_the_body_are_removed_with_a_warning(site: Settings) -> None:
    body = "Before \x1b[31m after.\n\nA form\x0cfeed, and <b>&#1;&#x1b;entities</b>."
    parsed = parse(site, f"---\ntitle: Ok\npublished: 2024-03-01\n---\n\n{body}\n")
    html = parsed.article.body_html + parsed.article.body_text
    assert not any(c in html for c in "\x1b\x0c\x01")
    assert "[31m after" in parsed.article.body_text
    (warning,) = parsed.warnings
    assert warning.line == 6 and "U+001B (ESCAPE)" in warning.message


@pytest.mark.parametrize(
    "markup",
    [
        "<object > <script ></script> <svg >",
        "<p><math><p>x</p></math></p>",
        "<svg><p>y</p></svg>z",
        "<table><p>a</table>",
        "<template><p>t</p></template> <textarea><p>u</textarea>",
    ],
)
def test_raw_html_in_a_body_comes_out_as_html_that_reads_back_the_same(
    site: Settings, markup: str
) -> None:
    """Found by the fuzzer: dropping <svg> but keeping its children made a <p> inside a <p>."""
    import html5lib

    body = parse(site, f"---\ntitle: Ok\npublished: 2024-03-01\n---\n\nA\n\n{markup}\n").article
    page = f"<!DOCTYPE html><html lang=en><title>t</title><body>{body.body_html}</body></html>"
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert "<svg" not in body.body_html and "<math" not in body.body_html


# -- limits on counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ("topics: [" + ", ".join(f"t{i}" for i in range(3000)) + "]\n", "topics", "3000"),
        ("authors: [" + ", ".join(f"a{i}" for i in range(3000)) + "]\n", "authors", "3000"),
        (
            "corrections:\n"
            + "".join(f"  - {{date: 2024-03-02, text: c{i}}}\n" for i in range(51)),
            "corrections",
            "51",
        ),
        ("standfirst: " + "s" * 1001 + "\n", "standfirst", "1001"),
    ],
)
def test_counts_and_lengths_are_limited(site: Settings, extra: str, field: str, words: str) -> None:
    error = refused(site, FRONT.format(extra=extra))
    assert error.field == field and words in error.message and "limit" in error.message
    assert error.line == 4


def test_quotation_marks_by_the_ten_thousand_are_refused_before_they_are_paired(
    site: Settings,
) -> None:
    """Smart quotes paired 200,000 of them in half a minute; 20,000 take a third of a second."""
    text = "---\ntitle: Ok\npublished: 2024-03-01\n---\n\n" + "\"'" * 10_001 + "\n"
    error = refused(site, text)
    assert "20,002 quotation marks" in error.message and error.line == 6  # where it goes over
    assert parse(site, text.replace("\"'" * 10_001, "\"'" * 10_000)).article.body_html


def test_a_caption_is_limited(site: Settings) -> None:
    (site.content_dir / "world").mkdir()
    (site.content_dir / "world" / "pic.png").write_bytes(PNG_1x1)
    extra = f"image: {{src: pic.png, alt: x, caption: {'c' * 1001}}}\n"
    error = refused(site, FRONT.format(extra=extra))
    assert error.field == "image.caption" and "1001" in error.message


# -- editors' traps -------------------------------------------------------------------------


def test_a_comment_that_cuts_a_headline_short_is_a_warning(site: Settings) -> None:
    text = "---\ntitle: Ferry crews strike, day #2 begins\npublished: 2024-03-01\n---\nBody\n"
    parsed = parse(site, text)
    assert parsed.article.title == "Ferry crews strike, day"
    (warning,) = parsed.warnings
    assert (warning.line, warning.field) == (2, "title")
    assert "'#2 begins' was left out" in warning.message and "quotes" in warning.message
    quoted = parse(
        site,
        text.replace(
            "title: Ferry crews strike, day #2 begins", 'title: "Ferry crews strike, day #2 begins"'
        ),
    )
    assert quoted.article.title == "Ferry crews strike, day #2 begins" and not quoted.warnings
    topics = parse(site, FRONT.format(extra="topics: [Ferries]  # the main one\n"))
    assert not topics.warnings  # a comment after a list cuts nothing


def test_a_colon_in_a_headline_says_to_put_it_in_quotes(site: Settings) -> None:
    error = refused(
        site, "---\ntitle: Budget 2027: what the cuts mean\npublished: 2024-03-01\n---\nB\n"
    )
    assert error.line == 2
    assert 'put the value in quotes: title: "Budget 2027: what the cuts mean"' in error.message


# -- rights that fail closed -------------------------------------------------------------


def test_a_source_syndication_toml_does_not_know_is_an_error_with_a_suggestion(
    site: Settings,
) -> None:
    error = refused(site, FRONT.format(extra="source: Continental Press Agency (CPA)\n"))
    assert error.field == "source" and error.line == 4
    assert "did you mean `Continental Press Agency`?" in error.message
    typo = refused(site, FRONT.format(extra="source: Continental Pres Agency\n"))
    assert "did you mean `Continental Press Agency`?" in typo.message
    by_alias = parse(site, FRONT.format(extra="source: cpa\n")).article
    assert by_alias.source == "Continental Press Agency" and not by_alias.syndication


@pytest.mark.parametrize(
    "rights",
    [
        "© 2026 Continental Press Agency, licensed for this publication only",
        "'(c) continental press agency'",
        "© CPA 2026",
        "© 2026 Continental Pres Agency",  # a typo still fails closed, with a warning
    ],
)
def test_rights_naming_a_licensed_in_agency_make_the_story_licensed_in(
    site: Settings, rights: str
) -> None:
    parsed = parse(site, FRONT.format(extra=f"rights: {rights}\n"))
    assert parsed.article.syndication is False
    assert bool(parsed.warnings) == ("Pres " in rights)


def test_an_agency_picture_on_a_staff_story_stays_with_us(site: Settings) -> None:
    (site.content_dir / "world").mkdir()
    (site.content_dir / "world" / "pic.png").write_bytes(PNG_1x1)
    for credit in ("CPA", "Photo: Continental Press Agency", "Continental Press Agncy"):
        extra = f"image: {{src: pic.png, alt: x, credit: '{credit}'}}\n"
        article = parse(site, FRONT.format(extra=extra)).article
        assert article.syndication is True and article.image is not None
        assert article.image.syndication is False, credit


def _reads_like(words: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """The near-miss rule as written down: some run of one word fewer to one more than the
    name is within difflib's ratio of it."""
    target = " ".join(wanted)
    return any(
        difflib.SequenceMatcher(None, " ".join(words[i : i + size]), target).ratio()
        >= sources.NEAR_MISS
        for size in range(max(1, len(wanted) - 1), len(wanted) + 2)
        for i in range(len(words) - size + 1)
    )


_NAME_WORDS = st.sampled_from(["continental", "contnental", "press", "pres", "agency", "cpa"])


@settings(max_examples=examples(400), deadline=None)
@given(
    st.lists(st.one_of(_NAME_WORDS, st.text("acegnoprst", min_size=1, max_size=12)), max_size=8),
    st.lists(_NAME_WORDS, min_size=1, max_size=4),
)
def test_a_rights_line_reads_like_an_agency_by_the_near_miss_rule_alone(
    words: list[str], name: list[str]
) -> None:
    """The shortcuts that keep the check fast (a bound from lengths, the name indexed once,
    repeated lines remembered) never change what it finds."""
    assert sources._nearly_contains(tuple(words), tuple(name)) == _reads_like(
        tuple(words), tuple(name)
    )


# -- archive-level traps -------------------------------------------------------------------


def test_adding_an_id_to_a_published_article_keeps_it_the_same_article(
    newsroom: Newsroom,
) -> None:
    newsroom.write("world/story.md", article_text())
    newsroom.scan()
    (assigned,) = newsroom.query("SELECT id, version FROM articles")
    newsroom.write("world/story.md", article_text(id="harbour-2024"))
    result = newsroom.scan()
    assert result.errors == [] and result.published == result.withdrawn == 0
    assert newsroom.query("SELECT id, version, state FROM articles") == [(*assigned, "live")]
    newsroom.write(
        "world/fr.md", article_text(title="Le port", edition="fr", translation_of="harbour-2024")
    )
    newsroom.scan()
    assert newsroom.one("SELECT translation_of FROM articles WHERE edition = 'fr'") == assigned[0]
    newsroom.write("world/other.md", article_text(title="Other", id="harbour-2024"))
    (clash,) = newsroom.scan().errors
    assert clash.file == "world/other.md" and "already used by world/story.md" in clash.message


def test_moving_a_file_without_its_image_keeps_the_story_live_until_the_image_follows(
    newsroom: Newsroom,
) -> None:
    newsroom.write("world/pic.png", PNG_1x1)
    newsroom.write("world/story.md", article_text(image="{src: pic.png, alt: A quay}"))
    newsroom.scan()
    moved = newsroom.content / "business" / "story.md"
    moved.parent.mkdir()
    (newsroom.content / "world" / "story.md").rename(moved)
    result = newsroom.scan()
    (error,) = result.errors
    assert error.file == "business/story.md" and error.field == "image.src"
    assert result.withdrawn == 0
    assert newsroom.query("SELECT state, section, source_file FROM articles") == [
        ("live", "world", "business/story.md")
    ]
    (newsroom.content / "world" / "pic.png").rename(newsroom.content / "business" / "pic.png")
    from syndication.ingest.pipeline import Ingestor

    again = Ingestor(newsroom.settings, newsroom.writer).ingest_paths(
        {"business/pic.png", "world/pic.png"}
    )
    assert again.updated == 1 and again.errors == []
    assert newsroom.query("SELECT state, section FROM articles") == [("live", "business")]
    assert newsroom.query("SELECT * FROM ingest_errors") == []


def test_a_changed_image_is_read_again_at_the_next_start(newsroom: Newsroom) -> None:
    newsroom.write("world/pic.png", PNG_1x1)
    newsroom.write("world/story.md", article_text(image="{src: pic.png, alt: A quay}"))
    newsroom.scan()
    wide = bytearray(PNG_1x1)
    wide[16:20] = (640).to_bytes(4, "big")
    newsroom.write("world/pic.png", bytes(wide))
    assert newsroom.scan().updated == 1
    assert '"width":640' in str(newsroom.one("SELECT image FROM articles"))


# -- what an outside test found a second time ---------------------------------------------

ONE_SITE = [HealthCheck.function_scoped_fixture]  # parsing writes nothing: one folder serves
OTHER_BREAKS = st.sampled_from(["\x85", "\u2028", "\u2029"])


@settings(max_examples=examples(300), deadline=None, suppress_health_check=ONE_SITE)
@given(
    line=st.integers(0, 3),
    where=st.integers(0, 40),
    mark=OTHER_BREAKS,
    then=st.sampled_from(["slug: injected", "status: withdrawn", "id: other", "x"]),
)
def test_a_line_break_other_than_newline_in_front_matter_is_refused_on_its_line(
    site: Settings, line: int, where: int, mark: str, then: str
) -> None:
    """YAML ends a line at NEL, U+2028 and U+2029 too: `title: a<U+2028>slug: injected`
    set the slug. Wherever one is put in the front matter, the file is refused, naming the
    line and the character, and nothing after it is read as a field."""
    lines = ["title: Harbour pilots agree", "published: 2024-03-01", "standfirst: A rota",
             "topics: [Ports]"]  # fmt: skip
    at = min(where, len(lines[line]))
    lines[line] = lines[line][:at] + mark + then + lines[line][at:]
    error = refused(site, "---\n" + "\n".join(lines) + "\n---\nBody\n")
    assert error.line == line + 2 and "end of a line" in error.message, error


ZONES = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=examples(500), deadline=None, suppress_health_check=ONE_SITE)
@given(
    moment=st.datetimes(datetime(1799, 12, 30), datetime(3000, 1, 2), timezones=ZONES),
    field=st.sampled_from(["published", "updated"]),
)
def test_a_date_is_within_the_years_in_utc_after_its_zone(
    site: Settings, moment: datetime, field: str
) -> None:
    """1800-01-01T00:30+01:00 is in 1799, 2999-12-31T23:30-14:00 in 3000: a date is taken
    only when the instant it names, in UTC where it is kept, is within the years."""
    fields = {field: moment.isoformat()}
    if field == "updated":
        fields["published"] = "1800-01-01T00:00:00Z"
    in_range = 1800 <= moment.astimezone(UTC).year <= 2999
    try:
        parse(site, front(**fields))
    except ContentError as error:
        assert ("between the years" in error.message) != in_range, (moment, error)
    else:
        assert in_range, moment


@pytest.mark.parametrize("field", ["title", "id", "topics", "published", "status", "kicker"])
def test_an_error_quotes_a_value_of_64_kb_in_a_line_an_editor_reads(
    site: Settings, field: str
) -> None:
    value = "x" * 32 + "é" * 32_000
    error = refused(site, front(**{field: f'"{value}"'}))
    assert len(error.message) <= 400 and len(error.format("content")) <= 600, error.message
