"""The articles row is declared once (archive/article_row.py): every field a file's parse
gives is written into the row and read back equal, for any article; and a story's digest is
what archives have always hashed, so an upgrade makes no story a new version."""

from __future__ import annotations

import asyncio
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.archive.article_row import ARTICLE_COLUMNS, NOT_IN_THE_ROW
from syndication.archive.batch import Accepted
from syndication.archive.queries import Archive
from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from syndication.ingest.parse import parse_article
from syndication.model import (
    Article,
    Author,
    Correction,
    Image,
    Placement,
    Status,
    Topic,
    article_path,
)
from tests.conftest import REPO, Newsroom, article_text, examples, make_settings, set_clock

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
SLUG = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
MOMENT = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=0))
NAMES = st.lists(st.tuples(SLUG, TEXT.filter(str.strip)), max_size=3, unique_by=lambda n: n[0])
IMAGES = st.builds(
    Image,
    src=SLUG.map(lambda s: f"images/{s}.png"),
    alt=TEXT,
    caption=TEXT,
    credit=TEXT,
    rights=TEXT,
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
    media_type=st.just("image/png"),
    length=st.integers(1, 10**7),
    syndication=st.booleans(),
    digest=st.from_regex(r"[0-9a-f]{12}", fullmatch=True),
)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    published = draw(MOMENT)
    slug = draw(SLUG)
    section = draw(st.sampled_from(["world", "business", "culture"]))
    return Article(
        id=draw(SLUG),
        edition="en",
        section=section,
        slug=slug,
        title=draw(TEXT.filter(str.strip)),
        published=published,
        body_html=draw(st.sampled_from(["<p>x</p>\n", "<p>Harbour &amp; sea.</p>\n", ""])),
        body_text="",
        word_count=draw(st.integers(0, 10**6)),
        status=draw(st.sampled_from(list(Status))),
        standfirst=draw(TEXT),
        authors=tuple(Author(s, n) for s, n in draw(NAMES)),
        topics=tuple(Topic(s, n) for s, n in draw(NAMES)),
        image=draw(st.none() | IMAGES),
        source=draw(TEXT),
        rights=draw(TEXT),
        syndication=draw(st.booleans()),
        original_url=draw(st.sampled_from(["", "https://wire.example.org/a?b=1"])),
        updated=draw(st.none() | MOMENT),
        corrections=tuple(
            Correction(m, t) for m, t in draw(st.lists(st.tuples(MOMENT, TEXT), max_size=2))
        ),
        placement=draw(st.none() | st.sampled_from(list(Placement))),
        placement_until=draw(st.none() | MOMENT),
        aliases=tuple(draw(st.lists(SLUG.map(lambda s: f"/old/{s}/"), max_size=3, unique=True))),
        id_given=draw(st.booleans()),
        path=article_path("en", section, published, slug),
    )


def test_the_row_holds_every_field_but_those_the_archive_sets() -> None:
    in_article = {f.name for f in fields(Article)}
    assert set(ARTICLE_COLUMNS) | NOT_IN_THE_ROW == in_article
    assert not set(ARTICLE_COLUMNS) & NOT_IN_THE_ROW


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(article=articles())
def test_every_field_written_is_read_back_equal(tmp_path: Path, article: Article) -> None:
    db = tmp_path / f"{article.id}-{abs(hash(article))}.db"
    accepted = Accepted.of(f"world/{article.slug}.md", 1, 1, "h", article, {})
    # an id the editor gave is the story's; else the archive assigns one
    article = replace(article, id=article.id if article.id_given else accepted.assigned_id)
    conn = open_writer(db, set_clock())
    try:
        ArchiveWriter(conn, set_clock()).apply([accepted])
    finally:
        conn.close()

    async def read() -> Article:
        async with Archive.open(db) as archive:
            found = await archive.articles.by_id(article.id)
            assert found is not None
            return found.article

    back = asyncio.run(read())
    # body_text is made from the HTML when read (archive/bodies.py), as the parse made it
    assert replace(back, body_text="") == article


# What `Accepted.of` hashed before the row was declared once, for two stories: pinned, since a
# change would make every story of every archive a new version on upgrade.
PINNED = {
    "world/s0.md": "5b7a230d6e7505e0586c052cecd4a1a8",
    "world/s1.md": "19e767795db17c28b872ee88910f0823",
}


def test_a_storys_digest_is_what_archives_have_always_hashed(tmp_path: Path) -> None:
    site = make_settings(tmp_path)
    texts = {
        "world/s0.md": article_text(
            title="Harbour reopens", standfirst="A first look.", authors="[Ann Smith, Bo Li]",
            topics="[Ports, Weather]", updated="2024-03-02T10:00:00Z", placement="lead",
            placement_until="2099-01-01T00:00:00Z", aliases='["/2019/05/old/", "/?p=12"]',
            source="Continental Press Agency", rights='"© 2024 CPA"', syndication="false",
            original_url="https://wire.example.org/a",
        ),
        "world/s1.md": article_text(title="Plain story"),
    }  # fmt: skip
    for rel, text in texts.items():
        art = parse_article(text.encode(), rel, site.content_dir, site).article
        assert Accepted.of(rel, 1, 1, "h", art, {}).digest == PINNED[rel], rel


def test_an_archive_from_before_reads_its_stories_aliases_again_once(newsroom: Newsroom) -> None:
    """Archives written before aliases had their column: migration 0018 marks the files of
    stories with old addresses for reading again, which fills it with no new version."""
    newsroom.write("world/old.md", article_text(aliases='["/2019/05/old-post/"]'))
    newsroom.write("world/plain.md", article_text(title="Plain"))
    newsroom.scan()
    version = newsroom.one("SELECT version FROM articles WHERE source_file = 'world/old.md'")
    conn = newsroom.writer.conn
    conn.execute("UPDATE articles SET aliases = NULL")  # as 0018 finds them
    migration = (REPO / "syndication/archive/migrations/0018_aliases_read_back.sql").read_text()
    statements = "\n".join(ln for ln in migration.splitlines() if not ln.startswith("--"))
    # its marking of files to read again (the table is `files` since 0019 renamed it)
    conn.execute(statements.split(";")[1].replace("UPDATE sources", "UPDATE files"))
    conn.commit()
    read = newsroom.scan()
    assert read.unchanged >= 1 and read.updated == 0
    assert newsroom.query("SELECT source_file, aliases, version FROM articles ORDER BY 1") == [
        ("world/old.md", '["/2019/05/old-post/"]', version),
        ("world/plain.md", None, 1),
    ]
