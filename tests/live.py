"""Running `syndication serve` as a real process on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import os
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

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
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
        """Poll until `path` answers `status` (and has `contains`); seconds it took."""
        start = time.monotonic()
        while True:
            reply = self.get(path)
            if reply.status == status and contains in reply.body:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{path} still answers {reply.status} after {timeout}s")
            time.sleep(0.02)


def syndication(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, with the sample site's settings file."""
    return subprocess.run(
        [sys.executable, "-m", "syndication", *args, "--config", str(REPO / "syndication.toml")],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def serving(
    workdir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    start_seconds: float = 60,
) -> Iterator[Server]:
    port = port or free_port()
    env = {**os.environ, "SYNDICATION_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndication",
            "serve",
            "--port",
            str(port),
            "--config",
            str(REPO / "syndication.toml"),
            *extra,
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}", process, workdir)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                if server.get("/healthz").status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"server did not start: {stderr}")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
