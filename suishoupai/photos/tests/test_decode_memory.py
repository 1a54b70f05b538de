"""A photo worker's memory is bounded per photo (issue 17: nine 60-megapixel PNGs took it
to 886 MB): big decodes are recognised from the header, run one at a time, and are
reduced before any copy is made. Peak RSS is measured by scripts/photo_memory.py."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from suishoupai.photos import imaging


def _png(size=(2400, 1800), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 255)[: len(mode)]).save(out, "PNG")
    return out.getvalue()


def test_the_decoded_size_is_read_from_the_header_before_any_pixel():
    image = Image.open(io.BytesIO(_png()))
    assert imaging._decoded_bytes(image) == 2400 * 1800 * 4
    assert image.tile  # still to be decoded: load() empties it


def test_big_decodes_run_one_at_a_time_small_ones_together(monkeypatch):
    reduce, running, most = imaging._reduced, [0], [0]
    lock = threading.Lock()

    def watched(image, long_side):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        try:
            return reduce(image, long_side)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(imaging, "_reduced", watched)
    data = _png()
    monkeypatch.setattr(imaging, "BIG_DECODE_BYTES", 1024)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(imaging.open_upright, [data] * 6))
    assert most[0] == 1

    # Small decodes: two must be able to meet inside the decode at once. A barrier, not a
    # count of overlaps, so a loaded machine that happens to serialise them cannot fail it;
    # one at a time, the barrier times out.
    met = threading.Barrier(2, timeout=20)

    def meeting(image, long_side):
        met.wait()
        return reduce(image, long_side)

    monkeypatch.setattr(imaging, "_reduced", meeting)
    monkeypatch.setattr(imaging, "BIG_DECODE_BYTES", 10**12)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(imaging.open_upright, [data] * 2))


def test_a_big_rgba_photo_is_reduced_before_it_is_flattened():
    copy = imaging.open_upright(_png((6400, 4800)), 1600)
    assert copy.mode == "RGB"
    assert copy.size == (1600, 1200)
    assert copy.getpixel((10, 10)) == (10, 120, 200)
