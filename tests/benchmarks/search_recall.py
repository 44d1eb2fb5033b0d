"""Search as readers use it: a judged set of queries over the sample site, recall at 10
(part of `make bench`).

    python -m tests.benchmarks.search_recall

Each query names the stories a reader typing it wants. Recall at 10 is the share of those
among the first ten results, by class of query. For a misspelling, the story is counted
"after one click" when the page's "did you mean" offer finds it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from syndication.config import load_settings
from syndication.web.app import create_app
from tests.conftest import set_clock
from tests.live import REPO

FERRIES = {
    "Shipyard wins order for three battery-powered ferries",
    "Night ferry to the islands returns after four years",
    "Island ferry fares to fall by a fifth from January",
}
PILOTS = {"Harbour pilots strike halts ship movements for 24 hours"}
FLOOD = {"Averne council approves river flood barrier after decade of delays"}
SEAGRASS = {"Seagrass returns to the Tessel estuary after forty years"}
MUSEUM = {"Maritime museum reopens with a ship hall built around a 17th-century wreck"}
REGATTA = {"Island crew wins the Tessel regatta in a gale"}
TRAM_FR = {"La ligne de tram est approuvée, premiers trams attendus en 2029"}

# (class, edition, query, the stories wanted)
JUDGED = [
    ("words", "en", "seagrass", SEAGRASS),
    ("words", "en", "regatta", REGATTA),
    ("words", "en", "ferry", FERRIES),
    ("inflections", "en", "ferries", FERRIES),
    ("inflections", "en", "strikes", PILOTS),
    ("inflections", "en", "flooding", FLOOD),
    ("inflections", "en", "reopened museum", MUSEUM),
    ("inflections", "fr", "approuve", TRAM_FR),
    ("inflections", "fr", "lignes de trams", TRAM_FR),
    ("prefixes", "en", "ferr*", FERRIES),
    ("prefixes", "en", "seagra*", SEAGRASS),
    ("prefixes", "en", "regat*", REGATTA),
    ("accents", "fr", "approuvee", TRAM_FR),
    (
        "accents",
        "fr",
        "iles selling",
        {"La course cycliste des Îles Selling attire un peloton international"},
    ),
    ("accents", "fr", "cote", {"L'observatoire de la côte ouvre ses portes au public le samedi"}),
    ("OR", "en", "museum OR regatta", MUSEUM | REGATTA),
    ("OR", "en", "seagrass OR flood", SEAGRASS | FLOOD),
    ("phrases", "en", '"flood barrier"', FLOOD),
    ("phrases", "en", '"night ferry"', {"Night ferry to the islands returns after four years"}),
    (
        "exclusion",
        "en",
        "ferry -night",
        FERRIES - {"Night ferry to the islands returns after four years"},
    ),
    ("misspellings", "en", "feryy", FERRIES),
    ("misspellings", "en", "harbuor pilots", PILOTS),
    ("misspellings", "en", "seagras", SEAGRASS),
]


async def found(client: TestClient, edition: str, query: str) -> tuple[list[str], str | None]:
    """The first ten headlines, and the query "did you mean" offers."""
    answer = await client.get(f"/{edition}/search?" + urlencode({"q": query}))
    page = await answer.text()
    titles = [unescape(t) for t in re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', page)]
    offer = re.search(r'class="did-you-mean">[^<]*<a href="\?q=([^"&]*)', page)
    return titles[:10], (unescape(offer[1]).replace("+", " ") if offer else None)


async def measure(show: bool = True) -> dict[str, tuple[float, float]]:
    """Recall at 10 by class: (as typed, after one click on the offer)."""
    work = Path(tempfile.mkdtemp(prefix="syndication-recall-"))
    shutil.copytree(REPO / "content", work / "content")
    settings = replace(
        load_settings(REPO / "syndication.toml", {}),
        content_dir=work / "content",
        db_path=work / "syndication.db",
    )
    client = TestClient(TestServer(create_app(settings, set_clock())))
    await client.start_server()
    wanted: dict[str, int] = defaultdict(int)
    direct: dict[str, int] = defaultdict(int)
    clicked: dict[str, int] = defaultdict(int)
    try:
        for kind, edition, query, stories in JUDGED:
            titles, offer = await found(client, edition, query)
            hit = len(stories & set(titles))
            after = hit
            if offer and not titles:
                after = len(stories & set((await found(client, edition, offer))[0]))
            wanted[kind] += len(stories)
            direct[kind] += hit
            clicked[kind] += after
            if show:
                offered = f", offered {offer!r}: {after}/{len(stories)}" if offer else ""
                print(f"  {kind:12} {query!r:24} {hit}/{len(stories)}{offered}")
    finally:
        await client.close()
        shutil.rmtree(work, ignore_errors=True)
    recall = {kind: (direct[kind] / wanted[kind], clicked[kind] / wanted[kind]) for kind in wanted}
    total = sum(wanted.values())
    recall["all"] = (sum(direct.values()) / total, sum(clicked.values()) / total)
    if show:
        print('recall at 10 by class (after one click on "did you mean" where offered):')
        for kind, (typed, after) in recall.items():
            print(f"  {kind:12} {typed:.0%} ({after:.0%})")
        print(f"  over {len(JUDGED)} queries")
    return recall


if __name__ == "__main__":
    asyncio.run(measure())
