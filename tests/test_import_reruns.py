"""Running an import again never undoes an editor's work: a file edited or deleted here
since the import wrote it is kept as it is and listed, whatever the source says now; every
other file follows the source; `--overwrite-edited` writes the source's version over all.
A stateful test edits, deletes and changes posts at the source between imports."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from syndication.cli import main
from tests.conftest import examples
from tests.live import REPO
from tests.test_import_wordpress_identity import export, item

POSTS = range(1, 5)
SITE = "https://old.example.org/"


def run_import(root: Path, revisions: dict[int, int], *extra: str) -> str:
    path = root / "export.xml"
    posts = [item(f"Story {n} revision {revisions[n]}", str(n)) for n in POSTS]
    path.write_text(export(SITE, *posts), encoding="utf-8")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = main(
            ["import", "wordpress", str(path), "--content", str(root / "content"),
             "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml"), *extra]
        )  # fmt: skip
    assert code == 0, said.getvalue()
    return said.getvalue()


def story_file(root: Path, n: int) -> Path:
    return root / "content" / "imported" / "old-example-org" / f"{n}.md"


class Reimports(RuleBasedStateMachine):
    @initialize()
    def first_import(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reimport-"))
        self.revisions = dict.fromkeys(POSTS, 0)
        run_import(self.root, self.revisions)
        self.imported = dict(self.revisions)  # the revision each file was last imported at
        self.editors: dict[int, str | None] = {}  # post -> what an editor left (None: deleted)

    def teardown(self) -> None:
        if hasattr(self, "root"):
            shutil.rmtree(self.root, ignore_errors=True)

    @rule(n=st.sampled_from(POSTS))
    def editor_edits(self, n: int) -> None:
        path = story_file(self.root, n)
        if path.exists():
            text = path.read_text().replace("The text of", "Corrected: the text of")
            text += "\nAn editor's line.\n"
            path.write_text(text)
            self.editors[n] = text

    @rule(n=st.sampled_from(POSTS))
    def editor_deletes(self, n: int) -> None:
        story_file(self.root, n).unlink(missing_ok=True)
        self.editors[n] = None

    @rule(n=st.sampled_from(POSTS))
    def source_changes(self, n: int) -> None:
        self.revisions[n] += 1

    @rule()
    def import_again(self) -> None:
        said = run_import(self.root, self.revisions)
        self.imported.update({n: r for n, r in self.revisions.items() if n not in self.editors})
        for n, left in self.editors.items():  # each kept file is listed, saying why
            how = "deleted" if left is None else "edited"
            assert f"{n}.md: {how} here since the last import" in said, said

    @rule()
    def import_overwriting_edits(self) -> None:
        run_import(self.root, self.revisions, "--overwrite-edited")
        self.editors.clear()
        self.imported = dict(self.revisions)

    @invariant()
    def editors_work_stands_and_the_rest_follows_the_source(self) -> None:
        if not hasattr(self, "root"):
            return
        for n in POSTS:
            path = story_file(self.root, n)
            if n in self.editors:
                left = self.editors[n]
                assert (path.read_text() if path.exists() else None) == left, (n, self.said)
            else:
                assert f"Story {n} revision {self.imported[n]}" in path.read_text()


Reimports.TestCase.settings = settings(
    max_examples=examples(40), stateful_step_count=12, deadline=None
)
test_reimports_keep_editors_work = pytest.mark.filterwarnings("ignore")(Reimports.TestCase)


def test_without_a_record_of_what_was_written_a_file_that_differs_is_kept(
    tmp_path: Path,
) -> None:
    """With .imported lost, nothing tells an edit from what an import wrote: a file that
    differs from the source is kept and listed (it may be an edit); --overwrite-edited
    writes the source's version and says which file it replaced."""
    revisions = dict.fromkeys(POSTS, 0)
    run_import(tmp_path, revisions)
    (story_file(tmp_path, 1).parent / ".imported").unlink()
    story_file(tmp_path, 2).write_text("An editor's version.\n")
    revisions[1] = 1
    said = run_import(tmp_path, revisions)
    assert "kept imported/old-example-org/1.md: it differs from the source" in said, said
    assert "kept imported/old-example-org/2.md: it differs" in said
    assert story_file(tmp_path, 2).read_text() == "An editor's version.\n"
    forced = run_import(tmp_path, revisions, "--overwrite-edited")
    assert "overwrote imported/old-example-org/2.md" in forced, forced
    assert "revision 1" in story_file(tmp_path, 1).read_text()


def test_a_story_refused_once_comes_in_when_its_source_is_fixed(tmp_path: Path) -> None:
    """A new file the import removed again (it would not publish) is not one "deleted here":
    the next import writes it."""
    root = tmp_path
    for number, slug in enumerate(("same", "same", "its-own")):
        site = "https://a.example.org/" if number == 0 else "https://b.example.org/"
        path = root / f"export-{number}.xml"
        post = item("Post five", "5").replace(
            "<wp:post_type>", f"<wp:post_name>{slug}</wp:post_name><wp:post_type>"
        )
        path.write_text(export(site, post), encoding="utf-8")
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            main(
                ["import", "wordpress", str(path), "--content", str(root / "content"),
                 "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml")]
            )  # fmt: skip
        if number == 1:
            assert "would not publish" in said.getvalue(), said.getvalue()
    assert said.getvalue().startswith("1 imported"), said.getvalue()
    assert (root / "content" / "imported" / "b-example-org" / "5.md").exists()
