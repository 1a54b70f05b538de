"""Fifty reports at once on PostgreSQL (issue 17: seven of fifty timed out).

Where they queued: every report of a day takes its number from one counter row,
whose lock is held until the report commits; the number was taken first, so each
report held it while its photos went to the store (seconds on S3) and the others
waited in line for it (pg_stat_activity: 7 of 8 server sessions waiting on that
lock). The number is now taken last, the lock held only for the commit.
"""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from PIL import Image

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.photos.models import Photo
from suishoupai.photos.services import check_uploads
from suishoupai.tests.concurrency import POSTGRES_ONLY

pytestmark = POSTGRES_ONLY
BURST = 50
# As many at once as the server runs: `serve`'s 2 web workers × 4 threads.
AT_ONCE = 8


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _photos() -> list:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 110, 100)).save(buffer, "JPEG", quality=90)
    return check_uploads([("p.jpg", buffer.getvalue())])


def _report(n: int, photos=None) -> str:
    lat, lng = f.DAOWAI
    try:
        report = services.Report(category="sanitation", description=f"垃圾{n}", lat=lat, lng=lng)
        case, _token = services.submit(report, photos, now=f.WEDNESDAY_9AM)
        return case.number
    finally:
        connection.close()


def test_a_report_storing_its_photos_does_not_hold_up_the_next_number(city, monkeypatch):
    storing, release = threading.Event(), threading.Event()
    save = FileSystemStorage._save

    def slow_store(self, name, content):
        storing.set()
        assert release.wait(timeout=30)
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", slow_store)
    with ThreadPoolExecutor(2) as pool:
        with_photo = pool.submit(_report, 1, _photos())
        assert storing.wait(timeout=30)
        # The first report is inside its transaction, its photo on its way to the store:
        # a second report gets its number and commits meanwhile.
        number = pool.submit(_report, 2).result(timeout=15)
        release.set()
        assert number == "20261125-0001"
        assert with_photo.result(timeout=30) == "20261125-0002"


def test_fifty_reports_at_once_are_all_filed_with_their_own_numbers(city):
    photos = _photos()
    start = threading.Barrier(AT_ONCE)

    def one(n: int) -> str:
        if n < AT_ONCE:
            start.wait()
        return _report(n, photos)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        numbers = sorted(pool.map(one, range(BURST)))
    assert numbers == [f"20261125-{n:04d}" for n in range(1, BURST + 1)]
    assert Case.objects.count() == BURST
    assert CaseEvent.objects.filter(action="case.submitted").count() == BURST
    assert Photo.objects.count() == BURST
