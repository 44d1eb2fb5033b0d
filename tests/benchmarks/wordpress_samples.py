"""Real WordPress exports nobody here wrote, imported one by one into a fresh site each:
posts in the export by status, files written, posts skipped with their reasons, pictures
copied, and how many of the posts' old addresses (permalink and /?p=ID) answer 301.

    python -m tests.benchmarks.wordpress_samples FOLDER_OF_EXPORTS

(WordPress's own importer test exports are one such folder; the tests never need it.)
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from syndication.cli import main
from syndication.config import load_settings
from syndication.importing.wordpress import post_key
from syndication.importing.wxr import Export, ExportError, read_items
from syndication.web.app import create_app
from tests.conftest import set_clock
from tests.live import REPO


def _posts(export: Path) -> tuple[Counter[str], list[tuple[str, str]]]:
    """Posts by status, and (permalink path, ?p= path) of each published one."""
    statuses: Counter[str] = Counter()
    addresses = []
    site = Export()
    with contextlib.suppress(ExportError):
        for item in read_items(export, site):
            if item.post_type != "post":
                continue
            statuses[item.status or "none"] += 1
            if item.status == "publish":
                base = urlsplit(site.site_url).path.rstrip("/")
                link = urlsplit(item.link)
                permalink = link.path + (f"?{link.query}" if link.query else "")
                if urlsplit(site.site_url).hostname != link.hostname or permalink in ("", "/"):
                    permalink = ""  # not an address on the old site's own host
                addresses.append((permalink, f"{base}/?p={post_key(item)}"))
    return statuses, addresses


async def _redirects(root: Path, paths: list[str]) -> int:
    settings = load_settings(REPO / "syndication.toml", {}).with_overrides(
        content_dir=root / "content", db_path=root / "a.db"
    )
    async with TestClient(TestServer(create_app(settings, set_clock()))) as client:
        moved = 0
        for path in paths:
            reply = await client.get(path, allow_redirects=False)
            moved += reply.status == 301
        return moved


def one(export: Path) -> str:
    statuses, addresses = _posts(export)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        said = io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            code = main(
                ["import", "wordpress", str(export), "--content", str(root / "content"),
                 "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml")]
            )  # fmt: skip
        text = said.getvalue()
        counts = re.match(r"(\d+) imported.*?(\d+) skipped; (\d+) pictures", text)
        reasons = re.search(r"skipped were: (.*)", text)
        written = len(list((root / "content").rglob("*.md")))
        paths = [p for pair in addresses for p in pair if p]
        moved = asyncio.run(_redirects(root, paths)) if written and paths else 0
    in_export = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "no posts"
    if code == 2 or counts is None:
        return f"{export.name}: {in_export}; refused: {text.strip().splitlines()[-1][:160]}"
    return (
        f"{export.name}: {in_export}; {written} files written, {counts[2]} skipped"
        + (f" ({reasons[1]})" if reasons else "")
        + f"; {counts[3]} pictures; {moved} of {len(paths)} old addresses answer 301"
        + (" (stopped part way: the export is cut short)" if code == 1 else "")
    )


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if folder is None or not folder.is_dir():
        sys.exit("give a folder of WordPress exports (.xml)")
    for export in sorted(folder.glob("*.xml")):
        print(one(export), flush=True)
