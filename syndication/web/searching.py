"""What the site's search and the partner API's `q` share: whether the reader who asked is
still there (a search nobody waits for is stopped), and the answers a search refused by its
budget gets (archive/search_budget.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from aiohttp import web

from syndication.archive.search_budget import ReaderLeft, SearchBusy, TooBroad


def reader_left(request: web.Request) -> Callable[[], bool]:
    """Whether the reader who asked has gone (asked by the search's own thread)."""

    def left() -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    return left


@contextlib.contextmanager
def search_refusals() -> Iterator[None]:
    """A search past its budget is 422 "too broad"; one turned away by others, or whose
    reader left, 503 with Retry-After. Never kept by a cache."""
    try:
        yield
    except TooBroad:
        raise web.HTTPUnprocessableEntity(
            text="This search matches too much to be answered in time: add words, or narrow "
            "it to a section or to dates.",
            headers={"Cache-Control": "no-store"},
        ) from None
    except (SearchBusy, ReaderLeft):
        raise web.HTTPServiceUnavailable(
            text="Searches are busy right now; try again in a moment.",
            headers={"Cache-Control": "no-store", "Retry-After": "2"},
        ) from None
