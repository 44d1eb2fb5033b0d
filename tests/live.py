"""Running `syndication serve` as a real process on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.waiting import Stop, until

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port for a server that cannot bind port 0 and say which it got (nginx)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    workdir: Path

    def get(self, path: str) -> Response:
        try:
            with _opener.open(self.base + path, timeout=5) as reply:
                return Response(reply.status, dict(reply.headers), reply.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode())

    def wait_for(self, path: str, status: int, timeout: float = 5.0, contains: str = "") -> float:
        """Until `path` answers `status` (and has `contains`); seconds it took."""
        start = time.monotonic()

        def answered() -> bool:
            reply = self.get(path)
            return reply.status == status and contains in reply.body

        until(answered, timeout, f"{path} answers {status} {contains!r}")
        return time.monotonic() - start


def syndication(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, with the sample site's settings file."""
    return subprocess.run(
        [sys.executable, "-m", "syndication", *args, "--config", str(REPO / "syndication.toml")],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
    )


@contextmanager
def serving(
    workdir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    start_seconds: float = 60,
) -> Iterator[Server]:
    """`syndication serve` on 127.0.0.1; without `port`, on a port the kernel picks and the
    server keeps (`--port 0`), which it names in its first line: no race for a free port."""
    env = {**os.environ, **(env or {})}
    if port is not None:
        env.setdefault("SYNDICATION_BASE_URL", f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndication",
            "serve",
            "--port",
            str(port or 0),
            "--config",
            str(REPO / "syndication.toml"),
            *extra,
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + start_seconds
    try:
        port = port or _served_port(process, deadline)
    except BaseException:
        stop(process)
        raise
    server = Server(f"http://127.0.0.1:{port}", process, workdir)
    try:
        wait_healthy(server, deadline, "server")
        yield server
    finally:
        stop(process)


def wait_healthy(server: Server, deadline: float, what: str) -> None:
    """Until `/healthz` answers 200 through `server`; its process's stderr if it dies first."""
    process = server.process

    def healthy() -> bool:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise Stop(f"{what} did not start: {stderr}")
        return server.get("/healthz").status == 200

    until(healthy, max(0.0, deadline - time.monotonic()), f"{what} answering /healthz")


def _served_port(process: subprocess.Popen[bytes], deadline: float) -> int:
    """The port in the server's first line, `Serving content on http://127.0.0.1:PORT/`."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
    line = process.stdout.readline().decode() if ready else ""
    found = re.search(r"on http://[^ ]+:(\d+)/", line)
    if found is None:
        stderr = process.stderr.read().decode() if process.stderr and process.poll() else ""
        raise AssertionError(f"server did not say where it serves: {line!r} {stderr}")
    return int(found[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
