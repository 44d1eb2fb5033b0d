"""The whole local shape of a deployment past one machine, on 127.0.0.1: a primary that
replicates its archive with Litestream to a folder and purges Varnish on each change, a read
replica following that folder (`serve --replica`), and Debian's Varnish with deploy/varnish.vcl
in front of both. Used by tests/test_shape.py and the edge benchmark."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.live import REPO, Server, free_port, serving, stop, wait_healthy

VCL = REPO / "deploy" / "varnish.vcl"


@dataclass
class Shape:
    primary: Server
    replica: Server
    edge: Server  # Varnish: its `process` is varnishd
    store: Path  # the Litestream replica (a folder)
    workdir: Path


def backends_vcl(primary_port: int, replica_port: int) -> str:
    """deploy/backends.vcl with the two servers' ports."""
    text = (REPO / "deploy" / "backends.vcl").read_text()
    for old, new in (('"8080"', f'"{primary_port}"'), ('"8081"', f'"{replica_port}"')):
        assert old in text, f"deploy/backends.vcl no longer has {old}"
        text = text.replace(old, new)
    return text


@contextmanager
def varnish(
    workdir: Path, port: int, primary_port: int, replica_port: int, ai_rules: bool = False
) -> Iterator[Server]:
    """varnishd in the foreground with deploy/varnish.vcl, its backends pointed here (and
    with `ai_rules`, its switch for AI crawlers turned on)."""
    # Started as root (as CI does), varnishd reads the VCL as its own user: a folder of its
    # own that user can reach (the test's folder sits in one only root may enter).
    folder = Path(tempfile.mkdtemp(prefix="syndication-varnish-"))
    folder.chmod(0o755)
    vcl = VCL.read_text()
    if ai_rules:
        switch = 'set req.http.x-ai-rules = "off";'
        assert switch in vcl
        vcl = vcl.replace(switch, 'set req.http.x-ai-rules = "on";')
    (folder / "varnish.vcl").write_text(vcl)
    (folder / "backends.vcl").write_text(backends_vcl(primary_port, replica_port))
    for file in folder.iterdir():
        file.chmod(0o644)
    process = subprocess.Popen(
        [
            *("varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(folder / "varnish.vcl")),
            *("-n", str(folder / "state"), "-s", "malloc,64m"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    edge = Server(f"http://127.0.0.1:{port}", process, folder)  # type: ignore[arg-type]
    try:
        wait_healthy(edge, time.monotonic() + 30, "varnishd")
        yield edge
    finally:
        stop(process)  # type: ignore[arg-type]
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def whole_shape(workdir: Path, env: dict[str, str] | None = None) -> Iterator[Shape]:
    shutil.copytree(REPO / "content", workdir / "content")
    store = workdir / "litestream"
    edge_port = free_port()
    public = {"SYNDICATION_BASE_URL": f"http://127.0.0.1:{edge_port}"}  # readers' address
    primary_env = {
        **public,
        "SYNDICATION_EDGE_VARNISH": f"http://127.0.0.1:{edge_port}",
        "SYNDICATION_REPLICATE_TO": str(store),
        "SYNDICATION_REPLICATE_SYNC_SECONDS": "1",
        "SYNDICATION_PURGE_RETRY_SECONDS": "0.2",
        **(env or {}),
    }
    (workdir / "replica").mkdir()
    with ExitStack() as stack:
        primary = stack.enter_context(serving(workdir, env=primary_env))
        replica_env = {**public, "SYNDICATION_PRIMARY_URL": primary.base, **(env or {})}
        replica = stack.enter_context(
            serving(
                workdir / "replica",
                "--replica",
                str(store),
                "--db",
                str(workdir / "replica" / "copy.db"),
                env=replica_env,
            )
        )
        ports = [int(s.base.rsplit(":", 1)[1]) for s in (primary, replica)]
        edge = stack.enter_context(varnish(workdir, edge_port, *ports))
        yield Shape(primary, replica, edge, store, workdir)
