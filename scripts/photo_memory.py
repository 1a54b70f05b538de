"""Peak memory of one photo's work, each in a fresh process (issue 17, item 5):
the upload check a web worker runs and the public copy the task worker makes, for
the largest photos the checks let through (PHOTO_MAX_PIXELS). Loopback, no server.

    .venv/bin/python scripts/photo_memory.py
"""

import io
import os
import resource
import subprocess
import sys
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suishoupai.settings")
os.environ.setdefault("SUISHOUPAI_TESTING", "true")

CASES = {
    # name: (mode, width, height, format)
    "png-rgb-60mp": ("RGB", 10000, 6000, "PNG"),
    "png-rgba-60mp": ("RGBA", 10000, 6000, "PNG"),
    "webp-rgb-16mp": ("RGB", 4900, 3300, "WEBP"),
    "jpeg-rgb-60mp": ("RGB", 10000, 6000, "JPEG"),
}


def make(mode: str, width: int, height: int, fmt: str) -> bytes:
    from PIL import Image

    # A gradient compresses well (a real 60 MP PNG would not fit 15 MB), decodes as big.
    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 80} if fmt != "PNG" else {"compress_level": 1}))
    return out.getvalue()


def measure(step: str, path: str) -> None:
    import django

    django.setup()
    from suishoupai.photos import imaging
    from suishoupai.photos.services import check_upload

    with open(path, "rb") as handle:
        data = handle.read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if step == "check":
        check_upload("big", data)
    elif step == "copy":
        imaging.render(data)
    else:  # nine copies by a consumer's two worker threads, as HUEY_WORKERS=2 runs them
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(imaging.render, [data] * 9))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{before / 1024:.0f} {peak / 1024:.0f}")


def main() -> None:
    if len(sys.argv) == 3:
        measure(sys.argv[1], sys.argv[2])
        return
    print("| photo | bytes | step | peak RSS (MB) | above the process at rest (MB) |")
    # check: the web worker's upload check; copy: the public copy; nine: nine copies
    # made by two worker threads.
    print("|---|--:|---|--:|--:|")
    for name, spec in CASES.items():
        data = make(*spec)
        with tempfile.NamedTemporaryFile(suffix="." + spec[3].lower()) as handle:
            handle.write(data)
            handle.flush()
            for step in ("check", "copy", "nine"):
                if step == "nine" and spec[3] != "PNG":
                    continue
                out = subprocess.run(
                    [sys.executable, __file__, step, handle.name],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if out.returncode:
                    print(f"| {name} | {len(data)} | {step} | failed: {out.stderr[-200:]} | |")
                    continue
                rest, peak = (float(x) for x in out.stdout.split())
                print(f"| {name} | {len(data)} | {step} | {peak:.0f} | {peak - rest:.0f} |")


if __name__ == "__main__":
    main()
