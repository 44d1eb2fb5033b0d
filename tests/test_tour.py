"""README's tour names every module of the package, each under its own folder, so a newcomer
reading it finds every file they will meet."""

from __future__ import annotations

import re

from tests.conftest import REPO

PACKAGE = REPO / "syndication"
_FOLDER = re.compile(r"^  (\w+)/")
_TOP = re.compile(r"^  (\w+\.py)")


def toured() -> set[str]:
    """Every module the tour names, as a path under syndication/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## A tour", 1)[1].split("```", 2)[1]
    inside = block.split("\nsyndication/\n", 1)[1].split("\ntests/", 1)[0]
    named: set[str] = set()
    folder = ""
    for line in inside.splitlines():
        if found := _FOLDER.match(line):
            folder = found[1] + "/"
        elif found := _TOP.match(line):
            folder = ""
        for name in re.findall(r"\b((?:\w+/)?\w+\.py)\b", line):
            named.add(name if "/" in name else folder + name)  # "archive/x.py" as written
    return named


def test_the_tour_names_every_module() -> None:
    modules = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py") and "migrations" not in path.parts
    }
    missing = sorted(modules - toured())
    assert missing == [], f"README's tour does not name {missing}"
