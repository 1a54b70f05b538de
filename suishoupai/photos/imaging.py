"""Pixel work for the public copies: bytes in, bytes out; no database, no storage.

One pass per photo: decode at reduced scale (JPEGs scaled inside the decoder),
apply the EXIF orientation, find faces and licence plates on small grey copies, pixelate them
and any boxes staff drew, and encode a WebP copy and a thumbnail without any
metadata. The perceptual hash is taken before blurring so that two photos of
the same scene compare alike whatever was blurred in them.
"""

import contextlib
import ctypes
import io
import math
import threading
import warnings
from dataclasses import dataclass

import cv2
import imagehash
import numpy as np
import pillow_heif
from PIL import Image, ImageFilter

pillow_heif.register_heif_opener()

# huey runs several thread workers and the web processes share the machine: one
# core per photo keeps the others responsive (and makes the benchmark honest).
cv2.setNumThreads(1)

PUBLIC_LONG_SIDE = 1600
THUMB_LONG_SIDE = 320
# The default long side of a detection copy (each detector sets its own) and of
# the copy the perceptual hash is taken from.
DETECT_LONG_SIDE = 512
WEBP_QUALITY = 80
# libwebp's effort 0-6: 0 is ~4× faster than the default 4 for ~15% more bytes.
WEBP_METHOD = 0

_CASCADES = cv2.data.haarcascades  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Detector:
    kind: str
    cascade: str
    scale_factor: float
    min_neighbors: int
    min_size: tuple[int, int]
    channel: str  # "grey", or "inverted" for light characters on a dark plate
    long_side: int = DETECT_LONG_SIDE  # of the grey copy it runs on


# Measured on real faces and plates pasted into the 16 shared photos at many sizes
# and places (docs/photos.md, "Tuning the detectors"): no histogram equalisation
# (it found fewer real faces and let in two false plates on a tiled wall), two
# neighbours for a face (five missed most real faces under ~200 px), one plate
# pass on grey (a second, inverted pass cost a third more time for a few plates
# more). Each runs on its own shrunk copy: the cost grows with the square of it.
DETECTORS = [
    # Scale steps of 1.25 cost ~30% less than 1.2 and find as many real faces.
    # 24 px is the cascade's window: on the 448-px copy, faces from ~1/18 of the
    # photo's long side (about 90 px in the public copy).
    Detector("face", "haarcascade_frontalface_default.xml", 1.25, 2, (24, 24), "grey", 448),
    # 60×20 is the plate cascade's own window: plates from ~1/7 of the long side
    # (about 220 px in the copy); at steps coarser than 1.1 plates are missed.
    Detector("plate", "haarcascade_russian_plate_number.xml", 1.1, 1, (60, 20), "grey", 432),
]
_classifiers: dict[str, cv2.CascadeClassifier] = {}


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the public copy."""

    x: int
    y: int
    w: int
    h: int
    kind: str = "staff"

    def as_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h, "kind": self.kind}


@dataclass(frozen=True)
class Rendered:
    public: bytes
    thumb: bytes
    width: int
    height: int
    phash: str
    regions: list[Box]


def draft_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The smallest size, in the image's own aspect, whose long side is `long_side`.

    JPEG draft mode picks the largest 1/2, 1/4 or 1/8 scale that stays at least
    this big, so the public copy never loses resolution to it.
    """
    w, h = size
    scale = long_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def decode_upright(data: bytes, long_side: int = PUBLIC_LONG_SIDE) -> np.ndarray:
    """The photo upright as an RGB array whose long side is at most `long_side`.

    JPEGs in the common colour modes go through OpenCV: its decoder scales by 1/2,
    1/4 or 1/8 inside the IDCT as Pillow's draft mode does, applies the EXIF
    orientation itself and hands over an array without the copies that Pillow ->
    NumPy needs (≈10 ms a photo). Everything else, and any JPEG OpenCV refuses,
    goes through Pillow (`open_upright`).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        header = Image.open(io.BytesIO(data))
        width, height, kind, mode = header.width, header.height, header.format, header.mode
    pixels = None
    if kind == "JPEG" and mode in ("RGB", "L", "YCbCr"):
        flag = _reduced_flag((width, height), long_side)
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if pixels is None:
        image = open_upright(data, long_side)
        size = _fit(image.size, long_side)
        return np.asarray(_shrink(image, size) if size != image.size else image)
    size = _fit((pixels.shape[1], pixels.shape[0]), long_side)
    if size != (pixels.shape[1], pixels.shape[0]):
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR)
    # OpenCV's BGR to RGB after the shrink: fewer pixels to swap, the same result.
    return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)


def _reduced_flag(size: tuple[int, int], long_side: int) -> int:
    """OpenCV's largest JPEG reduction (like draft mode) that keeps `long_side` pixels."""
    for factor, flag in (
        (8, cv2.IMREAD_REDUCED_COLOR_8),
        (4, cv2.IMREAD_REDUCED_COLOR_4),
        (2, cv2.IMREAD_REDUCED_COLOR_2),
    ):
        if max(size) // factor >= long_side:
            return flag
    return cv2.IMREAD_COLOR


# Decodes bigger than this (bytes of pixels, from the header) run one at a time in a
# process: a task worker's threads would otherwise hold several 60-megapixel photos at
# once (nine PNGs took a worker to 886 MB).
BIG_DECODE_BYTES = 64 * 1024 * 1024
_big_decodes = threading.BoundedSemaphore(1)


def open_upright(data: bytes, long_side: int = PUBLIC_LONG_SIDE) -> Image.Image:
    """Decode (at reduced scale where the format allows), upright, RGB, no metadata.

    Memory: one decoded picture at most. PNG, WebP and HEIC cannot be decoded at a
    reduced scale, so the full picture is reduced by a whole factor at once, before
    it is turned, flattened or converted: each of those steps copies the picture,
    and on a 60-megapixel RGBA photo they took the worker from 240 MB to 1.1 GB.
    """
    with warnings.catch_warnings():
        # Corrupt EXIF in phone photos is common; it is dropped anyway.
        warnings.simplefilter("ignore")
        opened = Image.open(io.BytesIO(data))
        if opened.format == "JPEG" and max(opened.size) > long_side:
            opened.draft("RGB", draft_size(opened.size, long_side))
        big = _decoded_bytes(opened) > BIG_DECODE_BYTES
        with _big_decodes if big else contextlib.nullcontext():
            exif = opened.getexif()
            image = _reduced(opened, long_side)
            del opened
            if big:
                _give_back_memory()
        # pillow-heif has already applied HEIF's own rotation (irot) and resets the
        # EXIF orientation it read to 1, so the picture cannot be turned twice.
        upright = _transposed(image, exif)
    return _rgb(upright)


def _give_back_memory() -> None:
    """Return a big decode's freed memory to the system now. glibc keeps large freed
    blocks in each thread's heap (its mmap threshold grows with every free), so two
    worker threads would each keep a 60-megapixel photo's worth for ever."""
    if _libc is not None:
        _libc.malloc_trim(0)


def _load_libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to trim
        return None


_libc = _load_libc()


def _decoded_bytes(image: Image.Image) -> int:
    """The size of the decoded picture, from the header: nothing decoded yet."""
    return image.width * image.height * max(1, len(image.getbands()))


def _reduced(image: Image.Image, long_side: int) -> Image.Image:
    """The decoded picture, reduced by the largest power of two that keeps `long_side`."""
    image.load()
    factor = 1
    while max(image.size) // (factor * 2) >= long_side:
        factor *= 2
    if factor == 1:
        return image
    if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "F", "La", "RGBa"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image.reduce(factor)


def _transposed(image: Image.Image, exif: Image.Exif) -> Image.Image:
    # exif_transpose on the reduced copy, which has lost the original's EXIF.
    orientation = exif.get(0x0112, 1)
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image.transpose(method) if method is not None else image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _classifier(name: str) -> cv2.CascadeClassifier:
    if name not in _classifiers:
        classifier = cv2.CascadeClassifier(_CASCADES + name)
        if classifier.empty():
            raise RuntimeError(f"OpenCV cascade {name} could not be loaded")
        _classifiers[name] = classifier
    return _classifiers[name]


def detect(grey: np.ndarray, copies: dict[tuple[int, str], np.ndarray] | None = None) -> list[Box]:
    """Faces and plates found in the grey public-size picture, as boxes in its pixels.

    Each detector runs on a copy shrunk to its `long_side` (an area average), made
    once per size and channel and shared by the detectors that ask for it; pass
    `copies` to keep them for other uses.
    """
    size = (grey.shape[1], grey.shape[0])
    copies = {} if copies is None else copies
    found: list[Box] = []
    for det in DETECTORS:
        side = det.long_side
        if (side, "grey") not in copies:
            copies[(side, "grey")] = shrunk(grey, side)
        if (side, det.channel) not in copies:  # "inverted"
            copies[(side, det.channel)] = 255 - copies[(side, "grey")]
        pixels = copies[(side, det.channel)]
        scale = size[0] / pixels.shape[1]
        hits = _classifier(det.cascade).detectMultiScale(
            pixels,
            scaleFactor=det.scale_factor,
            minNeighbors=det.min_neighbors,
            minSize=det.min_size,
        )
        for x, y, w, h in hits:
            if det.kind == "plate" and not _looks_like_plate(pixels[y : y + h, x : x + w]):
                continue
            found.append(_padded(Box(int(x), int(y), int(w), int(h), det.kind), scale, size))
    return found


def shrunk(grey: np.ndarray, long_side: int) -> np.ndarray:
    size = _fit((grey.shape[1], grey.shape[0]), long_side)
    if size == (grey.shape[1], grey.shape[0]):
        return grey
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def _looks_like_plate(patch: np.ndarray) -> bool:
    """A plate has a row of character-sized blobs; walls, bricks and signs mostly do not.

    The plate cascade needs a low neighbour count to find real plates at an
    angle, which lets in false alarms; this keeps only patches with 4-12 blobs
    of character shape (dark on light or light on dark) that stay inside the
    patch, as characters stay inside a plate's border (a tiled wall's joints
    run from edge to edge).
    """
    h = patch.shape[0]
    if patch.size == 0 or h < 8:
        return False
    for polarity in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):
        _t, binary = cv2.threshold(patch, 0, 255, polarity | cv2.THRESH_OTSU)
        count, _labels, stats, _c = cv2.connectedComponentsWithStats(binary)
        chars = 0
        for _left, top, width, height, area in stats[1:count]:
            inside = top > 0 and top + height < h
            shaped = 0.3 * h <= height <= 0.95 * h and max(2, 0.1 * h) <= width <= 0.9 * height
            # Glyphs have holes and strokes; solid bars (tile joints, posts) fill their box.
            if inside and shaped and 0.2 <= area / (width * height) <= 0.75:
                chars += 1
        if 4 <= chars <= 12:
            return True
    return False


def _padded(box: Box, scale: float, size: tuple[int, int]) -> Box:
    # Cascades frame the inner face or the plate's characters; blur a margin too.
    pad_w, pad_h = box.w * 0.2, box.h * 0.25
    x0 = max(0, int((box.x - pad_w) * scale))
    y0 = max(0, int((box.y - pad_h) * scale))
    x1 = min(size[0], int((box.x + box.w + pad_w) * scale + 1))
    y1 = min(size[1], int((box.y + box.h + pad_h) * scale + 1))
    return Box(x0, y0, x1 - x0, y1 - y0, box.kind)


def pixelate(image: Image.Image, boxes: list[Box]) -> None:
    """Mosaic each box in place: about 8 blocks across, then softened. Not reversible."""
    for box in boxes:
        x1, y1 = min(image.width, box.x + box.w), min(image.height, box.y + box.h)
        if x1 <= box.x or y1 <= box.y:
            continue
        region = image.crop((box.x, box.y, x1, y1))
        block = max(4, max(region.size) // 8)
        tiny = region.resize(
            (max(1, region.width // block), max(1, region.height // block)), Image.Resampling.BOX
        )
        mosaic = tiny.resize(region.size, Image.Resampling.NEAREST)
        image.paste(mosaic.filter(ImageFilter.GaussianBlur(block / 3)), (box.x, box.y))


def _webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or xmp=: the copy carries pixels only.
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buffer.getvalue()


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    w, h = size
    if max(w, h) <= long_side:
        return w, h
    return draft_size(size, long_side)


def _shrink(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Downscale to `size`: a whole-factor box reduce, then OpenCV's bilinear step.

    The reduce (JPEG draft mode has done it already in the decoder) leaves a step
    of less than 2×, where bilinear hardly aliases: on the real photos it is as
    close to a Lanczos resize as an area average, and 5-8× faster than Pillow's
    antialiased bilinear (≈3 ms against ≈25 ms for 2592 -> 1600 px).
    """
    # Powers of two only: an odd reduce (3×) followed by the bilinear step strays
    # visibly from a careful resize (measured: 6× the error of a 2× reduce).
    factor = 1
    while max(image.size) // (factor * 2) >= max(size):
        factor *= 2
    if factor > 1:
        image = image.reduce(factor)
    return Image.fromarray(cv2.resize(np.asarray(image), size, interpolation=cv2.INTER_LINEAR))


def render(data: bytes, extra: list[Box] | None = None) -> Rendered:
    """The whole public set for one original: copy, thumbnail, hash and what was blurred."""
    pixels = decode_upright(data)
    height, width = pixels.shape[:2]
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    copies: dict[tuple[int, str], np.ndarray] = {}
    regions = detect(grey, copies)
    # imagehash shrinks to 32×32 anyway: from a detection copy it costs next to
    # nothing. Taken from the unblurred picture, so blurring does not change it.
    side = DETECTORS[0].long_side if DETECTORS else DETECT_LONG_SIDE
    small = copies.get((side, "grey"))
    if small is None:
        small = shrunk(grey, side)
    phash = str(imagehash.phash(Image.fromarray(small)))
    image = Image.fromarray(pixels)
    pixelate(image, regions + list(extra or []))
    # A box-filter reduce by a whole factor is several times cheaper than a resample.
    thumb = image.reduce(max(1, math.ceil(max(image.size) / THUMB_LONG_SIDE)))
    return Rendered(
        public=_webp(image),
        thumb=_webp(thumb),
        width=width,
        height=height,
        phash=phash,
        regions=regions,
    )
