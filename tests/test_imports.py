"""The package's imports, read with ast (TYPE_CHECKING blocks included): no module imports
one of a later stage (archive, ingest and publish never import web; nothing imports the
command line), and no modules import each other in a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "syndication"
# Stage of each folder along the data's way; a module may import its own stage and earlier.
# The edge purger and the replica's follower serve beside the web app (web/services.py opens
# them), so they share its stage.
STAGES = {"archive": 1, "ingest": 1, "publish": 2, "web": 3, "edge": 3, "replica": 3}
COMMAND_LINE = {"syndication.cli", "syndication.cli_partners", "syndication.__main__"}
# What every stage uses, importing none of them.
CORE = {
    f"syndication.{name}" for name in ("config", "model", "errors", "months", "periods", "clock")
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


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.get(parts[1], 0) if len(parts) > 2 else 0


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


def test_no_module_imports_a_later_stage_or_the_command_line() -> None:
    outward = [
        f"{module} -> {target}"
        for module, targets in graph().items()
        for target in targets
        if (stage(target) > stage(module) and (stage(module) > 0 or module in CORE))
        or (target in COMMAND_LINE and module not in COMMAND_LINE)
    ]
    assert outward == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(graph()) == []


def test_the_reader_sees_relative_and_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "feeds.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import cache\n"
        "if TYPE_CHECKING:\n"
        "    from ..archive.queries import Archive\n"
    )
    known = {name: module for name in ("syndication.web.cache", "syndication.archive.queries")}
    found = set(imports("syndication.web.feeds", module, known))
    assert found == {"syndication.web.cache", "syndication.archive.queries"}
    assert "syndication.web.writes" in graph()["syndication.web.services"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
