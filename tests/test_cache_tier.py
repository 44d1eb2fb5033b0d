"""Debian's Varnish with deploy/varnish.vcl in front of `syndication serve`: the edge cache of
docker-compose.yml, on 127.0.0.1, purged by the app on each change. Also: the deployment
files hold together. (The whole shape with a replica is tests/test_shape.py.)"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import shutil
import subprocess
import tempfile
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import article_text, examples
from tests.live import REPO, Server, free_port, serving, syndication
from tests.shape import backends_vcl, varnish
from tests.waiting import until

pytestmark = [pytest.mark.tools("varnishd"), pytest.mark.processes]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def hit(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """Ask until Varnish answers from its cache; that answer."""

    def from_cache() -> tuple[int, dict[str, str], bytes] | None:
        answer = fetch(base + path)
        return answer if answer[1].get("X-Cache") == "HIT" else None

    return until(from_cache, 5, f"Varnish keeps {path}")


def purges_pending(app: Server) -> float:
    """Changes the app has not yet purged from the edge (each purge is sent twice)."""
    found = re.search(r"^syndication_edge_purges_pending (\S+)$", app.get("/metrics").body, re.M)
    assert found is not None
    return float(found[1])


@contextmanager
def edge_tier(
    workdir: Path, ai_rules: bool = False, config: Path | None = None, **settings: str
) -> Iterator[tuple[Server, str, Path]]:
    """The app, and Varnish in front of it (as primary and as replica)."""
    shutil.copytree(REPO / "content", workdir / "content")
    port = free_port()
    env = {
        "SYNDICATION_EDGE_VARNISH": f"http://127.0.0.1:{port}",
        "SYNDICATION_BASE_URL": f"http://127.0.0.1:{port}",
        "SYNDICATION_PURGE_RETRY_SECONDS": "0.2",
        **{f"SYNDICATION_{name.upper()}": value for name, value in settings.items()},
    }
    with serving(workdir, *(("--config", str(config)) if config else ()), env=env) as app:
        app_port = int(app.base.rsplit(":", 1)[1])
        with varnish(workdir, port, app_port, app_port, ai_rules) as edge:
            yield app, edge.base, workdir


@pytest.fixture
def tier(tmp_path: Path) -> Iterator[tuple[Server, str, Path]]:
    with edge_tier(tmp_path) as found:
        yield found


def test_varnish_keeps_feeds_and_pages_until_a_change_purges_them(
    tier: tuple[Server, str, Path],
) -> None:
    app, base, workdir = tier
    feed = "/en/world/feed.atom"
    kept = hit(base, feed)
    assert kept[2] == app.get(feed).body.encode()  # the same bytes as the app's
    assert kept[1]["Cache-Control"].startswith("public, max-age=300")  # browsers' lifetime
    assert "xkey" not in kept[1] and "Surrogate-Control" not in kept[1]
    zipped = hit(base, feed) and [fetch(base + feed, {"Accept-Encoding": "gzip"}) for _ in "ab"]
    assert zipped[1][1]["Content-Encoding"] == "gzip"  # the app's gzip, passed through
    assert gzip.decompress(zipped[1][2]) == kept[2]
    hit(base, "/en/world/")

    (workdir / "content" / "world" / "fresh.md").write_text(
        article_text(title="Quay lights repaired", published="2026-11-27T11:00:00+01:00")
    )
    # Kept for a day (Surrogate-Control), so only the purge can bring the change this soon.
    until(lambda: b"Quay lights repaired" in fetch(base + feed)[2], 3, "the change at the edge")
    assert b"Quay lights repaired" in fetch(base + "/en/world/")[2]


def test_the_partner_api_hub_and_metrics_are_never_kept(tier: tuple[Server, str, Path]) -> None:
    _, base, workdir = tier
    added = syndication("partners", "add", "Tier", "--sections", "world", cwd=workdir)
    key = re.search(r"^key: (\S+)$", added.stdout, re.M)
    assert key is not None
    headers = {"Authorization": f"Bearer {key[1]}"}
    for path in ("/api/v1/items", "/metrics"):
        for status, response_headers, _ in [fetch(base + path, headers) for _ in range(3)]:
            assert status == 200
            assert response_headers["X-Cache"] == "MISS"
    assert fetch(base + "/api/v1/items")[0] == 401  # never answered for the app


# Paths the edge must pass to the app and never keep, and a generated spelling of each: any
# of its characters percent-escaped, in either case of hex, as the app still routes it.
NEVER_KEPT = (
    "/metrics", "/desk/login", "/api/v1/items", "/websub", "/preview/x", "/readyz", "/healthz"
)  # fmt: skip


@st.composite
def spellings(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(NEVER_KEPT))
    escaped = [
        f"%{ord(c):02{'X' if draw(st.booleans()) else 'x'}}" if draw(st.booleans()) else c
        for c in path[1:]
    ]
    return "/" + "".join(escaped) + draw(st.sampled_from(["", "?a=1", "?page=2"]))


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=spellings())
def test_no_spelling_of_a_private_path_and_no_private_answer_is_kept(
    tier: tuple[Server, str, Path], path: str
) -> None:
    """/%6detrics is /metrics to the app, so it is /metrics to the edge; and an answer the app
    marks no-store or private (health, the desk, previews, errors) is never stored, whatever
    path it came by."""
    _, base, _ = tier
    for status, headers, _ in [fetch(base + path) for _ in range(2)]:
        assert headers.get("X-Cache") == "MISS", (path, status)
        assert int(headers.get("Age", "0")) == 0


def test_malformed_escapes_are_refused_at_the_edge(tier: tuple[Server, str, Path]) -> None:
    _, base, _ = tier
    host, port = base.removeprefix("http://").split(":")
    for target in ("https://127.0.0.1/metrics", "ftp://x/metrics", "http://x/%6detrics"):
        # An absolute-form target is judged on its path, as the app routes it: passed to
        # the app, never kept (from 127.0.0.1, an insider, /metrics itself is answered).
        for _ in range(2):
            raw = http.client.HTTPConnection(host, int(port), timeout=5)
            raw.request("GET", target)
            answer = raw.getresponse()
            answer.read()
            assert answer.getheader("X-Cache") != "HIT", target
    raw = http.client.HTTPConnection(host, int(port), timeout=5)
    raw.request("GET", "*metrics")
    assert raw.getresponse().status == 400
    for path in ("/%6", "/%zzmetrics", "/en/%00/", "/%"):
        assert fetch(base + path)[0] == 400, path
    assert fetch(base + "/en/?q=%zz")[0] != 400  # a query's escapes are the app's to judge


def test_purges_are_taken_only_from_the_apps_addresses(tier: tuple[Server, str, Path]) -> None:
    _, base, _ = tier
    host, port = base.removeprefix("http://").split(":")
    hit(base, "/en/")
    # 127.0.0.2 is this machine too, but not an address the VCL lets purge.
    stranger = http.client.HTTPConnection(host, int(port), source_address=("127.0.0.2", 0))
    stranger.request("PURGE", "/", headers={"xkey-purge": "site"})
    assert stranger.getresponse().status == 403
    assert fetch(base + "/en/")[1]["X-Cache"] == "HIT"  # nothing was purged


def test_stale_copies_only_while_the_app_is_down_and_never_a_purged_one(
    tmp_path: Path,
) -> None:
    with edge_tier(tmp_path, edge_max_age="2") as (app, base, workdir):
        feed, path = "/en/feed.rss", "/en/world/2026/11/19/a-story-to-withdraw"
        story = workdir / "content" / "world" / "withdraw.md"
        text = article_text(title="A story to withdraw", published="2026-11-19T08:00:00+01:00")
        story.write_text(text)
        app.wait_for(path, 200)
        hit(base, path)
        story.write_text(text.replace("---\n\n", "status: withdrawn\n---\n\n", 1))
        app.wait_for(path, 410)
        until(lambda: fetch(base + path)[0] == 410, 3, "the purge at the edge")
        until(lambda: purges_pending(app) == 0, 5, "the purge sent again, and acknowledged")
        hit(base, path)
        hit(base, feed)
        # Past its edge lifetime of 2 s, with the app up: fetched again, never a stale copy.
        until(lambda: fetch(base + feed)[1]["X-Cache"] == "MISS", 5, "the feed expired")
        kept = hit(base, feed)
        app.process.terminate()
        app.process.wait(timeout=10)

        def in_grace() -> tuple[int, dict[str, str], bytes] | None:
            """The copy past its lifetime, served while the health probe finds the app gone."""
            answer = fetch(base + feed)
            old = answer[0] == 200 and int(answer[1].get("Age", "0")) >= 2
            return answer if old else None

        status, headers, body = until(in_grace, 10, "the expired feed kept in grace")
        assert status == 200 and body == kept[2] and headers["X-Cache"] == "HIT"  # grace
        assert fetch(base + path)[0] == 410  # what it kept after the purge, never the page
        assert fetch(base + "/en/sport/")[0] == 503  # nothing kept, nothing made up


def test_the_switch_answers_ai_crawlers_403_where_their_use_is_reserved(tmp_path: Path) -> None:
    """With deploy/varnish.vcl's switch on, a training crawler is refused the sample site's
    stories and feeds (their use for it is reserved), with the licence's address; search
    engines, feed readers and people are not, and robots.txt stays open to every crawler."""
    config = tmp_path / "open-science.toml"  # science: open to answers and mining, not training
    config.write_text(
        (REPO / "syndication.toml")
        .read_text()
        .replace(
            "[sections.science]\n", '[sections.science]\nai_input = "allowed"\ntdm = "allowed"\n'
        )
    )
    with edge_tier(tmp_path, ai_rules=True, config=config) as (app, edge, _):
        page = re.search(
            r'href="(/en/(?!science)[a-z]+/\d{4}/\d{2}/\d{2}/[^"]+)"', app.get("/en/").body
        )
        science = re.search(r'href="(/en/science/\d{4}/\d{2}/\d{2}/[^"]+)"', app.get("/en/").body)
        assert page is not None and science is not None
        # Diffbot gathers for mining and answers, both open in science: let in wherever the
        # app's answer grants both (a page carrying other sections' teasers may not), as its
        # headers say; GPTBot (training) never
        diffbot = {"User-Agent": "Mozilla/5.0 (compatible; Diffbot/0.1)"}
        let_in = []
        for path in (science[1], "/en/science/", "/en/science/feed.atom", page[1]):
            said = fetch(app.base + path)[1]
            grants = "ai-input=yes" in said.get("Content-Signal", "") and re.search(
                r"/rights/[ar]{3}a\.json$", said.get("tdm-policy", "/rights/aaaa.json")
            )
            assert fetch(edge + path, diffbot)[0] == (200 if grants else 403), path
            let_in.append(bool(grants))
            assert fetch(edge + path, {"User-Agent": "GPTBot/1.2"})[0] == 403
        assert any(let_in) and not let_in[-1]  # open in science, and not elsewhere
        for agent in ("Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)",
                      "gptbot_1.0",
                      "CCBot/2.0 (https://commoncrawl.org/faq/)",
                      "Mozilla/5.0 (compatible; PerplexityBot/1.0)"):  # fmt: skip
            for path in (page[1], "/en/feed.atom", "/en/world/"):
                status, headers, body = fetch(edge + path, {"User-Agent": agent})
                assert status == 403, (agent, path)
                assert "license.xml" in headers.get("Link", "") and b"license.xml" in body
            assert fetch(edge + "/robots.txt", {"User-Agent": agent})[0] == 200
        for agent in ("Mozilla/5.0 (compatible; Googlebot/2.1)", "Feedly/1.0", "Mozilla/5.0"):
            for path in (page[1], "/en/feed.atom", "/en/feed.rss", "/en/world/"):
                assert fetch(edge + path, {"User-Agent": agent})[0] == 200, (agent, path)


def test_the_switchs_crawlers_are_the_list_robots_txt_names() -> None:
    """The user agents deploy/varnish.vcl holds are syndication/publish/ai_crawlers.toml's,
    each for its uses."""
    vcl = (REPO / "deploy" / "varnish.vcl").read_text()
    listed = tomllib.loads((REPO / "syndication" / "publish" / "ai_crawlers.toml").read_text())
    rule = re.compile(
        r'User-Agent ~ "\(\?i\)\(\^\|\[\^a-z\]\)\(([^)]*)\)"\) \{\s*'
        r'set req\.http\.x-ai-uses = req\.http\.x-ai-uses \+ " ([a-z-]+)";'
    )
    found = {word: set(tokens.split("|")) for tokens, word in rule.findall(vcl)}
    for use, word in (("ai_training", "ai-train"), ("ai_input", "ai-input"), ("tdm", "tdm")):
        assert found.get(word) == {c["token"] for c in listed["crawler"] if use in c["uses"]}


@pytest.mark.tools("docker-compose")
def test_the_deployment_files_hold_together() -> None:
    """docker-compose.yml validates, Varnish compiles deploy/varnish.vcl with either backends
    file, and the Dockerfile copies only files that exist and runs the command the docs give."""
    compose = subprocess.run(
        ["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert compose.returncode == 0, compose.stderr
    compiled = subprocess.run(
        ["varnishd", "-C", "-f", str(REPO / "deploy" / "varnish.vcl")],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    # The compose services' names resolve only inside Docker: compiled here with this host's,
    # in a folder varnishd's own user can read (as for tests/shape.py).
    tmp_path = Path(tempfile.mkdtemp(prefix="syndication-vcl-"))
    tmp_path.chmod(0o755)
    shutil.copy(REPO / "deploy" / "varnish.vcl", tmp_path / "varnish.vcl")
    composed = (REPO / "deploy" / "compose-backends.vcl").read_text()
    for name in ('"app"', '"replica"'):
        assert name in composed
        composed = composed.replace(name, '"127.0.0.1"')
    (tmp_path / "backends.vcl").write_text(composed)
    for file in tmp_path.iterdir():
        file.chmod(0o644)
    compiled = subprocess.run(
        ["varnishd", "-C", "-f", str(tmp_path / "varnish.vcl")], capture_output=True, text=True
    )
    shutil.rmtree(tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    assert backends_vcl(8080, 8081) == (REPO / "deploy" / "backends.vcl").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), f"the Dockerfile copies {source}, not in the repo"
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert command is not None
    words = " ".join(json.loads(command[1]))
    assert words.startswith("syndication serve --workers 2")
    assert "syndication serve --workers 2" in (REPO / "docs" / "operations.md").read_text()
