"""Lighthouse (npm lighthouse@12.2.3, which `make test` installs, on Debian's Chromium) scores
the front page, a section page, an article with a picture and the search page as browsers
and search engines see them: at least 95 in each of its four categories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live import REPO, Server, serving

LIGHTHOUSE = REPO / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = (
    "/en/",
    "/en/world/",
    "/en/science/2026/11/05/seagrass-returns-to-the-tessel-estuary-after-forty-years",
    "/en/search",
)
LEAST = 0.95


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("lighthouse")
    shutil.copytree(REPO / "content", root / "content")
    with serving(root) as running:
        yield running


def scores(url: str, out: Path) -> tuple[dict[str, float], list[str]]:
    """Lighthouse's category scores for `url`, and the audits that did not pass."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={out}",
        ],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
        capture_output=True,
        timeout=180,
    )
    report = json.loads(out.read_text())
    failing = [
        f"{audit['id']}: {audit.get('displayValue', '')}"
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9
    ]
    return {name: report["categories"][name]["score"] for name in CATEGORIES}, failing


@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES)
def test_lighthouse_scores_the_page_at_least_95_in_every_category(
    server: Server, path: str, tmp_path: Path
) -> None:
    found, failing = scores(server.base + path, tmp_path / "report.json")
    assert all(score >= LEAST for score in found.values()), (path, found, failing)
