"""Is the database there? A quick probe that bypasses Django's pool.

Used before `serve` starts (a clear one-line message instead of a traceback),
by the outage gate that answers 503 while the database is down, and by the
readiness endpoint. The probe opens its own short-lived connection with a short
timeout, so it neither waits in the pool's queue nor takes a pooled slot.
"""

import os
import sqlite3
from pathlib import Path

from django.conf import settings

PROBE_TIMEOUT_SECONDS = 3


def describe_database(db: dict | None = None) -> str:
    db = db or settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite at {db['NAME']}"
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or "5432"
    return f"PostgreSQL at {host}:{port}/{db['NAME']}"


def database_problem(db: dict | None = None) -> str | None:
    """None when a fresh connection can run `SELECT 1`; else one line saying why not."""
    db = db or settings.DATABASES["default"]
    try:
        if db["ENGINE"].endswith("sqlite3"):
            _probe_sqlite(db)
        else:
            _probe_postgresql(db)
    except Exception as exc:  # every failure is reported the same way: one line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return f"the database ({describe_database(db)}) is unavailable: {reason[:300]}"
    return None


def _probe_sqlite(db: dict) -> None:
    name = str(db["NAME"])
    if name != ":memory:" and not name.startswith("file:"):
        path = Path(name)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"folder {path.parent} does not exist")
        if not path.exists():
            # A new install: `migrate` creates the file, if the folder lets it.
            if not os.access(path.parent, os.W_OK):
                raise PermissionError(f"folder {path.parent} is not writable")
            return
        # Read-write but never create: an empty new file is not our database.
        name = f"{path.resolve().as_uri()}?mode=rw"
    connection = sqlite3.connect(name, timeout=PROBE_TIMEOUT_SECONDS, uri=name.startswith("file:"))
    try:
        connection.execute("SELECT 1").fetchone()
    finally:
        connection.close()


def _probe_postgresql(db: dict) -> None:
    import psycopg

    # Django's own keys are not libpq parameters.
    django_only = {
        "pool",
        "isolation_level",
        "server_side_binding",
        "assume_role",
        "cursor_factory",
    }
    options = {k: v for k, v in db.get("OPTIONS", {}).items() if k not in django_only}
    options["connect_timeout"] = PROBE_TIMEOUT_SECONDS
    with psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        **options,
    ) as connection:
        connection.execute("SELECT 1").fetchone()
