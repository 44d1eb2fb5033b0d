"""Checking items against the IPTC ninjs 3.1 JSON schema (a copy, with its licence, in
tests/fixtures/ninjs/), formats included (URIs, RFC 3339 times)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "ninjs" / "ninjs-schema_3.1.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_ninjs(item: dict[str, Any]) -> None:
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(item)
    ]
    assert problems == [], problems
