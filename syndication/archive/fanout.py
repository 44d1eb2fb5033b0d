"""The change fan-out: each commit of the archive's writer is told once to whoever follows.

The writer publishes a `Committed` after every committed batch (its sequence number and the
articles it touched); the response cache's clock, the WebSub hub, the pinger and the
metrics subscribe. A reader process of `serve --workers N` has no writer: there the fan-out
is fed by reading the change sequence, and carries the sequence alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syndication.archive.batch import ApplyResult

log = logging.getLogger("syndication.changes")


@dataclass(frozen=True, slots=True)
class Committed:
    """What one commit of the writer changed, told to the fan-out's subscribers."""

    seq: int  # the archive's change sequence after the commit
    articles: tuple[str, ...] = ()  # ids of the articles with a logged change, sorted
    outcomes: Mapping[str, int] = field(default_factory=dict)  # what happened to files

    @classmethod
    def of(cls, result: ApplyResult) -> Committed:
        return cls(result.seq, tuple(sorted(set(result.changed_ids()))), result.outcomes())


Subscriber = Callable[[Committed], None]


class ChangeFanOut:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """For a follower that leaves (a desk's event stream when its editor goes)."""
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def publish(self, change: Committed) -> None:
        """Tell every subscriber; one that fails is logged and does not stop the others
        (a subscriber must not lose the cache its invalidation)."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(change)
            except Exception:
                log.exception("a subscriber of the change fan-out failed on change %d", change.seq)
