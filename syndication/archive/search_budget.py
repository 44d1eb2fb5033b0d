"""What one search may cost: searches run on their own connection, so a slow one never holds
back pages, feeds, the API or health checks (each connection has its own thread); one at a
time there, each within a time budget that SQLite's progress handler enforces inside the
query; and a search whose reader has left is stopped at once. A body repeating one word
20,000 times once made a search take 2.8 s and /healthz wait 10 s behind it."""

from __future__ import annotations

import asyncio
import contextlib
import math
import sqlite3
import time
from collections.abc import AsyncIterator, Callable

from syndication.errors import SyndicationError

SEARCH_SECONDS = 0.5  # each search's budget, unless settings say otherwise (search_budget_ms)
PROGRESS_STEPS = 1000  # SQLite VM steps between two looks at the budget (about 50 us)
WAIT_FOR_TURN = 4  # budgets a search waits for its turn before it is turned away
LEAST_WAIT = 0.5  # seconds, however small the budget


class TooBroad(SyndicationError):
    """The search ran out of its time budget: it matches too much to be answered."""


class SearchBusy(SyndicationError):
    """Other searches held the search connection past the wait: try again."""


class ReaderLeft(SyndicationError):
    """The reader who asked left before the search was done; it was stopped."""


def nobody_left() -> bool:
    return False


class SearchBudget:
    """The search connection's turns and the clock its progress handler reads."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = math.inf  # monotonic; read on the connection's thread
        self.gone: Callable[[], bool] = nobody_left
        self.interrupt_now: Callable[[], None] = lambda: None  # the connection's interrupt
        self.stopped = 0  # searches cut short by the budget
        self._turn = asyncio.Lock()

    def progress(self) -> int:
        """SQLite's progress handler: non-zero stops the statement ("interrupted")."""
        return int(time.monotonic() > self.deadline or self.gone())

    @contextlib.asynccontextmanager
    async def turn(self, gone: Callable[[], bool] = nobody_left) -> AsyncIterator[None]:
        """One search's queries, within the budget from now; raises TooBroad, SearchBusy or
        ReaderLeft instead of an interrupted statement."""
        try:
            wait = max(self.seconds * WAIT_FOR_TURN, LEAST_WAIT)
            await asyncio.wait_for(self._turn.acquire(), wait)
        except TimeoutError:
            raise SearchBusy("searches are busy; try again in a moment") from None
        self.deadline, self.gone = time.monotonic() + self.seconds, gone
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):
                raise
            if gone():
                raise ReaderLeft("the reader left") from None
            self.stopped += 1
            raise TooBroad("the search matches too much to answer in time") from None
        except BaseException:
            # Cancelled (the request ended) while a statement may still run on the
            # connection's thread: stop it, so the next search does not wait behind it.
            with contextlib.suppress(sqlite3.Error):
                self.interrupt_now()
            raise
        finally:
            self.deadline, self.gone = math.inf, nobody_left
            self._turn.release()
