"""What writing the rights policy's IPTC metadata into a picture costs (part of `make bench`):
for a JPEG, a PNG and a WebP photo, the time to write the metadata into a rendition's bytes
beside the time to make that rendition (resize and encode, the reference), and into the
picture at its own size beside reading it; and the bytes it adds.

    python -m tests.benchmarks.picture_rights [--repeat 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image

from syndication.publish import picture_metadata, renditions
from syndication.rights_policy import SITE_DEFAULT

KINDS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def photo(kind: str) -> bytes:
    """A 2400 x 1600 picture with detail enough to encode like a photo."""
    picture = Image.effect_mandelbrot((2400, 1600), (-2.2, -1.2, 1.0, 1.2), 200).convert("RGB")
    out = io.BytesIO()
    picture.save(out, kind, **({"quality": 88} if kind != "PNG" else {}))
    return out.getvalue()


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    xmp = picture_metadata.xmp_packet(
        picture_metadata.Statement(
            credit="Photo: Lena Ortiz / The Harbour Ledger",
            notice="© 2026 The Harbour Ledger",
            web_statement="https://news.example.org/rights/arrr.json",
            licensor_url="https://news.example.org/about/licensing",
            policy=SITE_DEFAULT,
        )
    )
    packet_ms = median_ms(
        lambda: picture_metadata.xmp_packet(
            picture_metadata.Statement("a", "b", "c", "d", SITE_DEFAULT)
        ),
        repeat * 10,
    )
    print(f"the XMP packet: {len(xmp)} bytes, made in {packet_ms * 1000:.0f} us")
    print(f"{'picture':<22}{'make it':>10}{'metadata':>10}{'share':>8}{'bytes added':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for kind in KINDS:
            source = Path(folder) / f"photo.{kind.lower()}"
            source.write_bytes(photo(kind))
            for width in (640, 1280):
                resize = partial(renditions._resized, source, width, False)
                made, _ = resize()
                make_ms = median_ms(resize, repeat)
                stamp_ms = median_ms(partial(picture_metadata.stamped, made, xmp), repeat)
                added = len(picture_metadata.stamped(made, xmp)) - len(made)
                print(
                    f"{kind + ' at ' + str(width) + ' px':<22}{make_ms:>8.1f}ms{stamp_ms:>8.3f}ms"
                    f"{stamp_ms / make_ms:>8.2%}{added:>13,}"
                )
            data = source.read_bytes()
            read_ms = median_ms(source.read_bytes, repeat)
            stamp_ms = median_ms(partial(picture_metadata.stamped, data, xmp), repeat)
            print(
                f"{kind + ' its own size':<22}{read_ms:>8.1f}ms{stamp_ms:>8.3f}ms"
                f"{stamp_ms / read_ms:>8.0%}{len(xmp) + 40:>13,}"
                f"   ({len(data):,} bytes; made once, then kept)"
            )


if __name__ == "__main__":
    main()
