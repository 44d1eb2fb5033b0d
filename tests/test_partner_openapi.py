"""The partner API keeps the promises of its OpenAPI document: schemathesis generates
requests from /api/v1/openapi.json against `syndication serve` on 127.0.0.1 and checks
every answer (no 5xx, documented status codes, content types, headers and bodies)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

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


def test_the_api_keeps_its_openapi_promises(partner_server: tuple[Server, str]) -> None:
    server, key = partner_server
    api = schemathesis.openapi.from_url(server.base + "/api/v1/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            if case.query and "wait" in case.query:  # a long poll at the head waits up to 30 s
                case.query["wait"] = min(int(case.query["wait"]), 1)
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"})

        check()


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
