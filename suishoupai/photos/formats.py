"""What an uploaded file really is, read from its bytes: format, where the picture
ends, and how much metadata it carries.

Pillow decodes pixels but does not say whether a file has something else glued
to it (a ZIP after a JPEG's end, a script in a comment). These walkers follow
each format's own structure (JPEG markers, PNG chunks, RIFF chunks, ISO-BMFF
boxes) and report what lies outside the picture, so `services.check_upload`
can refuse polyglots and absurd metadata with a reason.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass


class Damaged(ValueError):
    """The structure ends early or contradicts itself."""


@dataclass(frozen=True)
class Layout:
    end: int  # offset just past the picture's last byte
    metadata: int  # bytes of EXIF, XMP, ICC, comments, text and unknown chunks
    exif: int  # bytes of the EXIF block(s) alone
    metadata_blobs: tuple[bytes, ...] = ()


HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Brands of HEIF containers we do not accept (AV1 inside): they are AVIF, not HEIC.
AVIF_BRANDS = {b"avif", b"avis"}

# Content other programs would run or open if they got hold of the bytes.
FOREIGN_MARKERS = re.compile(
    rb"<script|<html|<iframe|<\?php|<!doctype html|%PDF-|PK\x03\x04|<svg[\s>]",
    re.IGNORECASE,
)


def sniff(data: bytes) -> str | None:
    """JPEG, PNG, WEBP or HEIF from the leading bytes; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brands = _ftyp_brands(data)
        if brands[0] in AVIF_BRANDS:
            return None
        if HEIF_BRANDS & set(brands):
            return "HEIF"
    return None


def describe(data: bytes) -> str | None:
    """A name for common non-photo files, to tell the sender what they sent."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF") or b"%pdf-" in data[:1024].lower():
        return "PDF"
    if head.startswith(b"<?xml") or b"<svg" in head:
        return "SVG"
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "HTML"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"PK\x03\x04":
        return "ZIP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:2] == b"BM":
        return "BMP"
    if data[4:8] == b"ftyp" and _ftyp_brands(data)[0] in AVIF_BRANDS:
        return "AVIF"
    return None


def layout(fmt: str, data: bytes) -> Layout:
    walkers: dict[str, Callable[[bytes], Layout]] = {
        "JPEG": _jpeg,
        "PNG": _png,
        "WEBP": _webp,
        "HEIF": _heif,
    }
    return walkers[fmt](data)


def trailing_is_harmless(fmt: str, data: bytes, end: int) -> bool:
    """Bytes after the picture that cameras really write.

    Padding (zeros or 0xFF), and for JPEG further JPEG streams: the Multi-Picture
    Format of many phones and the gain maps of Ultra HDR photos append whole
    JPEGs after the first one's end.
    """
    rest = data[end:]
    if not rest.strip(b"\x00\xff"):
        return True
    if fmt != "JPEG":
        return False
    pos = end
    while pos < len(data):
        if not data[pos:].strip(b"\x00\xff"):
            return True
        if data[pos : pos + 3] != b"\xff\xd8\xff":
            return False
        try:
            inner = _jpeg(data, pos)
        except Damaged:
            return False
        if FOREIGN_MARKERS.search(b"".join(inner.metadata_blobs)):
            return False
        pos = inner.end
    return True


# ------------------------------------------------------------------ JPEG


def _jpeg(data: bytes, start: int = 0) -> Layout:
    n = len(data)
    pos = start + 2
    metadata = exif = 0
    blobs: list[bytes] = []
    while True:
        if pos + 2 > n or data[pos] != 0xFF:
            raise Damaged("marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return Layout(pos + 2, metadata, exif, tuple(blobs))
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            raise Damaged("segment header cut off")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        seg_end = pos + 2 + length
        if length < 2 or seg_end > n:
            raise Damaged("segment runs past the end")
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn and COM
            payload = data[pos + 4 : seg_end]
            metadata += length
            blobs.append(payload)
            if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
                exif += length
        pos = seg_end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            pos = _scan_end(data, pos)


def _scan_end(data: bytes, pos: int) -> int:
    while True:
        i = data.find(b"\xff", pos)
        if i < 0 or i + 1 >= len(data):
            raise Damaged("image data cut off")
        following = data[i + 1]
        # 0xFF00 is an escaped data byte, 0xFFD0-D7 restart markers, 0xFFFF fill.
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = i + 2
        elif following == 0xFF:
            pos = i + 1
        else:
            return i


# ------------------------------------------------------------------ PNG

# Ancillary chunks that describe the pixels; every other ancillary chunk (text,
# EXIF, ICC, private ones) is metadata and counts against the limit.
PNG_PIXEL_CHUNKS = {
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"sBIT",
    b"pHYs",
    b"bKGD",
    b"hIST",
    b"sPLT",
    b"tIME",
    b"cICP",
    b"mDCV",
    b"cLLI",
    b"acTL",
    b"fcTL",
    b"fdAT",
}


def _png(data: bytes) -> Layout:
    pos, n = 8, len(data)
    metadata = exif = 0
    blobs: list[bytes] = []
    while True:
        if pos + 8 > n:
            raise Damaged("chunk header cut off")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > n:
            raise Damaged("chunk runs past the end")
        if kind == b"IEND":
            return Layout(end, metadata, exif, tuple(blobs))
        if kind[:1].islower() and kind not in PNG_PIXEL_CHUNKS:
            metadata += length
            blobs.append(data[pos + 8 : pos + 8 + length])
            if kind == b"eXIf":
                exif += length
        pos = end


# ------------------------------------------------------------------ WebP

WEBP_PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


def _webp(data: bytes) -> Layout:
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data) or riff_end < 12:
        raise Damaged("RIFF size runs past the end")
    pos = 12
    metadata = exif = 0
    blobs: list[bytes] = []
    while pos + 8 <= riff_end:
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if pos + 8 + length > riff_end:
            raise Damaged("chunk runs past the end")
        if kind not in WEBP_PIXEL_CHUNKS:
            metadata += length
            blobs.append(data[pos + 8 : pos + 8 + length])
            if kind == b"EXIF":
                exif += length
        pos = end
    return Layout(riff_end, metadata, exif, tuple(blobs))


# ------------------------------------------------------------------ HEIF


def _ftyp_brands(data: bytes) -> list[bytes]:
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > min(len(data), 4096):
        return [b""]
    return [data[8:12]] + [data[i : i + 4] for i in range(16, size - 3, 4)]


def _heif(data: bytes) -> Layout:
    """Top-level boxes must tile the file exactly; EXIF/XMP sizes come from Pillow."""
    pos, n = 0, len(data)
    while pos < n:
        if pos + 8 > n:
            raise Damaged("box header cut off")
        size = int.from_bytes(data[pos : pos + 4], "big")
        header = 8
        if size == 1:
            if pos + 16 > n:
                raise Damaged("box header cut off")
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = n - pos
        if size < header or pos + size > n:
            if pos and not data[pos + 4 : pos + 8].isalnum():
                # Not a box at all: something else follows the picture.
                return Layout(pos, 0, 0)
            raise Damaged("box runs past the end")
        pos += size
    return Layout(pos, 0, 0)
