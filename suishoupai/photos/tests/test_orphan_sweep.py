"""Files a killed process left behind (written, never committed) are swept; nothing a
row names, and nothing young enough to belong to an open transaction, is touched."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from suishoupai.photos import services, tasks
from suishoupai.photos.models import Photo

from . import corpus
from .conftest import files_in

pytestmark = pytest.mark.django_db


def age(media, name: str, hours: float) -> None:
    path = media / name
    when = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(path, (when, when))


def test_a_file_left_by_a_killed_upload_is_swept_and_the_case_photos_stay(report, media):
    _created, case = report(corpus.jpeg())
    photo = case.photos.get()
    storage = Photo._meta.get_field("original").storage
    month = f"{timezone.now():%Y/%m}"
    # What a web worker killed between writing the original and committing leaves.
    orphan = storage.save(f"originals/{month}/killed-upload.jpg", ContentFile(b"x" * 10))
    stale_copy = storage.save(f"public/{month}/killed-derive.webp", ContentFile(b"y" * 10))
    kept = {photo.original.name, photo.public_file.name, photo.thumb_file.name}
    for name in [orphan, stale_copy, *kept]:
        age(media, name, hours=3)

    swept = services.sweep_orphan_files()

    assert sorted(swept) == sorted([orphan, stale_copy])
    left = {str(p.relative_to(media)) for p in files_in(media)}
    assert left == kept


def test_a_young_file_may_belong_to_an_open_transaction_and_is_left(media):
    storage = Photo._meta.get_field("original").storage
    name = storage.save(f"originals/{timezone.now():%Y/%m}/in-flight.jpg", ContentFile(b"x"))
    age(media, name, hours=0.5)

    assert services.sweep_orphan_files() == []
    assert storage.exists(name)
    # An hour later, with still no row, it goes; the daily task does the same.
    age(media, name, hours=2)
    assert tasks.sweep_orphan_files.call_local() == 1
    assert not storage.exists(name)
