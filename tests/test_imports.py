"""The package's imports, read with ast (TYPE_CHECKING blocks included): each part of the
package imports only the parts the map below allows (nothing below web/ imports it; nothing
imports the command line), and no modules import each other in a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "syndication"
# Every part of the package and the parts it may import, besides itself and CORE: the data's
# way runs files -> ingest -> archive <- publish <- web, and what serves beside the web app
# (the edge's purger, the replica's follower) sits below it. docs/architecture.md says this.
CORE = {
    "config",
    "model",
    "errors",
    "months",
    "validity_periods",
    "clock",
    "histogram",
    "runtime",
    "character_references",
    "rights_policy",
}
ALLOWED: dict[str, set[str]] = {
    **{name: set() for name in CORE},
    "archive": set(),
    "ingest": {"archive"},
    "publish": {"archive"},
    "importing": {"ingest", "archive"},
    "edge": {"archive"},
    "mail": {"archive", "publish"},
    "replica": {"archive", "ingest"},
    "web": {"archive", "ingest", "publish", "edge", "mail", "replica"},
    "ports": set(),
    "serve": {"archive", "web", "ports"},
    "supervisor": {"web", "ports"},
    "cli_partners": {"archive"},
    "cli_editors": {"archive"},
    "cli_import": {"importing", "ingest"},
    "cli_newsletter": {"archive", "mail", "publish"},
    "rights_check": {"archive", "publish"},
    "cli": {
        "archive",
        "ingest",
        "publish",
        "web",
        "replica",
        "serve",
        "supervisor",
        "ports",
        "cli_partners",
        "cli_editors",
        "cli_import",
        "cli_newsletter",
        "rights_check",
    },
    "__main__": {"cli"},
    "__init__": set(),
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("syndication"))
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = (
                (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            )
            if module and module.startswith("syndication"):
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    yield full if full in known else module


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {m for m in imports(name, path, known) if m in known and m != name}
        for name, path in known.items()
    }


def part(module: str) -> str:
    """The part of the package a module belongs to: its folder, or itself at the top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_every_part_imports_only_what_the_map_allows() -> None:
    edges = graph()
    assert {part(m) for m in edges} == set(ALLOWED), "a part of the package not in the map"
    outward = [
        f"{module} -> {target}"
        for module, targets in edges.items()
        for target in targets
        if part(target) != part(module)
        and part(target) not in CORE
        and part(target) not in ALLOWED[part(module)]
    ]
    assert outward == []
    # the core imports only the core: every stage may use it
    inward = [
        f"{module} -> {target}"
        for module, targets in edges.items()
        if part(module) in CORE
        for target in targets
        if part(target) not in CORE
    ]
    assert inward == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(graph()) == []


def test_the_reader_sees_relative_and_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "feeds.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import response_cache\n"
        "if TYPE_CHECKING:\n"
        "    from ..archive.queries import Archive\n"
    )
    known = {
        name: module for name in ("syndication.web.response_cache", "syndication.archive.queries")
    }
    found = set(imports("syndication.web.feed_routes", module, known))
    assert found == {"syndication.web.response_cache", "syndication.archive.queries"}
    assert "syndication.archive.side_writes" in graph()["syndication.web.services"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
