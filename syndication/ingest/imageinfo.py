"""Width, height and media type of an image from its first bytes, without an imaging library."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from syndication.ingest.files import open_regular

MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    media_type: str
    width: int | None
    height: int | None
    length: int
    digest: str  # of the bytes: the picture's address changes when they do


def probe(path: Path, root: Path) -> ImageInfo:
    """Read the header for the dimensions (None for formats or files we cannot read), and
    the whole file for its digest. Opened as an article is (files.open_regular): a regular
    file under `root`, never a pipe that would hold the reader."""
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    hasher = hashlib.blake2b(digest_size=6)
    length = 0
    with open_regular(path, root) as handle:
        head = handle.read(64 * 1024)
        chunk = head
        while chunk:
            hasher.update(chunk)
            length += len(chunk)
            chunk = handle.read(1024 * 1024)
    size = _dimensions(head)
    width, height = (size[0], size[1]) if size else (None, None)
    return ImageInfo(media_type, width, height, length, hasher.hexdigest())


def is_picture(data: bytes) -> bool:
    """Whether the bytes are a JPEG, PNG, GIF, WebP or AVIF picture (by what they begin
    with), whatever a file's name or a server's Content-Type said."""
    return _dimensions(data) is not None or data[4:12] in (b"ftypavif", b"ftypavis")


def _dimensions(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the first start-of-frame marker."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
