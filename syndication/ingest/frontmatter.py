"""Split a file into YAML front matter and Markdown body, keeping line numbers for errors."""

from __future__ import annotations

import re
from typing import Any

import yaml

from syndication.errors import ContentError

try:  # the C loader is several times faster; fall back quietly where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

FENCE = "---"


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
_ANY_KEY = re.compile(r"^([ \t]*)(- +)?([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)


def _has_repeated_key(text: str) -> bool:
    """A cheap look for a key given twice in one block mapping (YAML itself keeps the last)."""
    blocks: list[tuple[int, set[str]]] = []  # (indent, keys seen) from the outside in
    for match in _ANY_KEY.finditer(text):
        indent = len(match.group(1)) + len(match.group(2) or "")
        while blocks and (blocks[-1][0] > indent or (match.group(2) and blocks[-1][0] == indent)):
            blocks.pop()
        if not blocks or blocks[-1][0] < indent:
            blocks.append((indent, set()))
        seen = blocks[-1][1]
        if match.group(3) in seen:
            return True
        seen.add(match.group(3))
    return False


class FrontMatter:
    """Parsed fields and where they are. Exact lines of nested fields are worked out only
    when an error needs them: the fast path (YAML's C parser) keeps ingest cheap."""

    def __init__(
        self, fields: dict[str, Any], yaml_text: str, body: str, body_line: int, file: str
    ):
        self.fields = fields
        self.body = body
        self.body_line = body_line
        self._yaml_text = yaml_text
        self._file = file
        self._lines: dict[str, int] | None = None
        if _has_repeated_key(yaml_text):
            self._walk()  # raises the duplicate-field error with its line
        self.top_lines = {  # "title" -> 2: enough for errors the archive finds later
            m.group(1): yaml_text.count("\n", 0, m.start()) + FIRST_LINE
            for m in _TOP_KEY.finditer(yaml_text)
        }

    def line(self, name: str) -> int | None:
        """The line of a field: "title", "image.src", "corrections.0.date"."""
        if name in self.top_lines:
            return self.top_lines[name]
        lines = self._walk()
        return lines.get(name) or lines.get(name.split(".")[0])

    def _walk(self) -> dict[str, int]:
        if self._lines is None:
            self._lines = _node_lines(self._yaml_text, self._file)
        return self._lines


FIRST_LINE = 2  # the YAML starts on the line after the opening fence


def split(text: str, file: str) -> FrontMatter:
    """Find the `---` fenced YAML block at the top and parse it."""
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
    try:
        fields = yaml.load(yaml_text, Loader=_Loader) if yaml_text.strip() else {}
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, yaml_text, file) from None
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise ContentError(file, "the front matter must be a list of `field: value` lines", line=2)
    return FrontMatter(fields, yaml_text, "\n".join(lines[end + 1 :]), end + 2, file)


def _yaml_error(exc: yaml.YAMLError, text: str, file: str) -> ContentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        last_line = FIRST_LINE + text.count("\n")  # errors found at the end point inside
        line = min(mark.line + FIRST_LINE, last_line) if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        return ContentError(file, f"the front matter is not valid YAML ({problem})", line=line)
    return ContentError(file, f"the front matter is not valid YAML ({exc})")


def _node_lines(text: str, file: str) -> dict[str, int]:
    """Line of every mapping key and list item, from YAML's node tree; refuses duplicates."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:  # already parsed once, so this is not expected
        raise _yaml_error(exc, text, file) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", FIRST_LINE, lines, file)
    return lines


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
