"""The fast path for front matter written the usual way: read without a YAML node tree.

Nearly every file's front matter is a few `field: value` lines: plain, quoted or bracketed
list values, lists of `- item` lines, and one level of indented fields under `image:`.
Reading those by line costs a third of composing and constructing YAML nodes. `read`
returns what the reference, frontmatter.load, would (the fields, and every field's line in
the order its walk finds them), or None for anything else, which the YAML parser then
reads (and judges) as before: comments, `&`, escapes, tabs, unprintable characters, text
over several lines, lists of groups (`corrections`), fields given twice. Generated front
matter checks that the two agree wherever this one answers (tests/test_frontmatter_fast.py).
"""

from __future__ import annotations

import re
from typing import Any

FIRST_LINE = 2  # the YAML starts on the line after the opening fence

# What this reader leaves to YAML wherever it appears: comments and anchors (`#`, `&`),
# escapes, flow mappings, tabs.
_DECLINED = ("#", "&", "\\", "{", "}", "\t")
_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*?))? *$")
_NESTED = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_]*):(?: +(.*?))? *$")
_ITEM = re.compile(r"( *)- +(\S.*?) *$")  # an item of a block list: `- value`
# A plain value may not start with an indicator, nor hold `: ` or end with `:` (a mapping).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_NULL = frozenset(("~", "null", "Null", "NULL", ""))
_RESOLVED_KEYS = _TRUE | _FALSE | _NULL  # YAML reads these keys as true, false or null


class _Declined(Exception):
    """Not in the subset read here."""


def read(text: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The fields and their lines, or None when YAML must read this front matter."""
    if any(mark in text for mark in _DECLINED) or not text.replace("\n", "").isprintable():
        return None
    try:
        return _fields(text.split("\n"))
    except _Declined:
        return None


def _fields(source: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """The walk in frontmatter records a group's fields first, then what is under each, its
    last field first: `under` keeps those, to be added in that order."""
    fields: dict[str, Any] = {}
    lines: dict[str, int] = {}
    under: list[dict[str, int]] = []
    at, count = 0, len(source)
    while at < count:
        line = source[at]
        at += 1
        if not line:
            continue
        matched = _FIELD.match(line)
        if matched is None:
            raise _Declined
        name, raw = matched.groups()
        _new_name(name, fields)
        lines[name] = at + FIRST_LINE - 1
        if raw:
            if at < count and source[at][:1] == " ":
                raise _Declined  # a value continued on the next line
            fields[name] = _value(raw, name, lines[name], under)
        elif at < count and (first := _ITEM.match(source[at])) is not None:
            fields[name], found, at = _block_list(source, at, name, first.group(1))
            under.append(found)
        else:
            fields[name], found, at = _group(source, at, name)
            under.append(found)
    for found in reversed(under):
        lines.update(found)
    return fields, lines


def _block_list(
    source: list[str], at: int, name: str, indent: str
) -> tuple[list[Any], dict[str, int], int]:
    """`- item` lines under a field, all at one indentation (none, or some): the items, their
    lines, and where the next field starts."""
    items: list[Any] = []
    found: dict[str, int] = {}
    while at < len(source) and (item := _ITEM.match(source[at])) is not None:
        if item.group(1) != indent:
            raise _Declined
        found[f"{name}.{len(items)}"] = at + FIRST_LINE
        items.append(_scalar(item.group(2)))
        at += 1
    if at < len(source) and source[at][:1] == " ":
        raise _Declined  # an item continued on the next line, or one out of step
    return items, found, at


def _group(
    source: list[str], at: int, name: str
) -> tuple[dict[str, Any] | None, dict[str, int], int]:
    """Indented `field: value` lines under a field (or none: the field is empty): the fields,
    their lines and those of what is under them, and where the next field starts."""
    group: dict[str, Any] = {}
    group_lines: dict[str, int] = {}
    group_under: list[dict[str, int]] = []
    indent = ""
    while at < len(source) and source[at][:1] == " ":
        child = _NESTED.match(source[at])
        if child is None or (indent and child.group(1) != indent):
            raise _Declined
        indent, key, value = child.groups()
        _new_name(key, group)
        path = f"{name}.{key}"
        group_lines[path] = at + FIRST_LINE
        group[key] = _value(value or "", path, at + FIRST_LINE, group_under)
        at += 1
    for found in reversed(group_under):
        group_lines.update(found)
    return group or None, group_lines, at


def _new_name(name: str, seen: dict[str, Any]) -> None:
    if name in _RESOLVED_KEYS or name in seen:
        raise _Declined  # a key YAML resolves, or a field given twice (YAML reports it)


def _value(raw: str, path: str, line: int, under: list[dict[str, int]]) -> Any:
    """A scalar, or a bracketed list whose items' lines are added to `under`."""
    if raw[:1] == "[":
        items = _flow_list(raw)
        under.append({f"{path}.{index}": line for index in range(len(items))})
        return items
    return _scalar(raw)


def _scalar(raw: str) -> Any:
    """A quoted value, or a plain one with no brackets (YAML may read those as a list)."""
    if raw[:1] in ("'", '"'):
        return _quoted(raw)
    if "[" in raw or "]" in raw:
        raise _Declined
    return _plain(raw)


def _quoted(raw: str) -> str:
    if raw[0] == "'":
        return _single_quoted(raw)
    end = raw.find('"', 1)
    if end < 0 or raw[end + 1 :].strip(" "):
        raise _Declined
    return raw[1:end]


def _single_quoted(raw: str) -> str:
    at, kept = 1, []
    while True:
        end = raw.find("'", at)
        if end < 0:
            raise _Declined
        kept.append(raw[at:end])
        if raw[end + 1 : end + 2] != "'":
            break
        kept.append("'")
        at = end + 2
    if raw[end + 1 :].strip(" "):
        raise _Declined
    return "".join(kept)


def _flow_list(raw: str) -> list[Any]:
    if not raw.endswith("]"):
        raise _Declined
    inner = raw[1:-1]
    if "[" in inner or "]" in inner or '"' in inner or "'" in inner or ":" in inner:
        raise _Declined
    if not inner.strip(" "):
        return []
    return [_plain(item.strip(" ")) for item in inner.split(",")]


def _plain(value: str) -> Any:
    """A plain value: text, or YAML 1.2's true, false and null."""
    if not value or value[0] in _INDICATORS or value[-1] == ":" or ": " in value:
        raise _Declined
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None if value in _NULL else value
