"""Backup and restore of the database and the photo store together, as one archive.

Our own rather than django-dbbackup's commands, because:
- dbbackup writes the database and the media as two separate archives taken at
  two moments; here the photo files are the ones the database dump refers to,
  read in the same snapshot (PostgreSQL: pg_dump --snapshot from our REPEATABLE
  READ transaction; SQLite: the names are read from the backup copy itself);
- its media backup walks MEDIA_ROOT through a default file storage, not our
  "photos" storage, which may be an S3 bucket;
- its SQLite restore writes the file over a live database in WAL mode (a stale
  -wal file then corrupts it); SQLite's backup API restores page by page, safely.
The database part still uses each engine's own tool: pg_dump/pg_restore (custom
format, no owners or grants, so it restores under another role) and SQLite's
backup API.

Archive (tar; .tar.gz compresses): manifest.json (format, engine, counts, every
photo file with size and SHA-256), database.pgdump or database.sqlite3, and
photos/<name> for each file. A restore checks every file against the manifest.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection, connections, transaction

FORMAT = 1
PHOTO_FIELDS = ("original", "public_file", "thumb_file")


class BackupError(Exception):
    pass


@dataclass
class Snapshot:
    """What the dump holds: counts, and the photo files its rows refer to."""

    counts: dict[str, int]
    files: list[tuple[int, str, str]] = field(default_factory=list)  # (photo id, field, name)


def engine(db: dict | None = None) -> str:
    db = db or settings.DATABASES["default"]
    return "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"


def _snapshot_from_rows(cursor) -> Snapshot:
    counts = {}
    for name, table in (
        ("cases", "cases_case"),
        ("events", "cases_caseevent"),
        ("photos", "photos_photo"),
    ):
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # fixed table names, no input
        counts[name] = cursor.fetchone()[0]
    cursor.execute("SELECT id, original, public_file, thumb_file FROM photos_photo ORDER BY id")
    files = [
        (row[0], name, row[i + 1])
        for row in cursor.fetchall()
        for i, name in enumerate(PHOTO_FIELDS)
        if row[i + 1]
    ]
    return Snapshot(counts, files)


# ------------------------------------------------------------------ database: PostgreSQL


def _pg_args_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    options = db.get("OPTIONS", {})
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_postgresql(target: Path) -> Snapshot:
    db = settings.DATABASES["default"]
    args, env = _pg_args_env(db)
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads exactly what this transaction sees: the rows, and so the files.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                "--file",
                str(target),
            ],
            env,
        )
        return _snapshot_from_rows(cursor)


def _restore_postgresql(dump: Path) -> None:
    db = settings.DATABASES["default"]
    args, env = _pg_args_env(db)
    connections.close_all()
    _run(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            str(dump),
        ],
        env,
    )


# ------------------------------------------------------------------ database: SQLite


def _dump_sqlite(target: Path) -> Snapshot:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        return _snapshot_from_rows(copy.cursor())
    finally:
        copy.close()


def _restore_sqlite(dump: Path) -> None:
    name = str(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    source = sqlite3.connect(dump)
    # Page by page into the live file, in one transaction: safe with WAL and readers.
    target = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# ------------------------------------------------------------------ archive


def _photo_storage():
    from suishoupai.photos.models import photo_storage

    return photo_storage()


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def backup(path: Path) -> dict:
    """Write the archive to `path` and return its manifest."""
    kind = engine()
    storage = _photo_storage()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        dump = Path(work) / ("database.pgdump" if kind == "postgresql" else "database.sqlite3")
        snapshot = _dump_postgresql(dump) if kind == "postgresql" else _dump_sqlite(dump)
        partial = path.with_name(path.name + ".partial")
        files, missing = [], []
        compress = path.name.endswith(".gz")
        with tarfile.open(partial, "w:gz" if compress else "w") as archive:
            archive.add(dump, arcname=dump.name)
            for photo_id, field_name, name in snapshot.files:
                try:
                    size = storage.size(name)
                    with storage.open(name, "rb") as handle:
                        digest = _sha256(handle)
                    with storage.open(name, "rb") as handle:
                        info = tarfile.TarInfo(f"photos/{name}")
                        info.size = size
                        info.mtime = int(datetime.now(tz=UTC).timestamp())
                        archive.addfile(info, handle)
                except FileNotFoundError:
                    # A public copy replaced after the snapshot (re-derived): the
                    # restore marks it to be made again. An original must not go missing.
                    missing.append({"photo": photo_id, "field": field_name, "name": name})
                    continue
                files.append({"name": name, "size": size, "sha256": digest})
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(tz=UTC).isoformat(),
                "engine": kind,
                "database": dump.name,
                "counts": snapshot.counts,
                "files": files,
                "missing": missing,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.now(tz=UTC).timestamp())
            archive.addfile(info, _BytesReader(data))
        partial.replace(path)  # never a half-written archive under the final name
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def read_manifest(path: Path) -> dict:
    with tarfile.open(path) as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError(f"{path} has no manifest.json: not a Suishoupai backup")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')} is not supported")
    return manifest


def has_cases() -> bool:
    from django.db.utils import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM cases_case LIMIT 1")
            return cursor.fetchone() is not None
    except DatabaseError:  # no tables yet: an empty install
        return False


def restore(path: Path) -> dict:
    """Put the archive's database and photo files in place; returns the manifest."""
    manifest = read_manifest(path)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this install uses {kind}"
        )
    storage = _photo_storage()
    expected = {entry["name"]: entry for entry in manifest["files"]}
    with tarfile.open(path) as archive, tempfile.TemporaryDirectory() as work:
        dump = Path(work) / manifest["database"]
        member = archive.extractfile(manifest["database"])
        if member is None:
            raise BackupError(f"{path} has no {manifest['database']}")
        with dump.open("wb") as out:
            for chunk in iter(lambda: member.read(1024 * 1024), b""):
                out.write(chunk)
        # Files first: if one is damaged, the database is left as it was.
        for info in archive:
            if not info.name.startswith("photos/"):
                continue
            name = info.name.removeprefix("photos/")
            entry = expected.pop(name, None)
            handle = archive.extractfile(info)
            if entry is None or handle is None:
                raise BackupError(f"{path}: {info.name} is not in the manifest")
            if _sha256(handle) != entry["sha256"]:
                raise BackupError(f"{path}: {info.name} is damaged (SHA-256 differs)")
            handle = archive.extractfile(info)
            if storage.exists(name):
                with storage.open(name, "rb") as current:
                    if _sha256(current) == entry["sha256"]:
                        continue
                storage.delete(name)
            saved = storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(f"the photo store saved {name} as {saved}")
        if expected:
            raise BackupError(f"{path}: {len(expected)} photo files listed but not archived")
        if kind == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
    _mark_missing_copies(manifest["missing"])
    return manifest


def _mark_missing_copies(missing: list[dict]) -> None:
    from suishoupai.photos.models import DerivativeStatus, Photo

    ids = {m["photo"] for m in missing if m["field"] != "original"}
    if ids:
        # Made again by the copy worker (queued at its next start or sweep).
        Photo.objects.filter(pk__in=ids).update(
            status=DerivativeStatus.PENDING,
            public_file="",
            thumb_file="",
            derived_revision=None,
            queued_at=None,
        )


def restored_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _snapshot_from_rows(cursor).counts
