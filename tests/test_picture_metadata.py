"""The rights policy's IPTC metadata written into pictures' bytes (publish/picture_metadata.py):
read back by Pillow's XMP reader with the picture unchanged, the only packet a file carries
afterwards whatever it came with, and any bytes at all either stamped or refused with
CannotStamp, never another error (a hostile picture in content/ is a 4xx-free 200, never
a 500)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.publish import picture_metadata
from syndication.publish.picture_metadata import (
    CannotStamp,
    Statement,
    own_xmp,
    stamped,
    xmp_packet,
)
from syndication.rights_policy import Policy
from tests.conftest import examples

OURS = xmp_packet(
    Statement("Photo: L. Ortiz", "© 2026 The Ledger", "http://x/rights/arrr.json",
              "http://x/licensing", Policy(True, False, False, False))
)  # fmt: skip
THEIRS = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def made(kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    mode = str(options.pop("mode", "RGB"))
    Image.new(mode, (37, 23), (10, 200, 30, 128)[: len(mode)]).save(out, kind, **options)
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        return opened.convert("RGBA").tobytes()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def with_png_text(data: bytes, kind: bytes, body: bytes) -> bytes:
    """A text chunk put just before IEND (after the picture's data)."""
    end = data.rindex(b"IEND") - 4
    return data[:end] + chunk(kind, body) + data[end:]


PICTURES = {
    "jpeg": made("JPEG"),
    "png": made("PNG"),
    "png-alpha": made("PNG", mode="RGBA"),
    "webp": made("WEBP"),
    "webp-lossless": made("WEBP", lossless=True),
    "webp-alpha": made("WEBP", mode="RGBA", lossless=True),
    "jpeg-with-theirs": made("JPEG", xmp=THEIRS),
    "webp-with-theirs": made("WEBP", xmp=THEIRS),
    "png-text-after-data": with_png_text(made("PNG"), b"tEXt", b"XML:com.adobe.xmp\x00" + THEIRS),
    "png-ztext": with_png_text(
        made("PNG"), b"zTXt", b"XML:com.adobe.xmp\x00\x00" + zlib.compress(THEIRS)
    ),
}


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_ours_is_the_only_packet_and_the_picture_is_unchanged(name: str) -> None:
    data = PICTURES[name]
    out = stamped(data, OURS)
    assert own_xmp(out) == OURS
    assert out.count(b"<x:xmpmeta") == 1  # theirs, wherever it was, is gone
    assert pixels(out) == pixels(data)
    with Image.open(io.BytesIO(out)) as opened:
        described = opened.getxmp()["xmpmeta"]["RDF"]["Description"]
    assert described["DataMining"].endswith("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING")
    assert stamped(out, OURS) == out  # stamping again changes nothing


def test_an_extended_xmp_segment_of_a_jpeg_goes_too() -> None:
    data = PICTURES["jpeg-with-theirs"]
    extension = b"http://ns.adobe.com/xmp/extension/\x00" + b"0" * 40 + THEIRS
    segment = b"\xff\xe1" + struct.pack(">H", len(extension) + 2) + extension
    out = stamped(data[:2] + segment + data[2:], OURS)
    assert b"xmp/extension" not in out and own_xmp(out) == OURS


def test_a_picture_named_for_another_kind_is_stamped_as_what_it_is() -> None:
    assert own_xmp(stamped(PICTURES["png"], OURS)) == OURS  # told by its bytes, not a name


@settings(max_examples=examples(400), deadline=None)
@given(
    st.sampled_from(sorted(PICTURES)),
    st.lists(
        st.tuples(st.sampled_from(["cut", "flip", "insert", "zero"]), st.integers(0, 10**6),
                  st.binary(min_size=1, max_size=12)),
        min_size=1, max_size=4,
    ),
)  # fmt: skip
def test_any_bytes_are_stamped_or_refused_never_an_error(
    name: str, damage: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(PICTURES[name])
    for how, at, some in damage:
        at %= len(data) + 1
        if how == "cut":
            del data[at:]
        elif how == "flip" and at < len(data):
            data[at] ^= some[0]
        elif how == "insert":
            data[at:at] = some
        elif how == "zero":
            data[at : at + len(some)] = bytes(len(some))
    try:
        out = stamped(bytes(data), OURS)
    except CannotStamp:
        return
    assert own_xmp(out) == OURS
    own_xmp(bytes(data))  # reading a damaged file's own packet never raises either


def test_a_webp_whose_extended_header_is_empty_is_refused() -> None:
    data = PICTURES["webp-with-theirs"]
    assert data[12:16] == b"VP8X"
    broken = data[:12] + b"VP8X" + struct.pack("<I", 0) + data[12 + 8 + 10 :]
    broken = broken[:4] + struct.pack("<I", len(broken) - 8) + broken[8:]
    with pytest.raises(CannotStamp):
        stamped(broken, OURS)
    assert picture_metadata.kind_of(broken) == "image/webp"
