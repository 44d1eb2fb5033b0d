"""A seeded corpus of realistic articles for tests and benchmarks.

    python -m tests.benchmarks.corpus DEST N [--seed S]

Articles of 300-1,500 words (a third from a long Zipf tail of 64,000 words) with a
sub-heading, 1-4 topics drawn from a Zipf distribution (a few topics everywhere, a long
tail of rare ones), dates over ten years, two editions, and a shared pool of small PNGs.
"""

from __future__ import annotations

import argparse
import random
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

SECTIONS = ("world", "business", "culture", "science", "sport")
VOCABULARY = [
    "harbour",
    "council",
    "minister",
    "budget",
    "river",
    "bridge",
    "rail",
    "tunnel",
    "energy",
    "grid",
    "solar",
    "wind",
    "price",
    "market",
    "shares",
    "bank",
    "lending",
    "rate",
    "inflation",
    "wages",
    "union",
    "strike",
    "port",
    "cargo",
    "ship",
    "container",
    "crane",
    "freight",
    "court",
    "ruling",
    "appeal",
    "judge",
    "law",
    "reform",
    "vote",
    "election",
    "party",
    "coalition",
    "mayor",
    "city",
    "region",
    "border",
    "farm",
    "harvest",
    "drought",
    "flood",
    "storm",
    "coast",
    "weather",
    "climate",
    "forest",
    "water",
    "school",
    "teacher",
    "student",
    "hospital",
    "doctor",
    "nurse",
    "patient",
    "clinic",
    "research",
    "study",
    "scientist",
    "data",
    "model",
    "sensor",
    "satellite",
    "museum",
    "gallery",
    "painter",
    "novel",
    "festival",
    "theatre",
    "orchestra",
    "film",
    "director",
    "actor",
    "stage",
    "audience",
    "match",
    "season",
    "league",
    "coach",
    "player",
    "goal",
    "final",
    "title",
    "record",
    "stadium",
    "club",
    "fans",
    "transfer",
    "injury",
    "report",
    "plan",
    "project",
    "cost",
    "deal",
    "talks",
    "agreement",
    "summit",
    "delegation",
    "treaty",
    "trade",
    "tariff",
    "export",
    "import",
    "factory",
    "plant",
    "workers",
    "jobs",
    "growth",
    "forecast",
    "quarter",
    "profit",
    "loss",
    "revenue",
    "investors",
    "village",
    "street",
    "housing",
    "rent",
    "tenants",
    "builders",
    "permit",
    "zoning",
    "traffic",
    "cyclists",
    "buses",
    "tram",
    "line",
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "an",
    "be",
    "this",
    "which",
    "or",
    "are",
    "were",
    "has",
    "had",
    "have",
    "its",
    "their",
    "after",
    "before",
    "over",
    "under",
    "more",
    "most",
    "new",
    "old",
    "first",
    "last",
    "next",
    "early",
    "late",
    "said",
    "says",
    "told",
    "would",
    "could",
    "should",
    "will",
    "may",
    "might",
    "also",
    "still",
    "only",
    "again",
    "while",
    "during",
    "since",
    "between",
    "against",
    "among",
    "across",
    "through",
    "around",
    "about",
    "into",
    "without",
    "within",
    "where",
    "when",
    "why",
    "how",
]
FIRST = [
    "Anna",
    "Bruno",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Katya",
    "Luca",
    "Maren",
    "Nadia",
    "Omar",
    "Pia",
]
LAST = [
    "Adler",
    "Berger",
    "Costa",
    "Duval",
    "Engel",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Keller",
    "Lambert",
    "Moreau",
]


def png(width: int, height: int, seed: int) -> bytes:
    """A small gradient PNG, written by hand so tests need no imaging library."""
    rng = random.Random(seed)
    base = [rng.randrange(40, 200) for _ in range(3)]
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes(((c + (x * 60) // width + (y * 40) // height) % 256) for c in base)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (k**s) for k in range(1, n + 1)]


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# Real news text draws a third of its words from a long tail (names, places, terms) that any
# one article shares with few others; without it every word is in every article and neither
# search nor text similarity behaves as it would on a newsroom's archive.
_SYLLABLES = [c + v for c in "klmnrstv" for v in "aeiou"]
_TAIL = sorted({a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES})
random.Random(7).shuffle(_TAIL)
_TAIL_WEIGHTS = _cumulative(_zipf_weights(len(_TAIL), 1.0))
TAIL_SHARE = 0.3


def _word(rng: random.Random) -> str:
    if rng.random() < TAIL_SHARE:
        return rng.choices(_TAIL, cum_weights=_TAIL_WEIGHTS)[0]
    return rng.choice(VOCABULARY)


def _sentence(rng: random.Random) -> str:
    words = [_word(rng) for _ in range(rng.randint(8, 24))]
    return " ".join(words).capitalize() + "."


def article_text(
    rng: random.Random,
    index: int,
    topics: list[str],
    image: str | None,
    when: datetime,
    edition: str,
    title: str,
) -> str:
    target = rng.randint(300, 1500)
    paragraphs: list[str] = []
    words = 0
    while words < target:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        paragraphs.append(para)
        words += len(para.split())
        if len(paragraphs) == 4:
            paragraphs.append("## " + _sentence(rng).rstrip("."))
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice((1, 1, 1, 2)))]
    lines = [
        "---",
        f'title: "{title}"',
        f"published: {when.isoformat()}",
        f"edition: {edition}",
        f'standfirst: "{_sentence(rng)}"',
        "authors: [" + ", ".join(authors) + "]",
        "topics: [" + ", ".join(topics) + "]",
    ]
    if image:
        lines += [
            "image:",
            f"  src: /{image}",
            f'  alt: "Illustration {index}"',
            f'  caption: "{_sentence(rng)}"',
            "  credit: Ledger Photo Desk",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(dest: Path, count: int, seed: int = 1, images: int = 40) -> list[Path]:
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    image_dir = dest / "images"
    image_dir.mkdir(exist_ok=True)
    image_names = []
    for i in range(images):
        name = f"images/photo-{i:03d}.png"
        (dest / name).write_bytes(png(48, 32, seed * 1000 + i))
        image_names.append(name)
    nouns = VOCABULARY[:120]
    topic_names = [
        f"{rng.choice(nouns).title()} {rng.choice(nouns).title()} {k}" for k in range(2000)
    ]
    weights = _zipf_weights(len(topic_names))
    start = datetime(2016, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=3650).total_seconds())
    written = []
    for i in range(count):
        section = rng.choice(SECTIONS)
        edition = "fr" if rng.random() < 0.15 else "en"
        when = start + timedelta(seconds=rng.randrange(span))
        topics = sorted(set(rng.choices(topic_names, weights=weights, k=rng.randint(1, 4))))
        image = rng.choice(image_names) if rng.random() < 0.4 else None
        words = rng.choices(VOCABULARY[:200], k=rng.randint(3, 7))
        words[1:1] = rng.choices(_TAIL, cum_weights=_TAIL_WEIGHTS, k=2)
        title = " ".join(words).capitalize() + f" {i}"
        path = dest / section / f"{when:%Y}" / f"article-{i:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(rng, i, topics, image, when, edition, title), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.dest, args.count, args.seed)
    print(f"wrote {args.count} articles to {args.dest}")


if __name__ == "__main__":
    main()
