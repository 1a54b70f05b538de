"""Fifty reports with a photo each sent at once to a running server; prints how long
each took (issue 17, item 6). Loopback only.

    .venv/bin/python scripts/burst.py http://127.0.0.1:8108 [count] [photo.jpg] [photos each]
"""

import io
import statistics
import sys
import threading
import time
import uuid

import requests
from PIL import Image


def photo_bytes(path: str | None) -> bytes:
    if path:
        with open(path, "rb") as handle:
            return handle.read()
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 110, 100)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    base = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    data = photo_bytes(sys.argv[3] if len(sys.argv) > 3 else None)
    per_report = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def one(n: int) -> None:
        form = {
            "category": "sanitation",
            "description": f"压力测试 {n}",
            "lat": "45.7869",
            "lng": "126.6389",
        }
        barrier.wait()
        started = time.monotonic()
        try:
            response = requests.post(
                f"{base}/api/v1/cases",
                data=form,
                files=[("photos", (f"p{i}.jpg", data, "image/jpeg")) for i in range(per_report)],
                headers={"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": f"10.9.{n}.1"},
                timeout=300,
            )
            results[n] = (response.status_code, time.monotonic() - started)
        except Exception as exc:  # reported, not raised
            results[n] = (repr(exc)[:80], time.monotonic() - started)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = time.monotonic() - started
    took = sorted(r[1] for r in results)
    codes: dict = {}
    for code, _t in results:
        codes[code] = codes.get(code, 0) + 1
    print(f"{count} reports: {total:.1f} s in all; answers {codes}")
    print(f"per request: median {statistics.median(took):.2f} s, slowest {took[-1]:.2f} s")


if __name__ == "__main__":
    main()
