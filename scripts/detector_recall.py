"""How many real faces and plates the public-copy detectors find, and what it costs.

    .venv/bin/python scripts/detector_recall.py

Pastes real faces (the NASA astronaut portrait and 100 LFW faces that
scikit-image ships in its wheel: fetched once with `pip download`, nothing is
committed) and drawn Chinese plates (blue and yellow, tests/corpus.py) into the
8 real street photos of shared/data/photos at several sizes and places, runs
`photos.imaging.detect` as `render` does, and counts a hit when a box of the
right kind covers at least half of what was pasted. It also counts faces found
in the 16 unchanged photos (there is none in them) and plates (one, the Dutch
plate in street_garbage_5), and times the detectors per street photo.

Numbers from this script are in docs/photos.md ("Tuning the detectors").
"""

import io
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from suishoupai.photos import imaging  # noqa: E402
from suishoupai.photos.tests import corpus  # noqa: E402

PHOTOS = REPO_ROOT.parent / "shared" / "data" / "photos"
CACHE = REPO_ROOT / "artifacts" / "detector-recall"
FACE_SIZES = (75, 90, 110, 140, 180, 240, 320)  # face width in the 1600-px copy
PLATE_WIDTHS = (200, 250, 300, 400, 500)


def skimage_data(name: str) -> bytes:
    """A file of scikit-image's bundled sample data, from its wheel on PyPI."""
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("scikit_image-*.whl"))
    if not wheels:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(CACHE)]
        subprocess.run([*pip, "scikit-image"], check=True)
        wheels = sorted(CACHE.glob("scikit_image-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        return wheel.read(f"skimage/data/{name}")


def public_copy(path: Path) -> Image.Image:
    return Image.fromarray(imaging.decode_upright(path.read_bytes()))


def covered(boxes: list[imaging.Box], rect: tuple[int, int, int, int], kind: str) -> bool:
    x0, y0, x1, y1 = rect
    for b in boxes:
        if b.kind != kind:
            continue
        ix = max(0, min(x1, b.x + b.w) - max(x0, b.x))
        iy = max(0, min(y1, b.y + b.h) - max(y0, b.y))
        if ix * iy >= 0.5 * (x1 - x0) * (y1 - y0):
            return True
    return False


def found(image: Image.Image) -> list[imaging.Box]:
    return imaging.detect(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY))


def cases(streets: list[Image.Image]):
    """(kind, label, image, rect) for every pasted face and plate."""
    astronaut = Image.open(io.BytesIO(skimage_data("astronaut.png"))).convert("RGB")
    head, face = astronaut.crop((140, 10, 310, 230)), (30, 60, 140, 180)
    lfw = np.load(io.BytesIO(skimage_data("lfw_subset.npy")))[:100]  # the first 100 are faces
    places = ((0.2, 0.2), (0.55, 0.45), (0.75, 0.15))
    k = 0
    for street in streets:
        width, height = street.size
        for size in FACE_SIZES:
            scale = size / (face[2] - face[0])
            pasted = head.resize((round(head.width * scale), round(head.height * scale)))
            for fx, fy in places:
                x, y = int(fx * (width - pasted.width)), int(fy * (height - pasted.height))
                image = street.copy()
                image.paste(pasted, (x, y))
                r = [int(v * scale) for v in face]
                yield "face", f"astronaut {size}", image, (x + r[0], y + r[1], x + r[2], y + r[3])
        for size in (90, 150):
            for j in range(6):
                pasted = Image.fromarray((lfw[k % 100] * 255).astype(np.uint8)).convert("RGB")
                pasted = pasted.resize((size, size), Image.Resampling.BICUBIC)
                k += 1
                x = int((0.1 + 0.13 * j) * (width - size))
                y = int((0.3 + 0.1 * (j % 3)) * (height - size))
                image = street.copy()
                image.paste(pasted, (x, y))
                yield "face", f"LFW {size}", image, (x, y, x + size, y + size)
        for name, colours in (("blue", corpus.BLUE_PLATE), ("yellow", corpus.YELLOW_PLATE)):
            for size in PLATE_WIDTHS:
                pasted = corpus.plate(*colours, width=size)
                for fx, fy in ((0.15, 0.7), (0.6, 0.5)):
                    x, y = int(fx * (width - size)), int(fy * (height - pasted.height))
                    image = street.copy()
                    image.paste(pasted, (x, y))
                    rect = (x, y, x + size, y + pasted.height)
                    yield "plate", f"{name} plate {size}", image, rect


def main() -> None:
    files = sorted(PHOTOS.glob("*.jpg"))
    if not files:
        sys.exit(f"no photos in {PHOTOS}")
    every = {path.stem: public_copy(path) for path in files}
    streets = [image for stem, image in every.items() if stem.startswith("street_garbage")]
    print("detectors:", *imaging.DETECTORS, sep="\n  ")
    table: dict[str, list[bool]] = {}
    for kind, label, image, rect in cases(streets):
        table.setdefault(label, []).append(covered(found(image), rect, kind))
    for label, hits in table.items():
        print(f"  {label:22s} {sum(hits):3d}/{len(hits)}")
    for group in ("astronaut", "LFW", "blue", "yellow"):
        hits = [h for label, v in table.items() if label.startswith(group) for h in v]
        print(f"{group:10s} {sum(hits)}/{len(hits)}")
    on_real = {stem: found(image) for stem, image in every.items()}
    counts = {
        kind: {s: n for s, boxes in on_real.items() if (n := sum(b.kind == kind for b in boxes))}
        for kind in ("face", "plate")
    }
    faces, plates = counts["face"], counts["plate"]
    print("faces found in the unchanged photos (none there):", faces or "none")
    print("plates found in the unchanged photos (the Dutch one in street_garbage_5):", plates)
    greys = [cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY) for image in streets]
    times = []
    for _ in range(5):
        for grey in greys:
            start = time.perf_counter()
            imaging.detect(grey)
            times.append((time.perf_counter() - start) * 1000)
    print(f"detection per street photo: median {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
