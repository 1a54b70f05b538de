"""Pixel work for the public copies: bytes in, bytes out; no database, no storage.

One pass per photo: decode at reduced scale (JPEG draft mode), apply the EXIF
orientation, find faces and licence plates on a small grey copy, pixelate them
and any boxes staff drew, and encode a WebP copy and a thumbnail without any
metadata. The perceptual hash is taken before blurring so that two photos of
the same scene compare alike whatever was blurred in them.
"""

import io
import math
import warnings
from dataclasses import dataclass

import cv2
import imagehash
import numpy as np
import pillow_heif
from PIL import Image, ImageFilter, ImageOps

pillow_heif.register_heif_opener()

# huey runs several thread workers and the web processes share the machine: one
# core per photo keeps the others responsive (and makes the benchmark honest).
cv2.setNumThreads(1)

PUBLIC_LONG_SIDE = 1600
THUMB_LONG_SIDE = 320
# Detection runs on this long side: the smallest face found (24 px here) is
# 1/20 of the photo's long side, about 75 px in the public copy. A larger copy
# finds smaller faces at a cost that grows with the square of the side.
DETECT_LONG_SIDE = 512
WEBP_QUALITY = 80
# libwebp's effort 0-6: 1 is about 3× faster than the default 4 for ~10% more bytes.
WEBP_METHOD = 1

_CASCADES = cv2.data.haarcascades  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Detector:
    kind: str
    cascade: str
    scale_factor: float
    min_neighbors: int
    min_size: tuple[int, int]
    channel: str  # "grey", or "inverted" for light characters on a dark plate


# Tuned on the 16 photos in shared/data/photos (docs/photos.md): no face found
# where there is none, the Dutch plate in street_garbage_5 found, and the two
# false plates (a bin's sign, a wall) dropped by _looks_like_plate. The plate
# cascade (trained on Russian plates) needs both polarities: in the tests the
# Dutch and the blue plate (蓝牌) are found only on grey, the yellow one (黄牌)
# only on inverted grey.
DETECTORS = [
    # Scale steps of 1.25 cost ~30% less than 1.2 and still find the test faces at
    # every size tried; plates need 1.1 (at 1.2 the Dutch and test plates are missed).
    Detector("face", "haarcascade_frontalface_default.xml", 1.25, 5, (24, 24), "grey"),
    # 60×20 is the plate cascade's own window: plates from ~190 px wide in the copy.
    Detector("plate", "haarcascade_russian_plate_number.xml", 1.1, 1, (60, 20), "grey"),
    Detector("plate", "haarcascade_russian_plate_number.xml", 1.1, 1, (60, 20), "inverted"),
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


def open_upright(data: bytes, long_side: int = PUBLIC_LONG_SIDE) -> Image.Image:
    """Decode (at reduced scale where the format allows), upright, RGB, no metadata."""
    with warnings.catch_warnings():
        # Corrupt EXIF in phone photos is common; it is dropped anyway.
        warnings.simplefilter("ignore")
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG" and max(image.size) > long_side:
            image.draft("RGB", draft_size(image.size, long_side))
        # pillow-heif has already applied HEIF's own rotation (irot) and resets the
        # EXIF orientation it read to 1, so exif_transpose cannot turn a HEIC twice.
        upright = ImageOps.exif_transpose(image)
    return _rgb(upright)


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


def detect(grey: np.ndarray, scale: float, size: tuple[int, int]) -> list[Box]:
    """Faces and plates found on the small grey copy, as boxes in the coordinates of `size`.

    Every detector runs on the same equalised array (and its inverse), made once.
    """
    grey = cv2.equalizeHist(grey)
    channels = {"grey": grey, "inverted": 255 - grey}
    found: list[Box] = []
    for det in DETECTORS:
        pixels = channels[det.channel]
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
    image = open_upright(data)
    image.info.clear()
    size = _fit(image.size, PUBLIC_LONG_SIDE)
    if size != image.size:
        image = _shrink(image, size)
    pixels = np.asarray(image)
    # The detection copy comes from the grey 1600-px copy: one channel to shrink.
    # Pillow's bilinear here, not OpenCV's area average: the plate cascade's
    # tuning (docs/photos.md) was made on it, and the blue test plate is missed
    # on the slightly softer area-averaged copy.
    small = Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))
    small.thumbnail((DETECT_LONG_SIDE, DETECT_LONG_SIDE), Image.Resampling.BILINEAR)
    grey = np.asarray(small)
    phash = str(imagehash.phash(small))
    regions = detect(grey, size[0] / grey.shape[1], size)
    pixelate(image, regions + list(extra or []))
    # A box-filter reduce by a whole factor is several times cheaper than a resample.
    thumb = image.reduce(max(1, math.ceil(max(image.size) / THUMB_LONG_SIDE)))
    return Rendered(
        public=_webp(image),
        thumb=_webp(thumb),
        width=image.width,
        height=image.height,
        phash=phash,
        regions=regions,
    )
