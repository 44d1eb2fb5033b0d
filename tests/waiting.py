"""Waiting for something to happen, never for time to pass.

A test that must see another process or task act (a server start, a purge reach the edge, a
subscriber receive its update) asks `until(condition, timeout)`: the condition is checked at
once, then at growing intervals, and the test goes on the moment it holds. When the timeout
passes first, the test fails saying what it waited for and what the condition last gave.
Tests that wait for a scheduled time do not wait at all: they move their clock
(syndication.clock.SetClock) and tell the writer to look again.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Stop(AssertionError):
    """Raised by a condition that can never hold now (the server it waits for died): the
    wait ends at once with this error, where any other exception means "not yet"."""


FIRST_PAUSE, LONGEST_PAUSE = 0.01, 0.25  # seconds between checks: soon at first, then less often


def until(
    condition: Callable[[], T], timeout: float = 10.0, what: str = "", every: float = 0.0
) -> T:
    """The condition's first true value, checked until `timeout` seconds have passed.
    Exceptions the condition raises count as not yet (a server still starting refuses).
    `every`: check at that fixed interval instead (to catch a process half-way through)."""
    deadline = time.monotonic() + timeout
    pause, last = every or FIRST_PAUSE, None
    while True:
        try:
            if value := condition():
                return value
            last = value
        except Stop:
            raise
        except Exception as exc:  # "not yet"; reported if it never holds
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(_gave_up(what or condition, timeout, last))
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = every or min(pause * 2, LONGEST_PAUSE)


async def until_async(
    condition: Callable[[], T | Awaitable[T]],
    timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the checks, not for one await
    what: str = "",
) -> T:
    """`until` for a test on an event loop: the loop runs between checks, and the condition
    may be a coroutine function."""
    deadline = time.monotonic() + timeout
    pause, last = FIRST_PAUSE, None
    while True:
        try:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value  # type: ignore[return-value]
            last = value
        except Stop:
            raise
        except Exception as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(_gave_up(what or condition, timeout, last))
        await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, LONGEST_PAUSE)


def _gave_up(what: object, timeout: float, last: object) -> str:
    name = what if isinstance(what, str) else getattr(what, "__name__", repr(what))
    return f"not within {timeout:g} s: {name} (last: {last!r})"
