"""The site's own stylesheet, scripts and logos, and the addresses pages give them.

A page names its stylesheet and scripts with the digest of their bytes (`?v=`), as it names
pictures: a browser may keep that address for good, and the first page after an upgrade that
changes them names a new one, so no reader is left with last release's styles.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

from syndication.config import Settings

FOLDER = Path(str(resources.files("syndication.publish") / "static"))


def find(name: str) -> Path | None:
    """The file `name` in the static folder, and nothing outside it or hidden."""
    if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        return None
    entry = FOLDER / name
    try:
        return entry if entry.is_file() else None
    except OSError:  # a name the OS refuses to look up (too long, say)
        return None


@cache  # the files ship with the package: they change only with a new release
def digest(name: str) -> str:
    found = find(name)
    if found is None:
        raise FileNotFoundError(name)  # a template naming a file that does not ship
    return hashlib.blake2b(found.read_bytes(), digest_size=6).hexdigest()


def static_url(name: str) -> str:
    return f"/static/{name}?v={digest(name)}"


def picture_url(where: str) -> str:
    """A setting that names a picture by a path of the site or by a URL: a file we ship
    gets its digest in the address, so browsers and readers may keep it for good."""
    name = where.removeprefix("/static/")
    if name != where and "?" not in name and find(name) is not None:
        return static_url(name)
    return where


def absolute_picture_url(settings: Settings, where: str) -> str:
    """The same, as the absolute URL feeds and structured data need."""
    return where if "://" in where else settings.absolute(picture_url(where))
