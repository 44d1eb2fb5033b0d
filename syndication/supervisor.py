"""`syndication serve --workers N`: one writer process and N HTTP reader processes.

The writer ingests content/, runs the schedule and sends WebSub updates; it answers no HTTP.
The readers share one port (SO_REUSEPORT: the kernel spreads connections over them) and read
the same SQLite file in WAL mode, learning of changes within a quarter of a second. This
process only starts them, restarts one that dies, and on SIGTERM stops the readers (each
finishes the requests it has in flight) and then the writer.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

from syndication.config import Settings
from syndication.errors import SyndicationError
from syndication.ports import kernel_picked
from syndication.web.metrics import forget_shared

log = logging.getLogger("syndication.supervisor")
RESTARTS = 5  # more restarts than this within WINDOW seconds: something is wrong, give up
WINDOW = 30.0
DRAIN_SECONDS = 30.0


@dataclass
class Child:
    role: str
    process: subprocess.Popen[str]
    started: list[float] = field(default_factory=list)


class Supervisor:
    def __init__(self, settings: Settings, config: Path | None, workers: int) -> None:
        self.reserved: socket.socket | None = None
        if settings.port == 0:  # the kernel picks a port, held for the readers to share
            self.reserved = kernel_picked(settings.host, shared=True)
            settings = replace(settings, port=int(self.reserved.getsockname()[1]))
        self.settings = settings
        self.workers = workers
        self.command = [sys.executable, "-m", "syndication", "serve"]
        if config is not None:
            self.command += ["--config", str(config)]
        self.env = {
            **os.environ,
            "SYNDICATION_CONTENT_DIR": str(settings.content_dir),
            "SYNDICATION_DB_PATH": str(settings.db_path),
            "SYNDICATION_HOST": settings.host,
            "SYNDICATION_PORT": str(settings.port),
        }
        self.stopping = False

    def _spawn(self, role: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.command, "--role", role],
            env=self.env,
            stdout=subprocess.PIPE if role == "writer" else subprocess.DEVNULL,
            text=True,
        )

    def _start_writer(self) -> Child:
        child = Child("writer", self._spawn("writer"), [time.monotonic()])
        assert child.process.stdout is not None
        line = child.process.stdout.readline()  # the first scan can take minutes on a cold archive
        if line.strip() != "ready":
            child.process.wait()
            raise SyndicationError("the writer process stopped before it was ready")
        return child

    def run(self) -> int:
        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        forget_shared(self.settings.db_path)  # the service's counts start with it
        writer = self._start_writer()
        readers = [
            Child("reader", self._spawn("reader"), [time.monotonic()]) for _ in range(self.workers)
        ]
        s = self.settings
        print(
            f"Serving {s.content_dir} on http://{s.host}:{s.port}/ "
            f"with {self.workers} reader processes and one writer",
            flush=True,
        )
        status = 0
        while not self.stopping:
            time.sleep(0.2)
            for child in [writer, *readers]:
                if child.process.poll() is None or self.stopping:
                    continue
                now = time.monotonic()
                child.started = [t for t in child.started if now - t < WINDOW] + [now]
                if len(child.started) > RESTARTS:
                    log.error("the %s keeps dying (%d times); stopping", child.role, RESTARTS)
                    self.stopping, status = True, 1
                    break
                log.warning(
                    "a %s process exited with %s; starting another",
                    child.role,
                    child.process.returncode,
                )
                if child is writer:
                    writer.process = self._start_writer().process
                else:
                    child.process = self._spawn("reader")
        _stop([r.process for r in readers])  # readers first: they finish in-flight requests
        _stop([writer.process])
        if self.reserved is not None:
            self.reserved.close()
        return status


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + DRAIN_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
