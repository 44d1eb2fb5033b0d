"""A stateful test of the whole chain, from the files editors write to every copy a client
holds: random sequences of new stories, edits, retitles, moves, translations, corrections,
withdrawals, restorations and seconds passing, on a served archive.

After each step every URL ever fetched (and every one the site links to, up to a bound) is
fetched again from the running server, whose response cache has lived through every step,
and must equal a fresh render of the same archive by a second server whose cache was just
emptied: status, body, ETag, Location, Content-Type (Date and Last-Modified aside: the warm
server keeps the date of the change that last altered an answer's bytes). The copy a client
held from the step before is revalidated with its ETag alone and with its Last-Modified
alone: neither may give a 304 for bytes that changed, and the ETag must give one for bytes
that did not. And an edge cache could not keep it: when a copy an edge keeps until purged (it
was tagged, with Surrogate-Control) has changed, the purges the edge purger sends for what
happened since it was fetched must name one of its tags.

`make test` runs a short profile (tests/test_every_copy.py); `make fuzz` a long one:

    python -m tests.fuzz_chain --examples 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from yarl import URL

from syndication.archive.edge_acks import Ack
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import make_settings, set_clock
from tests.fuzz_ingest import fuzz_run
from tests.waiting import until_async

Client = TestClient[Any, Any]
MAX_URLS = 250  # the crawl's bound: every URL of a small archive fits well within it
SECTIONS = ("world", "business", "culture")
WORDS = (
    "Harbour", "ferry", "strike", "museum", "tram", "council", "budget", "flood", "AT&T",
    "<b>bold</b>", "Été", "crews", "\"quoted\"", "2027", "line",
)  # fmt: skip
TOPICS = ("Transport", "Climate", "Labour", "Arts")
AUTHORS = ("Maren Okafor", "Jonas Keller")
SEEN_IN = re.compile(r'(?:href|src)="([^"#]+)|<loc>([^<]+)</loc>')
SKIPPED = ("/static/", "/media/", "/api/", "/websub", "/metrics", "/healthz", "/readyz")
START = ("/", "/en/", "/fr/", "/sitemap.xml", "/robots.txt", "/en/search?q=ferry")


@dataclass
class Story:
    """What one file says; the machine writes it out after every change."""

    id: str
    title: str
    published: datetime
    section: str
    edition: str = "en"
    topics: tuple[str, ...] = ()
    body: str = "The first version of the story."
    status: str = "published"
    translation_of: str | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)
    deleted: bool = False

    @property
    def rel(self) -> str:
        return f"stories/{self.id}.md"  # the folder never says the section: moves are edits

    def text(self) -> str:
        def quoted(value: str) -> str:
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = [
            "---",
            f"id: {self.id}",
            f"title: {quoted(self.title)}",
            f"published: {self.published.isoformat()}",
            f"section: {self.section}",
            f"edition: {self.edition}",
            f"authors: [{AUTHORS[len(self.id) % 2]}]",
            f"status: {self.status}",
        ]
        if self.topics:
            lines.append(f"topics: [{', '.join(self.topics)}]")
        if self.translation_of:
            lines.append(f"translation_of: {self.translation_of}")
        if self.corrections:
            lines.append("corrections:")
            for day, text in self.corrections:
                lines += [f"  - date: {day}", f"    text: {quoted(text)}"]
        return "\n".join(lines) + "\n---\n\n" + self.body + "\n"


@dataclass
class Copy:
    """What a client keeps of an answer."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    location: str | None
    content_type: str | None
    # The tags an edge keeps it by until they are purged (None: untagged, kept only for its
    # max-age), and when it was fetched: the change sequence and the UTC day.
    edge_tags: frozenset[str] | None = None
    seq: int = 0
    day: date = date.min


@dataclass
class Tally:
    sequences: int = 0
    steps: int = 0
    comparisons: int = 0
    revalidations: int = 0
    urls: set[str] = field(default_factory=set)


TALLY = Tally()


def headline() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=2, max_size=5).map(" ".join)


class Chain(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.settings = make_settings(Path(self.folder.name))
        self.clock = set_clock()  # both servers read it; `tick` moves it on
        self.now = self.clock.now()
        self.stories: dict[str, Story] = {}
        for n, (section, hours) in enumerate((("world", 2), ("business", 30), ("world", 24 * 40))):
            self._put(
                Story(f"s{n}", f"Story {n} {WORDS[n]}", self.now - timedelta(hours=hours), section)
            )
        self.loop = asyncio.new_event_loop()
        self.warm, self.fresh = self.loop.run_until_complete(self._serve())
        self.urls: list[str] = list(START)
        self.held: dict[str, Copy] = {}
        TALLY.sequences += 1

    async def _serve(self) -> tuple[Client, Client]:
        """The server that lives through every step, and one that renders afresh."""
        warm: Client = TestClient(TestServer(create_app(self.settings, self.clock)))
        await warm.start_server()
        fresh: Client = TestClient(TestServer(create_app(self.settings, self.clock, role="reader")))
        await fresh.start_server()
        return warm, fresh

    def teardown(self) -> None:
        self.loop.run_until_complete(self.fresh.close())
        self.loop.run_until_complete(self.warm.close())
        self.loop.close()
        self.folder.cleanup()

    # -- what editors do ----------------------------------------------------------------

    def _put(self, story: Story) -> None:
        self.stories[story.id] = story
        path = self.settings.content_dir / story.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if story.deleted:
            path.unlink(missing_ok=True)
        else:
            path.write_text(story.text(), encoding="utf-8")

    def _save(self, story: Story) -> None:
        """Write the file and bring it into the archive, as the watcher would."""
        self._put(story)
        TALLY.steps += 1
        ingest = self.warm.app[SERVICES].ingest
        assert ingest is not None
        self.loop.run_until_complete(ingest.ingest_paths({story.rel}))

    def _pick(self, data: st.DataObject, **having: object) -> Story | None:
        found = [
            s for s in self.stories.values() if all(getattr(s, k) == v for k, v in having.items())
        ]
        return data.draw(st.sampled_from(found)) if found else None

    @rule(
        title=headline(),
        section=st.sampled_from(SECTIONS),
        age=st.sampled_from([timedelta(hours=1), timedelta(days=3), timedelta(days=45)]),
        topics=st.lists(st.sampled_from(TOPICS), max_size=2, unique=True),
        later=st.booleans(),
    )
    def add_story(
        self, title: str, section: str, age: timedelta, topics: list[str], later: bool
    ) -> None:
        # A story due in two seconds is scheduled: `tick` moves the clock to bring it out.
        published = self.clock.now() + timedelta(seconds=2)
        story = Story(
            f"s{len(self.stories)}",
            title,
            published if later else self.now - age,
            section,
            topics=tuple(topics),
        )
        self._save(story)

    @rule(data=st.data(), title=headline())
    def retitle(self, data: st.DataObject, title: str) -> None:
        if story := self._pick(data):
            story.title = title
            self._save(story)

    @rule(data=st.data(), words=st.sampled_from(WORDS))
    def edit_body(self, data: st.DataObject, words: str) -> None:
        if story := self._pick(data):
            story.body += f"\n\nAn added paragraph about {words}."
            self._save(story)

    @rule(data=st.data(), section=st.sampled_from(SECTIONS))
    def move(self, data: st.DataObject, section: str) -> None:
        if story := self._pick(data):
            story.section = section
            self._save(story)

    @rule(data=st.data(), topics=st.lists(st.sampled_from(TOPICS), max_size=2, unique=True))
    def retopic(self, data: st.DataObject, topics: list[str]) -> None:
        if story := self._pick(data):
            story.topics = tuple(topics)
            self._save(story)

    @rule(data=st.data())
    def translate(self, data: st.DataObject) -> None:
        translated = {s.translation_of for s in self.stories.values()}
        found = [s for s in self.stories.values() if s.edition == "en" and s.id not in translated]
        if found:
            original = data.draw(st.sampled_from(found))
            self._save(
                Story(
                    f"s{len(self.stories)}",
                    f"Traduction {original.title}",
                    original.published + timedelta(minutes=30),
                    original.section,
                    edition="fr",
                    topics=original.topics,
                    translation_of=original.id,
                )
            )

    @rule(data=st.data(), text=st.sampled_from(["A name was misspelt.", "A date was wrong."]))
    def correct(self, data: st.DataObject, text: str) -> None:
        if story := self._pick(data):
            story.corrections.append((f"{self.clock.now():%Y-%m-%d}", text))
            self._save(story)

    @rule(data=st.data(), by_deleting=st.booleans())
    def withdraw(self, data: st.DataObject, by_deleting: bool) -> None:
        if story := self._pick(data, status="published", deleted=False):
            if by_deleting:
                story.deleted = True
            else:
                story.status = "withdrawn"
            self._save(story)

    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        gone = [s for s in self.stories.values() if s.deleted or s.status == "withdrawn"]
        if gone:
            story = data.draw(st.sampled_from(gone))
            story.deleted, story.status = False, "published"
            self._save(story)

    @precondition(lambda self: len(self.held) > 0)
    @rule()
    def tick(self) -> None:
        """A second passes (HTTP dates count whole seconds) and what was due comes out."""
        TALLY.steps += 1
        self.clock.advance(1)
        writer = self.warm.app[SERVICES].ingest
        assert writer is not None
        writer.recheck_schedule()
        self.loop.run_until_complete(self._settled())

    async def _settled(self) -> None:
        """Wait (bounded) until no scheduled story is overdue: the writer's schedule wakes
        at the due time and publishes it as a change of its own."""
        due = [
            s
            for s in self.stories.values()
            if s.published > self.now and s.published <= self.clock.now()
        ]
        if not due:
            return

        def all_out() -> bool:
            with contextlib.closing(sqlite3.connect(self.settings.db_path)) as db:
                marks = ",".join("?" * len(due))
                waiting = db.execute(
                    f"SELECT count(*) FROM articles WHERE state = 'scheduled' AND id IN ({marks})",
                    [s.id for s in due],
                ).fetchone()[0]
            return not waiting

        await until_async(all_out, 5, f"scheduled stories out once due: {due}")

    # -- what every client must see -----------------------------------------------------

    @invariant()
    def every_copy_agrees_with_a_fresh_render(self) -> None:
        self.loop.run_until_complete(self._compare_all())

    async def _compare_all(self) -> None:
        done: set[str] = set()
        queue = list(self.urls)
        while queue:
            url = queue.pop(0)
            if url in done:
                continue
            done.add(url)
            copy = await self._compare(url)
            for found in _links(copy):
                if found not in done and len(self.urls) < MAX_URLS and found not in self.urls:
                    self.urls.append(found)
                    queue.append(found)
                elif found in self.urls and found not in done:
                    queue.append(found)
        TALLY.urls.update(self.urls)

    def _seq(self) -> int:
        with contextlib.closing(sqlite3.connect(self.settings.db_path)) as db:
            return int(db.execute("SELECT max(seq) FROM changes").fetchone()[0] or 0)

    async def _compare(self, url: str) -> Copy:
        held = self.held.get(url)
        for _ in range(3):  # a scheduled story may come out while the URL is fetched
            seq = self._seq()
            by_tag = by_date = None
            if held is not None and held.etag:
                by_tag = await _get(self.warm, url, {"If-None-Match": held.etag})
            if held is not None and held.last_modified:
                by_date = await _get(self.warm, url, {"If-Modified-Since": held.last_modified})
            now = await _get(self.warm, url)
            self.fresh.app[SERVICES].cache.clear()  # its sequence is read every 0.25 s
            fresh = await _get(self.fresh, url)
            if self._seq() == seq:
                break
        TALLY.comparisons += 1
        for part in ("status", "body", "etag", "location", "content_type"):
            assert getattr(now, part) == getattr(fresh, part), (
                f"{url}: the warm server's {part} differs from a fresh render's:\n"
                + _difference(getattr(now, part), getattr(fresh, part))
            )
        if now.last_modified and fresh.last_modified:
            assert parsedate_to_datetime(now.last_modified) <= parsedate_to_datetime(
                fresh.last_modified
            ), (
                f"{url}: Last-Modified {now.last_modified} is after a fresh render's, "
                f"{fresh.last_modified}"
            )
        if held is not None:
            changed = held.status != now.status or held.body != now.body
            for asked, answer in (("ETag", by_tag), ("Last-Modified", by_date)):
                if answer is None:
                    continue
                TALLY.revalidations += 1
                assert not (changed and answer.status == 304), (
                    f"{url}: 304 to the {asked} of a copy whose bytes changed"
                )
            if by_tag is not None and not changed and now.status == 200:
                assert by_tag.status == 304, f"{url}: no 304 for the ETag of the same bytes"
            if changed and held.edge_tags is not None:
                purged = await self._purged_since(held)
                assert held.edge_tags & purged, (
                    f"{url}: an edge would keep it, changed, for a day: no purge since it was "
                    f"fetched names its tags {sorted(held.edge_tags)}"
                )
        now.seq, now.day = seq, self.clock.now().date()
        self.held[url] = now
        return now

    async def _purged_since(self, held: Copy) -> set[str]:
        """The tags the edge purger sends for all that happened since `held` was fetched."""
        purger = self.warm.app[SERVICES].purger
        assert purger is not None
        since = Ack(held.seq, held.day)
        return set(await purger.tags_after(since, self._seq(), self.clock.now().date()))


async def _get(client: Client, url: str, headers: dict[str, str] | None = None) -> Copy:
    response = await client.get(url, headers=headers or {}, allow_redirects=False)
    body = await response.read()
    tags = response.headers.get("xkey")
    kept = tags is not None and "Surrogate-Control" in response.headers
    return Copy(
        response.status,
        body,
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
        response.headers.get("Location"),
        response.headers.get("Content-Type"),
        frozenset(tags.split()) if kept and tags else None,
    )


def _difference(warm: object, fresh: object) -> str:
    """The lines that differ, markup split at its tags so a feed is not one long line."""

    def lines(value: object) -> list[str]:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return text.replace("><", ">\n<").splitlines()

    diff = difflib.unified_diff(lines(warm), lines(fresh), "warm", "fresh", n=1, lineterm="")
    return "\n".join(list(diff)[:60])


def _links(copy: Copy) -> list[str]:
    """The site's own addresses an answer names: links, pictures, sitemap entries, feed
    links and a redirect's target."""
    text = copy.body.decode("utf-8", "replace") if copy.status == 200 else ""
    found = [a or b for a, b in SEEN_IN.findall(text)]
    if copy.location:
        found.append(copy.location)
    paths = (own_path(address, "testserver", SKIPPED) for address in found)
    return [path for path in paths if path is not None]


def own_path(address: str, host: str, skipped: tuple[str, ...]) -> str | None:
    """The site's own path an address in an answer names (a link, a picture, a sitemap
    entry, a redirect), unless it is another host's or starts with one of `skipped`."""
    url = URL(address.replace("&amp;", "&").replace("\\/", "/"))
    if url.is_absolute():
        if url.host != host:
            return None
        url = url.relative()
    path = str(url)
    return path if path.startswith("/") and not path.startswith(skipped) else None


def run(examples: int, steps: int, seed: int | None = None) -> Tally:
    """Run `examples` sequences of at most `steps` steps; raises on the first mismatch."""
    global TALLY
    TALLY = Tally()
    case = Chain.TestCase
    # No shrinking: a sequence takes seconds, and the failing one is printed as it is.
    case.settings = settings(
        fuzz_run(examples, seed),
        stateful_step_count=steps,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    case("runTest").runTest()
    return TALLY


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    started = time.monotonic()
    tally = run(args.examples, args.steps)
    print(
        f"{tally.sequences} sequences, {tally.steps} steps, {len(tally.urls)} URLs, "
        f"{tally.comparisons} answers compared with a fresh render, {tally.revalidations} "
        f"revalidations, 0 mismatches in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
