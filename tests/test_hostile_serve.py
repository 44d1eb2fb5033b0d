"""`syndication check`, `serve` and `status` with every hostile example of the outside test in
content/, and a real full disk under the archive."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from tests.conftest import PNG_1x1, article_text
from tests.live import REPO, serving, syndication
from tests.waiting import until

ALIASES = "\n".join(
    [
        "  a: &a [x, x, x, x, x, x, x, x, x, x]",
        *(
            f"  {n}: &{n} [{', '.join([f'*{p}'] * 10)}]"
            for p, n in zip("abcdef", "bcdefg", strict=True)
        ),
    ]
)
# file -> (its text, the line and field `check` and `status` name, or None: it publishes)
EXAMPLES: dict[str, tuple[str, str | None]] = {
    "world/bad-date.md": (
        "---\ntitle: A date that never was\npublished: 2022-02-30T10:00:00+01:00\n---\nBody\n",
        ":3: published:",
    ),
    "world/alias-bomb.md": (
        f"---\ntitle: Bomb\npublished: 2024-03-01\nimage:\n{ALIASES}\n---\nBody\n",
        ":6: image:",
    ),
    "world/control-char.md": (
        '---\ntitle: "Control char \\x01"\npublished: 2024-03-01\n---\nBody\n',
        ":2: title:",
    ),
    "world/escape-in-body.md": (
        "---\ntitle: Escape in the body\npublished: 2024-03-02\n---\nBody \x1b[1m bold.\n",
        None,
    ),
    "world/many-topics.md": (
        "---\ntitle: Everything\npublished: 2024-03-01\ntopics: ["
        + ", ".join(f"t{i}" for i in range(3000))
        + "]\nauthors: ["
        + ", ".join(f"a{i}" for i in range(3000))
        + "]\n---\nBody\n",
        ":5: authors:",
    ),
    "world/agency-misspelt.md": (
        "---\ntitle: Agency copy\npublished: 2024-03-01\n"
        "source: Continental Press Agency (CPA)\n---\nBody\n",
        ":4: source:",
    ),
    "world/agency-rights.md": (
        "---\ntitle: Agency copy by its rights\npublished: 2024-03-03\nrights: "
        "© 2026 Continental Press Agency, licensed for this publication only\n---\nBody\n",
        None,
    ),
    "world/comment.md": (
        "---\ntitle: Ferry crews strike, day #2 begins\npublished: 2024-03-04\n---\nBody\n",
        None,
    ),
    "world/colon.md": (
        "---\ntitle: Budget 2027: what the cuts mean\npublished: 2024-03-01\n---\nBody\n",
        ":2: the front matter is not valid YAML",
    ),
}


def with_examples(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    for rel, (text, _) in EXAMPLES.items():
        (root / "content" / rel).write_text(text, encoding="utf-8")
    return root


@pytest.mark.processes
def test_check_reports_every_example_with_its_line_and_never_a_traceback(tmp_path: Path) -> None:
    with_examples(tmp_path)
    started = time.monotonic()
    result = syndication("check", "content", cwd=tmp_path)
    assert time.monotonic() - started < 30
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for rel, (_, where) in EXAMPLES.items():
        if where is not None:
            assert f"content/{rel}{where}" in result.stdout, (rel, result.stdout)
    warned = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert any(line.startswith("content/world/comment.md:2: warning: title:") for line in warned)
    assert any("escape-in-body.md:5: warning:" in line for line in warned)
    for rel, (_, where) in EXAMPLES.items():  # one file alone says what the folder says
        alone = syndication("check", f"content/{rel}", cwd=tmp_path)
        assert alone.returncode == (1 if where else 0), (rel, alone.stdout)


@pytest.mark.processes
def test_serve_starts_with_every_example_present_and_status_lists_each(tmp_path: Path) -> None:
    with_examples(tmp_path)
    with serving(tmp_path) as server:
        assert server.get("/readyz").status == 200
        assert server.get("/en/").status == 200
        story = server.get("/en/world/2024/03/02/escape-in-the-body")
        assert story.status == 200 and "Escape in the body" in story.body
        for path in ("/en/feed.atom", "/en/world/feed.rss", "/en/feed.json", "/sitemap.xml"):
            reply = server.get(path)
            assert reply.status == 200, path
            if not path.endswith(".json"):
                assert not feedparser.parse(reply.body).bozo or path.endswith(".xml"), path
        assert "Ferry crews strike, day" in server.get("/en/world/").body
        status = syndication("status", cwd=tmp_path)
        as_json = json.loads(syndication("status", "--json", cwd=tmp_path).stdout)
    assert status.returncode == 1
    failing = {rel for rel, (_, where) in EXAMPLES.items() if where}
    assert {e["file"] for e in as_json["errors"]} == failing
    for rel in failing:
        assert f"content/{rel}{EXAMPLES[rel][1]}" in status.stdout, status.stdout


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 6 MB file system (tmpfs) for the archive, so that it can really fill up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    # Unbuffered: a buffered file would raise ENOSPC again when closed, for what it still held.
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


@pytest.mark.processes
@pytest.mark.root  # mounts a 6 MB file system that really fills up
def test_saves_while_the_disk_is_full_reach_the_archive_when_space_returns(
    tmp_path: Path, small_disk: Path
) -> None:
    content = tmp_path / "content" / "world"
    content.mkdir(parents=True)
    content.joinpath("first.md").write_text(article_text(title="Before the disk filled"))
    db = small_disk / "archive.db"
    with serving(tmp_path, "--db", str(db)) as server:
        assert server.get("/readyz").status == 200
        filler = fill(small_disk)
        for n in range(20):
            content.joinpath(f"saved-{n}.md").write_text(
                article_text(title=f"Saved while full {n}", published="2024-03-02")
            )
            time.sleep(0.05)  # saved one after another, as editors save, not as one batch
        ready = until(lambda: (r := server.get("/readyz")).status == 503 and r, 20, "not ready")
        writes = json.loads(ready.body)["writes"]
        assert writes["ok"] is False and "full" in writes["reason"], writes
        status = syndication("status", "--db", str(db), cwd=tmp_path)
        assert status.returncode == 1 and "writes: FAILING" in status.stdout, status.stdout
        assert server.get("/en/").status == 200  # readers are served meanwhile
        filler.unlink()
        until(
            lambda: server.get("/en/world/?page=1").body.count("Saved while full") == 20,
            45,
            "every save in the archive once there is room",
        )
        assert server.get("/readyz").status == 200
        after = syndication("status", "--db", str(db), cwd=tmp_path)
    assert after.returncode == 0 and "writes: ok" in after.stdout, after.stdout


@pytest.mark.processes
def test_a_file_moved_without_its_image_stays_up_until_the_image_follows(tmp_path: Path) -> None:
    world = tmp_path / "content" / "world"
    world.mkdir(parents=True)
    (world / "quay.png").write_bytes(PNG_1x1)
    (world / "story.md").write_text(
        article_text(title="The quay", image="{src: quay.png, alt: The quay at dawn}")
    )
    old = "/en/world/2024/03/01/the-quay"
    with serving(tmp_path) as server:
        assert server.get(old).status == 200
        business = tmp_path / "content" / "business"
        business.mkdir()
        (world / "story.md").rename(business / "story.md")

        def said() -> subprocess.CompletedProcess[str] | None:
            status = syndication("status", cwd=tmp_path)
            return status if "business/story.md" in status.stdout else None

        status = until(said, 5, "the moved file's error in the status")
        assert "content/business/story.md:" in status.stdout and "image.src" in status.stdout
        assert server.get(old).status == 200  # the last good version stays up
        (world / "quay.png").rename(business / "quay.png")  # the picture follows
        server.wait_for("/en/business/2024/03/01/the-quay", 200, timeout=5)
        assert server.get(old).status == 301
        assert syndication("status", cwd=tmp_path).returncode == 0
