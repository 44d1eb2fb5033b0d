"""IPTC photo metadata (as XMP) in the pictures we serve: credit, copyright notice, web
statement of rights, licensor and the Data Mining property, so the policy travels with a
picture saved from a page. Written into the file's own bytes (JPEG APP1, PNG iTXt, WebP's
XMP chunk): the picture itself is never decoded or re-encoded for it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from syndication.publish import machine_rights
from syndication.rights_policy import Policy

XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"  # what opens a JPEG's XMP segment
XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"  # the rest of a long packet
PNG_KEYWORD = b"XML:com.adobe.xmp"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SEGMENT = 65533  # a JPEG segment's payload


class CannotStamp(Exception):
    """The file is not one whose metadata can be written here (malformed, or another kind)."""


@dataclass(frozen=True, slots=True)
class Statement:
    """What a picture's metadata says of it."""

    credit: str
    notice: str  # the copyright notice
    web_statement: str  # the policy's document
    licensor_url: str  # where to license it
    policy: Policy
    # An agency's picture (its credit or rights name a licensed-in source): the metadata it
    # came with, if any, is kept as it is; this statement is written only into one without.
    keep_own: bool = False


def xmp_packet(said: Statement) -> bytes:
    """An XMP packet with IPTC Core's and PLUS's rights properties."""
    term = machine_rights.data_mining_term(said.policy)
    other = machine_rights.other_constraints(said.policy)
    a = {k: escape(v, {'"': "&quot;"}) for k, v in {
        "credit": said.credit, "notice": said.notice, "statement": said.web_statement,
        "licensor": said.licensor_url, "term": term, "other": other,
    }.items()}  # fmt: skip
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" '
        'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
        f'photoshop:Credit="{a["credit"]}" '
        f'xmpRights:WebStatement="{a["statement"]}" '
        'xmpRights:Marked="True" '
        f'plus:DataMining="{a["term"]}" '
        f'plus:OtherConstraints="{a["other"]}">'
        f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{a["notice"]}</rdf:li></rdf:Alt>'
        "</dc:rights>"
        f'<plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource">'
        f"<plus:LicensorURL>{a['licensor']}</plus:LicensorURL></rdf:li></rdf:Seq>"
        "</plus:Licensor>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    ).encode()


def stamped(data: bytes, xmp: bytes) -> bytes:
    """`data` (a JPEG, PNG or WebP, told by its first bytes, whatever its name says) with
    `xmp` as its only XMP packet: any other it had, in any of its formats' places, taken
    out. CannotStamp for anything else, or a file whose structure is broken."""
    write = {"image/jpeg": _jpeg, "image/png": _png, "image/webp": _webp}.get(kind_of(data))
    if write is None:
        raise CannotStamp("not a JPEG, PNG or WebP: it carries no metadata here")
    try:
        return write(data, xmp)
    except CannotStamp:
        raise
    except (ArithmeticError, LookupError, struct.error, ValueError, StopIteration) as exc:
        raise CannotStamp(f"its structure cannot be read ({type(exc).__name__})") from None


def own_xmp(data: bytes) -> bytes | None:
    """The XMP packet a JPEG, PNG or WebP file carries, if any (an agency's, kept as it is)."""
    media_type = kind_of(data)
    try:
        if media_type == "image/jpeg":
            segments = _jpeg_segments(data)[0]
            return next((p[len(XMP_ID) :] for m, p in segments if _is_xmp(m, p)), None)
        if media_type == "image/png":
            for kind, body in _png_chunks(data):
                if _is_png_xmp(kind, body):
                    return _png_text(kind, body.split(b"\x00", 1)[1])
            return None
        if media_type == "image/webp":
            return next((body for kind, body in _webp_chunks(data) if kind == b"XMP "), None)
    except (CannotStamp, ArithmeticError, LookupError, struct.error, ValueError, StopIteration):
        return None
    return None


def kind_of(data: bytes) -> str:
    """The media type of a JPEG, PNG or WebP file by its first bytes ("" for another)."""
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _is_png_xmp(kind: bytes, body: bytes) -> bool:
    """A text chunk of any of PNG's three kinds that holds an XMP packet (under its keyword,
    however spaced, or ImageMagick's raw profile)."""
    keyword = body.split(b"\x00", 1)[0].strip().lower()
    return kind in (b"iTXt", b"tEXt", b"zTXt") and keyword in (
        PNG_KEYWORD.lower(),
        b"raw profile type xmp",
    )


def _png_text(kind: bytes, rest: bytes) -> bytes:
    """A text chunk's text, after its keyword. iTXt: compression flag and method, language
    and translated keyword (each ended by a zero byte), then the text, deflated when
    flagged; zTXt: a method, then deflated text; tEXt: the text."""
    try:
        if kind == b"tEXt":
            return rest
        if kind == b"zTXt":
            return _inflated(rest[1:])
        compressed, rest = rest[:1] == b"\x01", rest[2:]
        text = rest.split(b"\x00", 2)[-1]
        return _inflated(text) if compressed else text
    except zlib.error:
        raise CannotStamp("a PNG's metadata cannot be inflated") from None


def _inflated(data: bytes) -> bytes:
    """Deflated text, at most a JPEG segment's worth: a packet that inflates past it is not
    one we keep (a small chunk that inflates to gigabytes is refused, not read)."""
    inflate = zlib.decompressobj()
    text = inflate.decompress(data, MAX_SEGMENT + 1)
    if len(text) > MAX_SEGMENT or inflate.unconsumed_tail:
        raise CannotStamp("a PNG's metadata inflates past any packet's size")
    return text


def _is_xmp(marker: int, payload: bytes) -> bool:
    return marker == 0xE1 and payload.startswith(XMP_ID)


def _is_any_xmp(marker: int, payload: bytes) -> bool:
    """A segment that holds XMP: the packet, a part of a long one (Extended XMP), one under
    another signature, or a comment holding a packet. (EXIF stays: it says which way up the
    picture is.)"""
    if marker == 0xE1:
        return payload.startswith((XMP_ID, XMP_EXTENSION, b"XMP\x00", b"<?xpacket", b"<x:xmpmeta"))
    return marker == 0xFE and b"xmpmeta" in payload


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The segments before the scan (marker, payload), and where the scan begins."""
    if not data.startswith(b"\xff\xd8"):
        raise CannotStamp("not a JPEG")
    found: list[tuple[int, bytes]] = []
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise CannotStamp("a JPEG segment does not begin with a marker")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the picture's data follows
            return found, at
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            raise CannotStamp("a JPEG segment runs past the file")
        found.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
    raise CannotStamp("a JPEG with no picture data")


def _jpeg(data: bytes, xmp: bytes) -> bytes:
    segments, scan = _jpeg_segments(data)
    payload = XMP_ID + xmp
    if len(payload) > MAX_SEGMENT:
        raise CannotStamp("the metadata is too long for a JPEG segment")
    kept = [(m, p) for m, p in segments if not _is_any_xmp(m, p)]
    # after JFIF's APP0 (which must come first), else first
    at = 1 if kept and kept[0][0] == 0xE0 else 0
    kept.insert(at, (0xE1, payload))
    head = b"".join(b"\xff" + bytes([m]) + struct.pack(">H", len(p) + 2) + p for m, p in kept)
    rest = data[scan:]
    if b"xmpmeta" in rest:  # a packet between a progressive picture's scans, or after it
        raise CannotStamp("XMP where only the picture's data should be")
    return b"\xff\xd8" + head + rest


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise CannotStamp("not a PNG")
    at, found = len(PNG_SIGNATURE), []
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if at + 12 + length > len(data):
            raise CannotStamp("a PNG chunk runs past the file")
        found.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            return found
    raise CannotStamp("a PNG with no end")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(data: bytes, xmp: bytes) -> bytes:
    chunks = [(k, b) for k, b in _png_chunks(data) if not _is_png_xmp(k, b)]
    # keyword, no compression, no language, no translated keyword, then the text
    ours = (b"iTXt", PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + xmp)
    first_data = next(i for i, (k, _) in enumerate(chunks) if k in (b"IDAT", b"IEND"))
    chunks.insert(first_data, ours)
    return PNG_SIGNATURE + b"".join(_chunk(k, b) for k, b in chunks)


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise CannotStamp("not a WebP")
    found: list[tuple[bytes, bytes]] = []
    at = 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        if at + 8 + length > len(data):
            raise CannotStamp("a WebP chunk runs past the file")
        found.append((kind, data[at + 8 : at + 8 + length]))
        at += 8 + length + (length & 1)
    return found


def _webp(data: bytes, xmp: bytes) -> bytes:
    chunks = [(k, b) for k, b in _webp_chunks(data) if k != b"XMP "]
    if not chunks:
        raise CannotStamp("a WebP with no picture")
    if chunks[0][0] == b"VP8X" and len(chunks[0][1]) != 10:
        raise CannotStamp("a WebP whose extended header is not ten bytes")
    if chunks[0][0] != b"VP8X":  # a simple file: the extended header says there is XMP
        width, height, alpha = _webp_size(chunks[0])
        flags = 0x10 if alpha else 0
        header = bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little")
        chunks.insert(0, (b"VP8X", header + (height - 1).to_bytes(3, "little")))
    header = chunks[0][1]
    chunks[0] = (b"VP8X", bytes([header[0] | 0x04]) + header[1:])  # the XMP flag
    chunks.append((b"XMP ", xmp))
    body = b"".join(
        k + struct.pack("<I", len(b)) + b + (b"\x00" if len(b) & 1 else b"") for k, b in chunks
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def _webp_size(chunk: tuple[bytes, bytes]) -> tuple[int, int, bool]:
    kind, body = chunk
    if kind == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width = struct.unpack("<H", body[6:8])[0] & 0x3FFF
        height = struct.unpack("<H", body[8:10])[0] & 0x3FFF
        return width, height, False
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool((bits >> 28) & 1)
    raise CannotStamp("a WebP whose picture is not VP8 or VP8L")
