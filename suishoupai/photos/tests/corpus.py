"""Photos made by the tests: good ones of every accepted kind and a corpus of bad files.

Nothing binary is committed: every file is built here from a few lines of Pillow
or raw bytes, so each one says what it is meant to be.
"""

import io
import struct
import zlib

import pillow_heif
from PIL import Image, ImageDraw, ImageFilter

pillow_heif.register_heif_opener()

# 道外区 靖宇街 (WGS-84) as degrees, minutes, seconds.
GPS_LAT = (45.0, 46.0, 51.0)
GPS_LNG = (126.0, 38.0, 55.0)
GPS_DECIMAL = (45 + 46 / 60 + 51 / 3600, 126 + 38 / 60 + 55 / 3600)
CAMERA_MAKE = "SuishoupaiTestCam-7731"


def scene(size=(640, 480), color=(120, 130, 140)) -> Image.Image:
    """A plain street-like picture with some texture (WebP/JPEG encoders like that)."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 40):
        draw.line([(i, 0), (i + size[1] // 2, size[1])], fill=(90, 95, 100), width=3)
    return image


def checkerboard(size=(640, 480), square=16) -> Image.Image:
    """Sharp detail everywhere (a sign, a house number): any blur shows."""
    image = Image.new("RGB", size, (240, 240, 240))
    draw = ImageDraw.Draw(image)
    for y in range(0, size[1], square):
        for x in range((y // square % 2) * square, size[0], 2 * square):
            draw.rectangle([x, y, x + square - 1, y + square - 1], fill=(20, 20, 20))
    return image


def exif(orientation: int | None = None, gps: bool = False) -> Image.Exif:
    data = Image.Exif()
    data[0x010F] = CAMERA_MAKE  # Make
    if orientation:
        data[0x0112] = orientation
    if gps:
        data[0x8825] = {1: "N", 2: GPS_LAT, 3: "E", 4: GPS_LNG}
    return data


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg(size=(640, 480), orientation=None, gps=False, image=None) -> bytes:
    image = image or scene(size)
    return encode(image, "JPEG", quality=90, exif=exif(orientation, gps).tobytes())


def png(size=(64, 48)) -> bytes:
    return encode(scene(size), "PNG")


def webp(size=(64, 48)) -> bytes:
    return encode(scene(size), "WEBP")


def heic(image=None, orientation=None, gps=False) -> bytes:
    image = image or scene((64, 48))
    return encode(image, "HEIF", quality=90, exif=exif(orientation, gps).tobytes())


def split_colours(size=(80, 40)) -> Image.Image:
    """Left half red, right half blue: shows which way a photo was turned."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def face(size: int = 100, background: int = 100) -> Image.Image:
    """A drawn face, lighter than what is around it as a lit face is, that OpenCV's
    frontal-face cascade finds at every size and place tried (90-140 px, three places)."""
    image = Image.new("L", (size * 3, size * 3), background)
    draw = ImageDraw.Draw(image)
    cx, cy, s = size * 1.5, size * 1.5, size
    draw.ellipse([cx - 0.5 * s, cy - 0.75 * s, cx + 0.5 * s, cy - 0.3 * s], fill=60)  # hair
    draw.ellipse([cx - 0.42 * s, cy - 0.45 * s, cx + 0.42 * s, cy + 0.6 * s], fill=205)
    for ex in (-0.18, 0.18):
        draw.ellipse(
            [cx + ex * s - 0.09 * s, cy - 0.12 * s, cx + ex * s + 0.09 * s, cy - 0.03 * s],
            fill=40,
        )
        draw.rectangle(
            [cx + ex * s - 0.12 * s, cy - 0.2 * s, cx + ex * s + 0.12 * s, cy - 0.17 * s],
            fill=70,
        )
    draw.polygon(
        [(cx, cy - 0.05 * s), (cx - 0.06 * s, cy + 0.15 * s), (cx + 0.06 * s, cy + 0.15 * s)],
        fill=180,
    )
    draw.rectangle([cx - 0.15 * s, cy + 0.27 * s, cx + 0.15 * s, cy + 0.31 * s], fill=90)
    return image.filter(ImageFilter.GaussianBlur(s / 40)).convert("RGB")


def plate(background, characters, width: int = 400) -> Image.Image:
    """A licence plate in China's proportions (440 × 140 mm), bordered, seven characters."""
    from PIL import ImageFont

    height = width * 140 // 440
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle([3, 3, width - 4, height - 4], outline=characters, width=3)
    font = ImageFont.load_default(size=int(height * 0.7))
    draw.text((width * 0.06, height * 0.12), "A·D1234", fill=characters, font=font)
    return image


def street_with_plate(background, characters) -> Image.Image:
    """A dark car front filling a 1600×1200 photo, its plate at (500, 700), 400 px wide."""
    image = scene((1600, 1200), (60, 60, 65))
    image.paste(plate(background, characters), (500, 700))
    return image


BLUE_PLATE = ((20, 70, 180), (245, 245, 245))  # 蓝牌: white characters on blue
YELLOW_PLATE = ((240, 190, 20), (20, 20, 20))  # 黄牌: black characters on yellow


def street_with_face() -> Image.Image:
    """A 1200×900 street scene with a passer-by's face, about (808, 225)-(892, 360)."""
    image = scene((1200, 900))
    image.paste(face(100), (700, 150))
    return image


# ------------------------------------------------------------------ bad files


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header promises ten billion pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_with_huge_exif() -> bytes:
    """A real JPEG with three full APP1 Exif segments (~192 KB) after its SOI."""
    good = jpeg((64, 48))
    segment = b"Exif\x00\x00" + b"MM\x00*" + b"\x00" * (65533 - 10)
    app1 = b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment
    return good[:2] + app1 * 3 + good[2:]


def jpeg_with_script_comment() -> bytes:
    comment = b"<script>alert(document.cookie)</script>"
    com = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    good = jpeg((64, 48))
    return good[:2] + com + good[2:]


def zip_file() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a photo")
    return buffer.getvalue()


def bad_files() -> dict[str, tuple[bytes, str]]:
    """file name → (bytes, a fragment the English refusal must contain)."""
    good = jpeg((64, 48))
    return {
        "empty.jpg": (b"", "is empty"),
        "invoice.jpg": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "of type PDF"),
        "drawing.jpg": (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "of type SVG",
        ),
        "page.jpg": (b"<!DOCTYPE html><html><body>hi</body></html>", "of type HTML"),
        "random.jpg": (bytes(range(256)) * 4, "not a readable"),
        "animation.jpg": (encode(scene((32, 32)), "GIF"), "of type GIF"),
        "truncated.jpg": (good[: len(good) // 2], "damaged or incomplete"),
        "no_end.png": (png()[:-12], "damaged or incomplete"),
        "header_only.jpg": (good[:20], "damaged or incomplete"),
        "bomb.png": (png_bomb(), "too many pixels"),
        "exif_bomb.jpg": (jpeg_with_huge_exif(), "EXIF block"),
        "polyglot_zip.jpg": (good + zip_file(), "other data attached"),
        "polyglot_script.jpg": (jpeg_with_script_comment(), "hides other content"),
        "polyglot_html.png": (png() + b"<html><script>x()</script></html>", "other data attached"),
        "pdf_inside.webp": (webp() + b"%PDF-1.4 trailer", "other data attached"),
        "heic_plus_zip.heic": (heic() + zip_file(), "other data attached"),
        "cut.heic": (heic()[:-40], "damaged or incomplete"),
    }
