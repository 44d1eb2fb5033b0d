"""The runtime folder: where the processes of one machine share small state files (the
writer's health, the partners' rates, each process's figures for /metrics)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def runtime_dir() -> Path:
    """SYNDICATION_RUNTIME_DIR when the environment names one (a service manager's runtime
    folder, or a test run's), else RAM-backed /dev/shm, else the temporary folder."""
    if named := os.environ.get("SYNDICATION_RUNTIME_DIR"):
        return Path(named)
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


def runtime_file(db_path: Path, kind: str) -> Path:
    """A file the processes serving one archive share (`writer.json`, `rates`): one per
    archive, so two sites on one machine do not mix their states."""
    key = hashlib.blake2b(str(db_path.resolve()).encode(), digest_size=8).hexdigest()
    return runtime_dir() / f"syndication-{key}.{kind}"
