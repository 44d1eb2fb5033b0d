"""Split a file into YAML front matter and Markdown body, keeping line numbers for errors.

This is the reference reader of front matter. The usual few `field: value` lines are read
by the fast path (frontmatter_fast.py), which answers only where it reads what this does.

Any bytes give fields or a ContentError with a line, in time and memory linear in the file:

- plain values are text as typed, except `true`/`false` and empty (`title: 1984`,
  `slug: 2024`, `topics: [NO]` and `published: 2022-02-30` stay text for the field rules to
  judge, so no value reaches them that Python cannot hold);
- explicit tags (`!!int`, `!!timestamp`, `!!binary`, `!!python/...`) are refused;
- anchors and aliases are refused before anything is built from them, so nested aliases
  cannot expand into gigabytes;
- the node tree is walked once, each node once, for every field's line, duplicate fields and
  characters that no feed or page can carry.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import BaseResolver

from syndication.character_references import CHARACTER_REFERENCE
from syndication.errors import ContentError, ContentWarning
from syndication.ingest import frontmatter_fast
from syndication.ingest.characters import describe, first_forbidden
from syndication.ingest.frontmatter_fast import FIRST_LINE

FENCE = "---"
MAX_FRONT_MATTER = 64 * 1024  # characters; a long article's front matter is under 4,000
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


class _Resolver(BaseResolver):
    """YAML 1.2's JSON schema for booleans and null; every other plain value is text."""

    yaml_implicit_resolvers = {}  # noqa: RUF012 - PyYAML's per-class registry


_Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _Constructor(SafeConstructor):
    """Builds text, true/false, null, lists and field groups; refuses every other tag."""

    def construct_bool(self, node: yaml.ScalarNode) -> bool:
        value = str(self.construct_scalar(node))
        if value.lower() not in ("true", "false"):
            raise ConstructorError(None, None, f"{value!r} is not true or false", node.start_mark)
        return value.lower() == "true"

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """No merge keys (`<<`): they exist to repeat values, which aliases would carry."""

    def refuse_tag(self, node: yaml.Node) -> None:
        raise ConstructorError(
            None,
            None,
            f"the tag {node.tag!r} is not allowed; write the value without it",
            node.start_mark,
        )

    yaml_constructors = {  # noqa: RUF012 - PyYAML's per-class registry, read by the base class
        _NULL: SafeConstructor.construct_yaml_null,
        _BOOL: construct_bool,
        _STR: SafeConstructor.construct_yaml_str,
        "tag:yaml.org,2002:seq": SafeConstructor.construct_yaml_seq,
        "tag:yaml.org,2002:map": SafeConstructor.construct_yaml_map,
        None: refuse_tag,
    }


try:  # the C parser is several times faster; fall back quietly where libyaml is missing
    from yaml._yaml import CParser as _Parser

    _C_PARSER = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _C_PARSER = False

    class _Parser(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _Loader(_Parser, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


@dataclass(slots=True)
class FrontMatter:
    """Parsed fields, the line of each (`title`, `image.src`, `corrections.0.date`) and what
    `check` should warn about."""

    fields: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    warnings: list[ContentWarning] = field(default_factory=list)

    def line(self, name: str) -> int | None:
        return self.lines.get(name) or self.lines.get(name.split(".")[0])

    @property
    def top_lines(self) -> dict[str, int]:
        """Lines of the top-level fields: enough for errors the archive finds later."""
        return {k: v for k, v in self.lines.items() if "." not in k}


def split(text: str, file: str) -> FrontMatter:
    """Find the `---` fenced YAML block at the top and parse it."""
    if not text.startswith(FENCE) or text.split("\n", 1)[0].rstrip() != FENCE:
        raise ContentError(
            file, "the file must start with a line `---` opening the front matter", line=1
        )
    end = _closing_fence(text)
    if end is None:
        raise ContentError(
            file, "the front matter opened on line 1 is never closed with a `---` line", line=1
        )
    start = text.index("\n") + 1
    yaml_text = text[start:end].removesuffix("\n")
    if len(yaml_text) > MAX_FRONT_MATTER:
        raise ContentError(
            file,
            f"the front matter is {len(yaml_text) // 1024} KB; the limit is "
            f"{MAX_FRONT_MATTER // 1024} KB (put long text in the body)",
            line=1,
        )
    if not yaml_text.isascii() and (other := _OTHER_LINE_BREAK.search(yaml_text)):
        raise ContentError(
            file,
            f"this line holds the character {describe(other[0])}, which YAML reads as the "
            "end of a line (what follows would be read as a field of its own); delete it",
            line=yaml_text.count("\n", 0, other.start()) + FIRST_LINE,
        )
    body_start = text.find("\n", end)
    body = text[body_start + 1 :] if body_start >= 0 else ""
    body_line = text.count("\n", 0, end) + 2
    if not yaml_text.strip():
        return FrontMatter({}, {}, body, body_line)
    fields, lines, warnings = load(yaml_text, file)
    return FrontMatter(fields, lines, body, body_line, warnings)


# Line breaks to YAML besides \n and \r: NEL, and Unicode's line and paragraph separators.
_OTHER_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
_FENCE_LINE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def _closing_fence(text: str) -> int | None:
    """Offset of the line closing the front matter (`---` or `...`), found in one pass."""
    found = _FENCE_LINE.search(text, text.index("\n") + 1 if "\n" in text else len(text))
    return found.start() if found else None


def load(yaml_text: str, file: str) -> tuple[dict[str, Any], dict[str, int], list[ContentWarning]]:
    """The fields, every field's line, and warnings; or a ContentError with the line."""
    if (plain := frontmatter_fast.read(yaml_text)) is not None:
        return plain[0], plain[1], []  # nothing in what it reads is warned about
    return load_yaml(yaml_text, file)


def load_yaml(
    yaml_text: str, file: str
) -> tuple[dict[str, Any], dict[str, int], list[ContentWarning]]:
    """`load` by the YAML parser, whatever the front matter holds."""
    try:
        loader = _Loader(yaml_text)
    except yaml.YAMLError as exc:  # the pure-Python reader checks characters at once
        raise _yaml_error(exc, yaml_text, file) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, []
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(
                file, "the front matter must be a list of `field: value` lines", line=FIRST_LINE
            )
        lines, warnings = _walk(node, yaml_text, file)
        fields = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, yaml_text, file) from None
    finally:
        loader.dispose()
    return fields, lines, warnings


def _walk(root: yaml.Node, text: str, file: str) -> tuple[dict[str, int], list[ContentWarning]]:
    """Every key's and list item's line; refuses aliases, duplicate fields and characters no
    document can carry. Each node is visited once: an alias is the same node met again."""
    lines: dict[str, int] = {}
    warnings: list[ContentWarning] = []
    source_lines: list[str] | None = None
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, name = stack.pop()
        if id(node) in seen:
            raise ContentError(
                file,
                "anchors and aliases (`&name`, `*name`) are not allowed; write the value out",
                line=_alias_line(text) or FIRST_LINE,
                field=name.split(".")[0],
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + FIRST_LINE
                if not isinstance(key_node, yaml.ScalarNode):
                    raise ContentError(
                        file, "a field name must be a word, not a list or group", line=line
                    )
                key = _checked(key_node, name, file)
                path = f"{name}.{key}" if name else key
                if key in keys:
                    raise ContentError(
                        file, "this field is given twice; keep one", line=line, field=path
                    )
                keys.add(key)
                lines[path] = line
                stack.append((value_node, path))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[f"{name}.{index}"] = item.start_mark.line + FIRST_LINE
                stack.append((item, f"{name}.{index}"))
        elif isinstance(node, yaml.ScalarNode):
            _checked(node, name, file)
            prose = name.rsplit(".", 1)[-1] in _PROSE
            if prose and (entity := CHARACTER_REFERENCE.search(str(node.value))):
                warnings.append(_entity_warning(file, entity.group(), node, name))
            if not node.style and prose:
                # a plain value: YAML ends it silently at ` #`
                if source_lines is None:
                    source_lines = text.split("\n")
                if cut := _comment_after(node, source_lines):
                    warnings.append(
                        ContentWarning(file, cut, line=node.end_mark.line + FIRST_LINE, field=name)
                    )
        # Children were pushed in order; fields are then met last first, which is fine:
        # lines are a map, and a duplicate is found whichever comes first.
    return lines, warnings


def _checked(node: yaml.ScalarNode, name: str, file: str) -> str:
    value = str(node.value)
    index = first_forbidden(value)
    if index is not None:
        line = node.start_mark.line + FIRST_LINE
        raise ContentError(
            file,
            f"this value holds the character {describe(value[index])}, which no page or feed "
            "can carry; delete it (it is often pasted in invisibly)",
            line=line,
            field=name,
        )
    return value


_COMMENT = re.compile(r"[ \t]+#")
_PROSE = {"title", "standfirst", "caption", "alt", "credit", "rights", "source", "text"}


def _entity_warning(file: str, entity: str, node: yaml.ScalarNode, name: str) -> ContentWarning:
    meant = html.unescape(entity)
    hint = f"; write `{meant}` itself if that is what you mean" if meant != entity else ""
    return ContentWarning(
        file,
        f"`{entity}` is published as typed, {len(entity)} characters, not as HTML{hint}",
        line=node.start_mark.line + FIRST_LINE,
        field=name,
    )


def _comment_after(node: yaml.ScalarNode, source_lines: list[str]) -> str:
    end = node.end_mark
    if end.line >= len(source_lines):
        return ""
    rest = source_lines[end.line][end.column :]
    if not _COMMENT.match(rest):
        return ""
    cut = rest.strip()
    return (
        f"only {node.value!r} was read: YAML takes ` #` as the start of a comment, so "
        f"{cut!r} was left out; put the whole value in quotes"
    )


def _alias_line(text: str) -> int | None:
    """Where the first alias is: the composed tree only knows where its anchor was."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError:
        return None
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return int(event.start_mark.line) + FIRST_LINE
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?[\w-]+):\s+(\S.*?)\s*$")
_NEEDS_QUOTES = re.compile(r"""^[\[\]{}"'*&!|>%@`]|: | #""")


def _yaml_error(exc: yaml.YAMLError, text: str, file: str) -> ContentError:
    last_line = FIRST_LINE + text.count("\n")  # errors found at the end point inside
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts bytes of UTF-8, the pure-Python reader characters
        if _C_PARSER:
            line = text.encode()[: exc.position].count(b"\n") + FIRST_LINE
        else:
            line = text.count("\n", 0, exc.position) + FIRST_LINE
        if isinstance(exc.character, int):
            return ContentError(
                file,
                f"the front matter holds the character {describe(chr(exc.character))}, which "
                "no page or feed can carry; delete it",
                line=line,
            )
        return ContentError(file, f"the front matter is not valid YAML ({exc.reason})", line=line)
    if not isinstance(exc, yaml.MarkedYAMLError):
        return ContentError(file, f"the front matter is not valid YAML ({exc})", line=FIRST_LINE)
    mark = exc.problem_mark or exc.context_mark
    where = min(mark.line + FIRST_LINE, last_line) if mark else None
    problem = exc.problem or exc.context or "not valid YAML"
    if isinstance(exc, ConstructorError):
        return ContentError(file, f"the front matter cannot be read: {problem}", line=where)
    message = f"the front matter is not valid YAML ({problem})"
    if where is not None:
        message += _quoting_hint(text.split("\n")[where - FIRST_LINE])
    return ContentError(file, message, line=where)


def _quoting_hint(source_line: str) -> str:
    """`title: Budget 2027: what the cuts mean` -> put it in quotes, shown on that line."""
    found = _KEY_VALUE.match(source_line)
    if found is None or not _NEEDS_QUOTES.search(found.group(2)):
        return ""
    value = found.group(2).replace("\\", "\\\\").replace('"', '\\"')
    return f'; put the value in quotes: {found.group(1).strip()}: "{value}"'
