"""The partner API keeps the promises of its OpenAPI document: schemathesis generates
requests from /api/v1/openapi.json against `syndication serve` on 127.0.0.1 and checks
every answer (no 5xx, documented status codes, content types, headers and bodies)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import examples
from tests.live import REPO, Server, serving, syndication

pytestmark = pytest.mark.processes

KEY = re.compile(r"^key: (\S+)$", re.M)


@pytest.fixture(scope="module")
def partner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    workdir = tmp_path_factory.mktemp("openapi")
    shutil.copytree(REPO / "content", workdir / "content")
    added = syndication(
        "partners", "add", "Fuzz", "--sections", "world", "business", "--embargo-access",
        "--rate", "100000", cwd=workdir,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    match = KEY.search(added.stdout)
    assert match is not None
    with serving(workdir) as server:
        yield server, match[1]


def test_the_api_keeps_its_openapi_promises(
    partner_server: tuple[Server, str], tmp_path: Path
) -> None:
    """schemathesis's own command, every check it has (an undocumented status, a body or
    header off its schema, a request the document forbids yet accepted, a missing auth
    ignored...), over its coverage and fuzzing phases, as a partner would run it."""
    server, key = partner_server
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"), "run",
            server.base + "/api/v1/openapi.json",
            "--checks", "all", "--max-examples", str(examples(50)), "--seed", "29",
            "-H", f"Authorization: Bearer {key}", "--no-color",
        ],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )  # fmt: skip
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-4000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    assert generated and int(generated[1]) > 100 and generated[1] == generated[2], report[-2000:]


def test_the_document_is_served_and_describes_every_route(
    partner_server: tuple[Server, str],
) -> None:
    server, _ = partner_server
    reply = server.get("/api/v1/openapi.json")
    assert reply.status == 200
    assert set(re.findall(r'"(/api/v1/[^"]+)":', reply.body)) == {
        "/api/v1/changes",
        "/api/v1/items",
        "/api/v1/items/{id}",
        "/api/v1/feeds/{edition}/{section}.atom",
        "/api/v1/feeds/{edition}/{section}.rss",
    }
