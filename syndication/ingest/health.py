"""Whether the archive's writer can write, told to every process that asks.

When the archive's disk is full the archive itself cannot say so, so the writer keeps its
state in a small file in a runtime folder (RAM-backed /dev/shm where there is one): reader
processes answer /readyz from it and `syndication status` prints it.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from syndication.runtime import runtime_file


@dataclass(frozen=True, slots=True)
class WriteHealth:
    """`failing_since` is None while writes land; else since when and why they do not."""

    pid: int
    failing_since: str | None = None  # ISO 8601 UTC
    reason: str = ""
    waiting: int = 0  # changed files (or a whole scan, counted as 1) not yet in the archive
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.failing_since is None

    def describe(self) -> str:
        if self.ok:
            return "writes: ok"
        return (
            f"writes: FAILING since {self.failing_since} ({self.reason}); {self.waiting} "
            f"change(s) waiting, {self.attempts} attempt(s), retrying"
        )

    def as_json(self) -> dict[str, object]:
        return asdict(self) | {"ok": self.ok}


def health_file(db_path: Path) -> Path:
    return runtime_file(db_path, "writer.json")


def publish(db_path: Path, health: WriteHealth) -> None:
    """Best effort: a full runtime folder must not stop the writer from retrying."""
    path = health_file(db_path)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        partial.write_text(json.dumps(asdict(health)), encoding="utf-8")
        partial.replace(path)


def clear(db_path: Path) -> None:
    """The writer stops: nobody writes this archive now."""
    with contextlib.suppress(OSError):
        health_file(db_path).unlink()


def read(db_path: Path) -> WriteHealth | None:
    """The writer's last word, or None when no writer of this archive is running."""
    try:
        data = json.loads(health_file(db_path).read_text(encoding="utf-8"))
        health = WriteHealth(**data)
    except (OSError, ValueError, TypeError):
        return None
    try:
        os.kill(health.pid, 0)
    except ProcessLookupError:
        return None  # left behind by a writer that is gone
    except PermissionError:
        pass  # alive, under another user
    return health
