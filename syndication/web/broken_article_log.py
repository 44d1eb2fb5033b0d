"""Rendering a page or feed so that a broken article is left out, not the whole document.

The pure part is publish/broken_articles.py; this part logs each article left out and records the
error against its file once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from syndication.archive.document_errors import record_left_out
from syndication.archive.side_writes import Writes
from syndication.clock import Clock
from syndication.errors import ArchiveError
from syndication.publish.broken_articles import render_reporting

log = logging.getLogger("syndication.web")
T = TypeVar("T")
MAX_REMEMBERED = 10_000  # reports remembered per process, so a broken article is written once


class BrokenArticleLog:
    def __init__(self, writes: Writes, clock: Clock) -> None:
        self.writes = writes
        self.clock = clock
        self._seen: set[tuple[str, str]] = set()  # (article, message) already recorded

    async def render(
        self,
        document: str,
        render: Callable[[tuple[T, ...]], bytes],
        items: Sequence[T],
        key: Callable[[T], str],
    ) -> bytes:
        """`render` the items; any that break it are left out and reported. `key` names an
        item's article (its id or address); `document` says where it was left out."""
        return await render_reporting(self.report, document, render, items, key)

    async def report(self, article: str, message: str) -> None:
        if (article, message) in self._seen:
            return
        if len(self._seen) >= MAX_REMEMBERED:
            self._seen.clear()
        self._seen.add((article, message))
        log.error("article %s %s", article, message)
        try:
            await self.writes.write(
                lambda conn: record_left_out(conn, article, message, self.clock.now())
            )
        except (ArchiveError, OSError) as exc:
            log.warning("could not record that %s was left out: %s", article, exc)
