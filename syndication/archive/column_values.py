"""Converting model values to and from the archive's column formats."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from syndication.model import Correction, Image
from syndication.rights_policy import Permissions, permissions_from_json


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)  # reads the trailing Z as UTC; 10x strptime's speed


_IMAGE_FIELDS = tuple(f.name for f in fields(Image))


def image_to_json(image: Image | None) -> str | None:
    if image is None:
        return None
    return json.dumps(_image_values(image), separators=(",", ":"))


def image_digest_json(image: Image | None) -> str | None:
    """The picture as a story's digest takes it: without whose copy it is, which follows
    from its credit and rights (and from syndication.toml's sources, whose change empties
    the edge anyway), so that archives from before it was kept keep their digests."""
    if image is None:
        return None
    values = _image_values(image)
    values.pop("licensed_from", None)
    return json.dumps(values, separators=(",", ":"))


def _image_values(image: Image) -> dict[str, Any]:
    # its fields are plain values but one: asdict()'s deep copy would only cost time. What
    # the file does not say is left out, as in the JSON of archives from before it was.
    values = {name: getattr(image, name) for name in _IMAGE_FIELDS}
    if image.permissions:
        values["permissions"] = image.permissions.as_json()
    else:
        del values["permissions"]
    if not image.licensed_from:
        del values["licensed_from"]
    return values


def image_from_json(text: str | None) -> Image | None:
    if not text:
        return None
    values = json.loads(text)
    values["permissions"] = permissions_from_json(values.get("permissions"))
    return Image(**values)


def permissions_to_json(said: Permissions) -> str | None:
    return json.dumps(said.as_json(), separators=(",", ":")) if said else None


def permissions_from_column(text: str | None) -> Permissions:
    return permissions_from_json(json.loads(text) if text else None)


def corrections_to_json(corrections: tuple[Correction, ...]) -> str:
    return json.dumps(
        [{"date": to_iso(c.date), "text": c.text} for c in corrections], separators=(",", ":")
    )


def corrections_from_json(text: str) -> tuple[Correction, ...]:
    items: list[dict[str, Any]] = json.loads(text)
    return tuple(Correction(from_iso(i["date"]), i["text"]) for i in items)
