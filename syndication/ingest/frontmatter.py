"""Split a file into YAML front matter and Markdown body, keeping line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from syndication.errors import ContentError

try:  # the C loader is several times faster; fall back quietly where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

FENCE = "---"


@dataclass(frozen=True, slots=True)
class FrontMatter:
    fields: dict[str, Any]
    lines: dict[str, int]  # "title" -> 2, "image.src" -> 9, "corrections.0" -> 14
    body: str
    body_line: int  # line of the file where the body starts


def split(text: str, file: str) -> FrontMatter:
    """Find the `---` fenced YAML block at the top and parse it with line numbers."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise ContentError(
            file, "the file must start with a line `---` opening the front matter", line=1
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if end is None:
        raise ContentError(
            file, "the front matter opened on line 1 is never closed with a `---` line", line=1
        )
    yaml_text = "\n".join(lines[1:end])
    fields, key_lines = _parse_yaml(yaml_text, file, first_line=2)
    return FrontMatter(fields, key_lines, "\n".join(lines[end + 1 :]), end + 2)


def _parse_yaml(text: str, file: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(
                file,
                "the front matter must be a list of `field: value` lines",
                line=node.start_mark.line + first_line,
            )
        lines: dict[str, int] = {}
        _record_lines(node, "", first_line, lines, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        last_line = first_line + max(0, text.count("\n"))  # errors found at the end point inside
        line = min(mark.line + first_line, last_line) if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        raise ContentError(
            file, f"the front matter is not valid YAML ({problem})", line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(file, f"the front matter is not valid YAML ({exc})") from None
    finally:
        loader.dispose()
    return data, lines


def _record_lines(
    node: yaml.Node, prefix: str, first_line: int, out: dict[str, int], file: str
) -> None:
    """Remember the line of every mapping key and list item; refuse duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + first_line
            if key in seen:
                raise ContentError(
                    file,
                    "this field is given twice; keep one",
                    line=line,
                    field=prefix + key,
                )
            seen.add(key)
            out[prefix + key] = line
            _record_lines(value_node, f"{prefix}{key}.", first_line, out, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[f"{prefix}{index}"] = item.start_mark.line + first_line
            _record_lines(item, f"{prefix}{index}.", first_line, out, file)
