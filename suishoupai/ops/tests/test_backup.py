"""Backup and restore of the database and the photo store together (issue 17.8).

The restore runs as `manage.py restore` in a fresh install (a new DATA_DIR and,
on PostgreSQL, a new empty database), and the cases, events and photo files it
ends with are compared with the ones backed up.
"""

import hashlib
import io
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from suishoupai.cases import services
from suishoupai.photos.models import DerivativeStatus, Photo

from .reports import report
from .server import MANAGE, served_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def history(city, olga):
    """Two reports with photos (copies made), one of them filed by the operator."""
    first = report(photos=2)
    report(photos=1, description="井盖缺失，行人易跌落")
    services.accept(first, olga, condition=city.garbage.code, note="属实，立案")
    assert Photo.objects.filter(status=DerivativeStatus.READY).count() == 3
    return first


CASES = "SELECT number, state, description FROM cases_case ORDER BY number"
EVENTS = (
    "SELECT e.id, c.number, e.action, e.note FROM cases_caseevent e "
    "JOIN cases_case c ON c.id = e.case_id ORDER BY e.id"
)
PHOTOS = "SELECT id, sha256, original, public_file, thumb_file FROM photos_photo ORDER BY id"


def rows(cursor) -> dict[str, list[tuple]]:
    found = {}
    for name, sql in (("cases", CASES), ("events", EVENTS), ("photos", PHOTOS)):
        cursor.execute(sql)
        found[name] = [tuple(row) for row in cursor.fetchall()]
    return found


def file_digests(photo_rows: list[tuple], media_root: Path) -> dict[str, str]:
    digests = {}
    for row in photo_rows:
        for name in row[2:]:
            if name:
                digests[name] = hashlib.sha256((media_root / name).read_bytes()).hexdigest()
    return digests


@pytest.fixture
def empty_install(tmp_path):
    """A new DATA_DIR and, on PostgreSQL, a new empty database: (env, connect)."""
    data_dir = tmp_path / "new-install"
    data_dir.mkdir()
    env = served_env(data_dir)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield env, lambda: sqlite3.connect(data_dir / "suishoupai.sqlite3")
        return
    import psycopg

    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }
    name = f"{db['NAME']}_restored"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = f"{db['USER']}@" if db["USER"] else ""
    env["DATABASE_URL"] = f"postgresql://{user}{db['HOST']}:{db['PORT'] or 5432}/{name}"
    try:
        yield env, lambda: psycopg.connect(dbname=name, **params)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_install_with_the_same_cases_events_and_photos(
    history, tmp_path, media, empty_install
):
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with connection.cursor() as cursor:
        before = rows(cursor)
    before_files = file_digests(before["photos"], media)
    assert len(before["cases"]) == 2 and len(before_files) == 9

    env, connect = empty_install
    result = subprocess.run(
        [sys.executable, str(MANAGE), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    assert "restored 2 cases" in result.stdout

    restored = connect()
    try:
        after = rows(restored.cursor())
    finally:
        restored.close()
    assert after == before
    new_media = Path(env["DATA_DIR"]) / "media"
    assert file_digests(after["photos"], new_media) == before_files
    # The originals are byte for byte what the citizens sent (the row's SHA-256).
    for _photo, sha256, original, *_ in after["photos"]:
        assert hashlib.sha256((new_media / original).read_bytes()).hexdigest() == sha256


def test_restore_refuses_to_overwrite_a_database_that_holds_cases(history, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="already holds cases"):
        call_command("restore", str(archive))


def test_a_damaged_photo_in_the_archive_stops_the_restore_before_anything_changes(
    history, tmp_path, media
):
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for info in source:
            data = source.extractfile(info).read()
            if info.name.startswith("photos/") and info.name.endswith(".jpg"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            target.addfile(info, io.BytesIO(data))
    before = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--replace")
    assert sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file()) == before
