"""Lighthouse (npm lighthouse@12.2.3, which `make test` installs, on Debian's Chromium) scores
the front page, a section page, an article with a picture and the search page as browsers
and search engines see them: at least 95 in each of its four categories.

Lighthouse plays a mid-tier phone by slowing the CPU it runs on four times, which assumes a
high-end desktop (its benchmark index 1500 to 2000). On a slower or busier machine four times
plays a phone slower than that, and the score measures the machine: a two-core CI runner
measured 922 and scored the front page 90 where it scores 100 at 1,475. Lighthouse's
documentation ("Calibrating the CPU slowdown", docs/throttling.md) says to calibrate the
slowdown to the machine's index; we aim at the same phone the default aims at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.live import REPO, Server, serving

LIGHTHOUSE = REPO / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
pytestmark = [pytest.mark.browser, pytest.mark.tools(str(LIGHTHOUSE)), pytest.mark.processes]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = (
    "/en/",
    "/en/world/",
    "/en/science/2026/11/05/seagrass-returns-to-the-tessel-estuary-after-forty-years",
    "/en/search",
)
LEAST = 0.95
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
# The phone the default aims at: the middle of the high-end desktop range slowed four times.
PHONE_INDEX = 1750 / 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("lighthouse")
    shutil.copytree(REPO / "content", root / "content")
    with serving(root) as running:
        yield running


@pytest.fixture(scope="module")
def slowdown(server: Server, tmp_path_factory: pytest.TempPathFactory) -> float:
    """The CPU slowdown that makes this machine the phone Lighthouse's default makes of a
    high-end desktop, from the benchmark index of one short run (which also warms Chromium
    up, as a reader's browser is)."""
    out = tmp_path_factory.mktemp("calibration") / "report.json"
    report = lighthouse(server.base + "/en/search", out, "--only-audits=first-contentful-paint")
    return min(4.0, max(1.0, round(report["environment"]["benchmarkIndex"] / PHONE_INDEX, 1)))


def lighthouse(url: str, out: Path, *flags: str) -> dict[str, Any]:
    output = ("--output=json", f"--output-path={out}")
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", f"--chrome-flags={FLAGS}", *output, *flags],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
        capture_output=True,
        timeout=180,
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def scores(url: str, out: Path, slowdown: float, *extra: str) -> tuple[dict[str, float], list[str]]:
    """Lighthouse's category scores for `url`, and the audits that did not pass."""
    report = lighthouse(
        url,
        out,
        f"--only-categories={','.join(CATEGORIES)}",
        f"--throttling.cpuSlowdownMultiplier={slowdown}",
        *extra,
    )
    failing = [
        f"{audit['id']}: {audit.get('displayValue', '')}"
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9
    ]
    return {name: report["categories"][name]["score"] for name in CATEGORIES}, failing


@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES)
def test_lighthouse_scores_the_page_at_least_95_in_every_category(
    server: Server, slowdown: float, path: str, tmp_path: Path
) -> None:
    found, failing = scores(server.base + path, tmp_path / "report.json", slowdown)
    assert all(score >= LEAST for score in found.values()), (path, slowdown, found, failing)


@pytest.mark.slow
def test_lighthouse_scores_the_front_page_at_least_95_on_a_desktop_too(
    server: Server, slowdown: float, tmp_path: Path
) -> None:
    """The front page's wide layout (its grid from 1024 px), as Lighthouse's desktop preset
    sees it."""
    found, failing = scores(
        server.base + "/en/", tmp_path / "report.json", slowdown, "--preset=desktop"
    )
    assert all(score >= LEAST for score in found.values()), (slowdown, found, failing)
