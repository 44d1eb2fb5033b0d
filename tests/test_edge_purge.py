"""Purging Fastly and Cloudflare by tag as their APIs ask, against a local stand-in
(tests/cdn_standin.py): each change purges the tags of what shows it, and a purge the CDN
did not take is kept in the archive and sent until it is, across a crash of the app."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.edge.nodes import Cloudflare, Fastly, PurgeFailed, Varnish, cloudflare_took
from tests.cdn_standin import CLOUDFLARE_TOKEN, FASTLY_TOKEN, StandIn, standing_in
from tests.conftest import article_text, examples
from tests.live import REPO, Server, serving
from tests.waiting import until


def settings_for(stand_in: StandIn, header: str) -> dict[str, str]:
    return {
        "SYNDICATION_EDGE_TAG_HEADER": header,
        "SYNDICATION_FASTLY_SERVICE_ID": "SU1Z0isxPaozGVKXdv0eY",
        "SYNDICATION_FASTLY_TOKEN": FASTLY_TOKEN,
        "SYNDICATION_FASTLY_API": stand_in.base,
        "SYNDICATION_CLOUDFLARE_ZONE_ID": "023e105f4ecef8ad9ca31a8372d0c353",
        "SYNDICATION_CLOUDFLARE_TOKEN": CLOUDFLARE_TOKEN,
        "SYNDICATION_CLOUDFLARE_API": stand_in.base + "/client/v4",
        "SYNDICATION_PURGE_RETRY_SECONDS": "0.2",
        "SYNDICATION_PURGE_AGAIN_SECONDS": "0.2",
    }


def acknowledged(workdir: Path) -> int:
    """How many edge nodes the archive records as having taken their purges."""
    with contextlib.closing(sqlite3.connect(workdir / "syndication.db")) as db:
        return int(db.execute("SELECT count(*) FROM edge_acks").fetchone()[0])


def purged(requests: list[list[str]]) -> set[str]:
    return {tag for request in requests for tag in request}


def story(workdir: Path, name: str, title: str, day: int) -> str:
    (workdir / "content" / "world" / f"{name}.md").write_text(
        article_text(title=title, published=f"2026-11-{day:02d}T08:00:00+01:00")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"/en/world/2026/11/{day:02d}/{slug}"


def kept_and_retried(app: Server) -> bool:
    """Whether /metrics says a change is pending and its purge failed more than once."""
    text = app.get("/metrics").body
    pending = re.search(r"^syndication_edge_purges_pending (\S+)$", text, re.M)
    failed = re.search(r'^syndication_edge_purges_total\{outcome="failed"\} (\S+)$', text, re.M)
    assert pending and failed, text[-2000:]
    return float(pending[1]) >= 1 and float(failed[1]) >= 2


def tags_of(server: Server, path: str, header: str, separator: str) -> set[str]:
    answer = server.get(path)
    assert answer.status == 200, path
    return {tag.strip() for tag in answer.headers[header].split(separator)}


@pytest.mark.processes
def test_each_change_purges_what_shows_it_on_fastly_and_cloudflare(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    with standing_in() as cdn, serving(tmp_path, env=settings_for(cdn, "Cache-Tag")) as app:
        until(lambda: cdn.fastly and cdn.cloudflare, 10, "a first purge of the whole site")
        assert cdn.fastly[0] == cdn.cloudflare[0] == ["site"]  # a node never purged before
        listing_tags = tags_of(app, "/en/world/", "Cache-Tag", ",")
        home_tags = tags_of(app, "/en/", "Cache-Tag", ",")
        before = len(cdn.fastly), len(cdn.cloudflare)
        path = story(tmp_path, "quay", "Quay lights repaired", 27)
        app.wait_for(path, 200)
        until(lambda: len(cdn.cloudflare) > before[1] + 1, 10, "the change's purges")
        until(lambda: len(cdn.fastly) > before[0] + 1, 10, "the change's purges")
        page_tags = tags_of(app, path, "Cache-Tag", ",")
        for requests in (cdn.fastly[before[0] :], cdn.cloudflare[before[1] :]):
            tags = purged(requests)
            assert tags & listing_tags and tags & home_tags  # the new story's lists
            story_tag = sorted(page_tags & tags - {"site"})
            assert story_tag, "the story's own page is not purged"
        assert not cdn.refused, cdn.refused


@pytest.mark.processes
def test_purges_a_cdn_did_not_take_are_sent_until_it_does_across_a_crash(
    tmp_path: Path,
) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    with standing_in() as cdn:
        env = settings_for(cdn, "Surrogate-Key")
        with serving(tmp_path, env=env) as app:
            until(  # sent twice (purge_again_seconds), and then acknowledged
                lambda: len(cdn.fastly) == len(cdn.cloudflare) == 2, 10, "a first whole purge"
            )
            until(lambda: acknowledged(tmp_path) == 2, 10, "both nodes' purges acknowledged")
            cdn.down = True
            path = story(tmp_path, "storm", "Storm closes the coast road", 26)
            app.wait_for(path, 200)
            page_tags = tags_of(app, path, "Surrogate-Key", " ")
            until(lambda: kept_and_retried(app), 10, "the purge kept pending and retried")
            os.kill(app.process.pid, signal.SIGKILL)  # the purge was never acknowledged
            app.process.wait()
        taken = len(cdn.fastly), len(cdn.cloudflare)
        cdn.down = False
        with serving(tmp_path, env=env):
            until(
                lambda: len(cdn.fastly) > taken[0] and len(cdn.cloudflare) > taken[1],
                10,
                "the kept purge sent after the restart",
            )
            for requests in (cdn.fastly[taken[0] :], cdn.cloudflare[taken[1] :]):
                assert page_tags & purged(requests) - {"site"}
        assert not cdn.refused, cdn.refused


@pytest.mark.processes
def test_a_changed_rights_policy_empties_every_node_once(tmp_path: Path) -> None:
    """Every answer states the rights policy: a node purged under another policy (a changed
    [rights] in syndication.toml) may hold answers that no longer say it, and is emptied
    once at the start; a restart under the same policy purges only what changes."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    changed = tmp_path / "changed.toml"
    changed.write_text(
        (REPO / "syndication.toml").read_text() + '\n[rights]\nai_input = "allowed"\n'
    )
    with standing_in() as cdn:
        env = settings_for(cdn, "Surrogate-Key")
        with serving(tmp_path, env=env):
            until(lambda: acknowledged(tmp_path) == 2, 10, "both nodes' first purges taken")
        with serving(tmp_path, env=env) as app:
            before = len(cdn.fastly)
            path = story(tmp_path, "quay", "Quay reopens after the storm", 24)
            app.wait_for(path, 200)
            until(lambda: len(cdn.fastly) > before, 10, "the change purged")
            assert "site" not in purged(cdn.fastly[before:])
        before = len(cdn.fastly), len(cdn.cloudflare)
        with serving(tmp_path, "--config", str(changed), env=env):
            until(
                lambda: (
                    "site" in purged(cdn.fastly[before[0] :])
                    and "site" in purged(cdn.cloudflare[before[1] :])
                ),
                10,
                "each node emptied under the new policy",
            )
        assert not cdn.refused, cdn.refused


@settings(max_examples=examples(300), deadline=None)
@given(
    st.integers(min_value=100, max_value=599),
    st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(["success", "errors", "x"]), inner, max_size=3)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
        st.integers(min_value=1, max_value=200_000).map(lambda n: b"[" * n),
    ),
)
def test_any_answer_from_cloudflare_is_taken_or_sent_again_never_an_error(
    status: int, body: bytes
) -> None:
    """Whatever the purge API answers (any status, any bytes, JSON of any shape, nesting that
    exhausts the parser): done only for 200 with `"success": true`, never an exception that
    would stop the purger."""
    took = cloudflare_took(status, body)
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        answer = None
    assert took == (status == 200 and isinstance(answer, dict) and answer.get("success") is True)


HOSTILE_ANSWER = b"Varnish says no\n2099-01-01 CRITICAL forged log line\x1b[2J\x00"


@pytest.mark.parametrize(
    "node",
    [
        Varnish("http://edge.test"),
        Fastly("http://edge.test", "service"),
        Cloudflare("http://edge.test", "zone"),
    ],
    ids=["varnish", "fastly", "cloudflare"],
)
async def test_a_refusal_never_writes_a_line_or_a_control_into_the_log(
    node: Varnish | Fastly | Cloudflare, aiohttp_server: Any
) -> None:
    """What a node (or anyone answering in its place) sends back with a refusal reaches the
    log escaped, on one line; Varnish's and Fastly's not at all, as before."""

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=500, body=HOSTILE_ANSWER)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    server = await aiohttp_server(app)
    node = replace(
        node, **{"url" if isinstance(node, Varnish) else "api": str(server.make_url(""))}
    )
    async with aiohttp.ClientSession() as session:
        with pytest.raises(PurgeFailed) as refused:
            await node.purge(session, ["a", "b"])
    said = str(refused.value)
    assert said.startswith(f"{node.name} answered 500")
    assert said.isprintable() and "\x1b" not in said
    assert ("forged" in said) == isinstance(node, Cloudflare)
