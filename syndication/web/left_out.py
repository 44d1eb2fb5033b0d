"""Rendering a page or feed so that a broken article is left out, not the whole document.

The pure part is publish/guard.py; this part logs each article left out and records the
error against its file once per process.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from aiohttp import web

from syndication.archive.output_errors import record_left_out
from syndication.publish.guard import leaving_out_broken
from syndication.web.keys import LEFT_OUT, WRITES

log = logging.getLogger("syndication.web")
T = TypeVar("T")
MAX_REMEMBERED = 10_000  # reports remembered per process, so a broken article is written once


async def render_leaving_out(
    app: web.Application,
    document: str,
    render: Callable[[tuple[T, ...]], bytes],
    items: Sequence[T],
    key: Callable[[T], str],
) -> bytes:
    """`render` the items; any that break it are left out and reported. `key` names an
    item's article (its id or address); `document` says where it was left out."""
    body, broken = leaving_out_broken(render, items)
    for item, reason in broken:
        await report(app, key(item), f"left out of {document}: {reason}")
    return body


async def report(app: web.Application, article: str, message: str) -> None:
    seen = app[LEFT_OUT]
    if (article, message) in seen:
        return
    if len(seen) >= MAX_REMEMBERED:
        seen.clear()
    seen.add((article, message))
    log.error("article %s %s", article, message)
    try:
        await app[WRITES].write(
            lambda conn: record_left_out(conn, article, message, datetime.now(UTC))
        )
    except (sqlite3.Error, OSError) as exc:
        log.warning("could not record that %s was left out: %s", article, exc)
