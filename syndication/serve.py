"""Running the service: one process for everything, or the writer and reader processes that
`serve --workers N` starts (see supervisor.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace

from aiohttp import web
from aiohttp.web_runner import GracefulExit

from syndication.archive import served_address
from syndication.archive.lock import open_appender
from syndication.clock import Clock
from syndication.config import Settings
from syndication.ports import BIND_ERRORS, cannot_listen, kernel_picked
from syndication.web.access_log import JsonAccessLogger
from syndication.web.app import create_app
from syndication.web.fast_lane import LaneSite
from syndication.web.services import SERVICES, Role, opened


def serve(settings: Settings, clock: Clock, role: Role = "single") -> int:
    with contextlib.suppress(ImportError):
        import uvloop  # optional: a faster event loop where it is installed

        uvloop.install()
    if role == "writer":
        asyncio.run(_write(settings, clock))
        _end_if_a_writer_is_held()
        return 0
    access = logging.getLogger("aiohttp.access")
    access.setLevel(logging.INFO if settings.access_log else logging.WARNING)
    access.propagate = False  # its lines are JSON already, not for the text formatter
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    sock = None
    alone = role in ("single", "replica")  # one process answers on its own port
    if alone and settings.port == 0:
        # The kernel picks the port and the socket keeps it: links (base_url's default)
        # name the real port, and a test that asks for one cannot race another for it.
        sock = kernel_picked(settings.host)
        settings = replace(settings, port=int(sock.getsockname()[1]))
    if role == "single":
        print(f"Serving {settings.content_dir} on {settings.listen_url}/", flush=True)
    elif role == "replica":
        print(f"Serving a replica of {settings.replica_of} on {settings.listen_url}/", flush=True)
    try:
        with contextlib.suppress(GracefulExit, KeyboardInterrupt):  # SIGTERM, SIGINT: drained
            asyncio.run(_answer(settings, clock, role, access, sock))
    finally:
        if role == "single":
            _note_address(settings, clock, served_address.forget)
    _end_if_a_writer_is_held()
    return 0


def _note_address(
    settings: Settings, clock: Clock, note: Callable[[sqlite3.Connection, Settings], None]
) -> None:
    """The address served, noted or forgotten for commands that print links
    (archive/served_address.py)."""
    try:
        conn = open_appender(settings.db_path, clock)
        try:
            note(conn, settings)
        finally:
            conn.close()
    except sqlite3.Error as exc:  # links printed elsewhere may name the default port: no more
        logging.getLogger("syndication").warning("could not note the address served: %s", exc)


def _end_if_a_writer_is_held() -> None:
    """The services have stopped; a writer thread still alive is one the system holds (a
    read it never answers: IngestService.stop gave up on it). Python would wait for it at
    exit, forever, with the archive's lock held; end the process now, which releases it."""
    held = [t.name for t in threading.enumerate() if t.name.startswith("archive-writer")]
    if held:
        logging.getLogger("syndication").error("ending with %s still held", ", ".join(held))
        logging.shutdown()
        os._exit(1)


async def _answer(
    settings: Settings,
    clock: Clock,
    role: Role,
    access: logging.Logger,
    sock: socket.socket | None = None,
) -> None:
    """What web.run_app does, with the fast lane in front of each connection."""
    app = create_app(settings, clock, role=role)
    runner = web.AppRunner(
        app,
        handle_signals=True,
        access_log=access,
        access_log_class=JsonAccessLogger,
        keepalive_timeout=settings.keepalive_seconds,
    )
    await runner.setup()
    try:
        site = LaneSite(
            runner,
            app[SERVICES].lane,
            settings.host,
            settings.port,
            reuse_port=role == "reader",  # readers share the port; the kernel spreads them
            limits=app[SERVICES].connections,
            sock=sock,
        )
        try:
            await site.start()
        except BIND_ERRORS as exc:
            raise cannot_listen(settings.host, settings.port, exc) from None
        if role == "single":
            await asyncio.to_thread(_note_address, settings, clock, served_address.record)
        await asyncio.Event().wait()  # until a signal raises GracefulExit
    finally:
        await runner.cleanup()  # stops listening, lets in-flight requests finish


async def _write(settings: Settings, clock: Clock) -> None:
    """The writer process: ingest, schedule and WebSub delivery, until SIGTERM. It runs the
    services and their change fan-out; it builds no HTTP app."""
    async with opened(settings, "writer", clock):  # the first scan is done when this is entered
        await asyncio.to_thread(_note_address, settings, clock, served_address.record)
        print("ready", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await asyncio.to_thread(_note_address, settings, clock, served_address.forget)
