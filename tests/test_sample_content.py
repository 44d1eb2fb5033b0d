"""The sample site shows every part of the content format, and all of it is valid."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import pytest

from syndication.archive.batch import Accepted, Restamped
from syndication.config import load_settings
from syndication.ingest import files
from syndication.ingest.parse import parse_article
from syndication.ingest.pipeline import parse_file
from syndication.ingest.plan import Candidate
from syndication.model import Article, Status
from tests.conftest import REPO


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    settings = load_settings(REPO / "syndication.toml", environ={})
    root = (REPO / "content").resolve()
    parsed = []
    for rel in sorted(files.scan(root)):
        article = parse_article((root / rel).read_bytes(), rel, root, settings).article
        parsed.append(article)
    return parsed


def test_enough_articles_sections_and_editions(articles: list[Article]) -> None:
    assert len(articles) >= 24
    assert len({a.section for a in articles}) >= 4
    assert Counter(a.edition for a in articles).keys() == {"en", "fr"}


def test_topics_are_shared_so_related_links_mean_something(articles: list[Article]) -> None:
    counts = Counter(t.slug for a in articles for t in a.topics)
    assert sum(1 for n in counts.values() if n >= 3) >= 4


def test_the_republished_wire_story(articles: list[Article]) -> None:
    wire = [a for a in articles if a.source == "Continental Press Agency"]
    assert len(wire) == 1
    story = wire[0]
    assert story.syndication is False and story.rights.startswith("©")
    assert story.original_url.startswith("https://")
    assert story.image is not None and story.image.credit and story.image.rights
    assert "<h2>" in story.body_html


def test_translation_correction_draft_withdrawn_and_scheduled(articles: list[Article]) -> None:
    ids = {a.id for a in articles if a.id}
    translations = [a for a in articles if a.translation_of]
    assert translations and all(t.translation_of in ids for t in translations)
    assert any(a.corrections for a in articles)
    assert any(a.status is Status.DRAFT for a in articles)
    assert any(a.status is Status.WITHDRAWN for a in articles)
    assert any(a.published.year >= 2090 for a in articles)


def test_images_are_small_and_every_article_has_its_own_words(articles: list[Article]) -> None:
    for image in Path(REPO / "content" / "images").iterdir():
        assert image.stat().st_size < 100_000
    bodies = [a.body_text for a in articles]
    assert len(set(bodies)) == len(bodies)


def test_what_a_parse_worker_sends_the_writer_arrives_whole() -> None:
    """Each file's outcome crosses from a worker process to the writer by pickle, which the
    model's classes take by their fields (model.pickled_by_fields)."""
    settings = load_settings(REPO / "syndication.toml", environ={})
    root = (REPO / "content").resolve()
    outcomes = [
        parse_file(root, settings, Candidate(rel, st.size, st.mtime_ns, None))
        for rel, st in sorted(files.scan(root).items())
    ]
    assert any(isinstance(o, Accepted) and o.article.image and o.needs for o in outcomes)
    assert any(isinstance(o, Accepted) and o.article.corrections for o in outcomes)
    for outcome in outcomes:
        copy = pickle.loads(pickle.dumps(outcome))
        assert copy == outcome and type(copy) is type(outcome)
    touched = Restamped("a.md", 1, 2)
    assert pickle.loads(pickle.dumps(touched)) == touched
