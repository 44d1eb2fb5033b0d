"""Shared fixtures: a tmp content folder and archive per test, and helpers to write articles."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syndication.archive.schema import open_writer
from syndication.archive.writer import ArchiveWriter
from syndication.clock import SetClock
from syndication.config import Settings, load_settings
from syndication.ingest.pipeline import Ingestor
from syndication.model import Edition, Section, Source

REPO = Path(__file__).resolve().parent.parent
# The state files the test run's servers share (rates, writer health, figures) go to a
# folder of the run's own, inherited by the servers the tests start, not the machine's.
_RUNTIME = tempfile.TemporaryDirectory(prefix="syndication-runtime-")
os.environ.setdefault("SYNDICATION_RUNTIME_DIR", _RUNTIME.name)
# The instant the tests' clocks are set to: what they check never depends on the day they run
# (a story's age, this year's archive, a feed's tombstones). A test that needs time to pass
# moves its clock on (SetClock.advance) rather than sleeping.
TEST_INSTANT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def set_clock(at: datetime = TEST_INSTANT) -> SetClock:
    return SetClock(at)


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e5270de40000000049454e44ae426082"
)


def make_settings(root: Path, **overrides: object) -> Settings:
    content = (root / "content").resolve()
    content.mkdir(exist_ok=True)
    values: dict[str, object] = {
        "content_dir": content,
        "db_path": root / "archive.db",
        "outbox_dir": root / "outbox",
        # the serving process's newsletter round runs only in the tests of newsletters
        "send_while_serving": False,
        "base_url": "http://testserver",
        "editions": (
            Edition("en", "English", "en", "Europe/Luxembourg", "%d.%m.%Y"),
            Edition("fr", "Français", "fr", "Europe/Paris", "%d/%m/%Y"),
        ),
        "sections": (
            Section("world", {"en": "World", "fr": "Monde"}),
            Section("business", {"en": "Business"}),
            Section("culture", {"en": "Culture"}),
        ),
        "sources": (
            Source("Continental Press Agency", licensed_in=True, aliases=("CPA",)),
            Source("Harbour Ledger Staff"),
        ),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def article_text(
    title: str = "Harbour reopens",
    published: str = "2024-03-01T09:30:00+01:00",
    body: str = "The harbour reopened on Monday after repairs to the breakwater.",
    **fields: object,
) -> str:
    lines = ["---", f"title: {title}", f"published: {published}"]
    for key, value in fields.items():
        lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + textwrap.dedent(body).strip() + "\n"


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium through Playwright, for the tests marked `browser`."""
    from playwright.async_api import async_playwright  # (only those tests load it)

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


# `make check` runs each generated test on a tenth of its examples (SYNDICATION_TEST_EXAMPLES
# is 0.1 there): the same properties, searched less deeply, within its minute; `make test`
# runs every example.
EXAMPLES_SCALE = float(os.environ.get("SYNDICATION_TEST_EXAMPLES", "1"))


def examples(count: int, least: int = 10) -> int:
    """How many examples a generated test runs in this tier: `count` in the full suite, and
    never fewer than `least`."""
    return max(least, round(count * EXAMPLES_SCALE))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `browser` needs Chromium; one marked `tools(...)` the programs it names;
    one marked `root`, root. One missing is a skip saying which on a developer's machine,
    and a failure in CI (CI=true), where `make test` has installed them all and runs as root:
    CI never passes by skipping."""
    needed = [tool for mark in item.iter_markers("tools") for tool in mark.args]
    if item.get_closest_marker("browser") is not None:
        needed.append(CHROMIUM)
    missing = [tool for tool in needed if not _found(tool)]
    why = f"needs {', '.join(missing)} (`make test` installs it)" if missing else ""
    if item.get_closest_marker("root") is not None and os.geteuid() != 0:
        why = "needs root (it mounts a file system); CI runs as root"
    if why:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{why}; CI must not pass by skipping", pytrace=False)
        pytest.skip(why)


def _found(tool: str) -> bool:
    """A program on PATH or in the system folders root's PATH has (varnishd is in sbin), or a
    file at the path given."""
    if "/" in tool:
        return Path(tool).is_file()
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(tool, path=path) is not None


@dataclass
class Newsroom:
    """A content folder and its archive, driven synchronously like `syndication ingest`."""

    settings: Settings
    writer: ArchiveWriter
    clock: SetClock

    @property
    def content(self) -> Path:
        return self.settings.content_dir

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def scan(self):  # type: ignore[no-untyped-def]
        return Ingestor(self.settings, self.writer).full_scan()

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        return list(self.writer.conn.execute(sql, params).fetchall())

    def one(self, sql: str, *params: object) -> object:
        rows = self.query(sql, *params)
        assert len(rows) == 1, rows
        return rows[0][0]


@pytest.fixture
def make_newsroom(tmp_path: Path) -> Iterator[Callable[..., Newsroom]]:
    made: list[Newsroom] = []

    def make(**overrides: object) -> Newsroom:
        settings = make_settings(tmp_path, **overrides)
        clock = set_clock()
        writer = ArchiveWriter(open_writer(settings.db_path, clock), clock)
        room = Newsroom(settings, writer, clock)
        made.append(room)
        return room

    yield make
    for room in made:
        room.writer.conn.close()


@pytest.fixture
def clock() -> SetClock:
    """The test's clock, set to TEST_INSTANT: hand it to what the test starts, move it on."""
    return set_clock()


@pytest.fixture
def newsroom(make_newsroom: Callable[..., Newsroom]) -> Newsroom:
    return make_newsroom()


SAMPLE_BASE = "http://news.test"


def sample_settings(root: Path, content: Path = REPO / "content", **overrides: object) -> Settings:
    """A copy of `content` (the sample site by default) under `root`, with the sample
    syndication.toml and a fixed base URL, so tests never write into the repository."""
    shutil.copytree(content, root / "content")
    values = {
        "content_dir": root / "content",
        "db_path": root / "archive.db",
        "outbox_dir": root / "outbox",
        "send_while_serving": False,  # as in make_settings
        "base_url": SAMPLE_BASE,
        **overrides,
    }
    return load_settings(REPO / "syndication.toml", environ={}).with_overrides(**values)


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    return sample_settings(tmp_path)
