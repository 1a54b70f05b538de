#!/usr/bin/env python3
"""The public map and list at a year of a city's cases: GET /api/v1/public/cases/map at
the zooms a phone uses, and the /public/ page, timed through django.test.Client.

A throw-away SQLite file in a temporary DATA_DIR unless --database-url names a
PostgreSQL database (it is migrated, filled and emptied again: never point it at data
you keep). Prints a Markdown section for BENCHMARKS.md ("Load, memory and crashes").

Usage:
    python scripts/bench_public_map.py [--cases 100000] [--requests 30]
    python scripts/bench_public_map.py --database-url postgresql://postgres@127.0.0.1:5432/wt_x
"""

# ruff: noqa: E402  (Django must be configured before the project's modules are imported)

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=100_000)
parser.add_argument("--requests", type=int, default=30, help="timed requests per row")
parser.add_argument("--database-url", default="")
ARGS = parser.parse_args()

_TMP = tempfile.TemporaryDirectory(prefix="suishoupai-bench-map-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="suishoupai.settings",
    SUISHOUPAI_DEMO="true",
    DATA_DIR=_TMP.name,
    DEBUG="false",
    LOG_LEVEL="WARNING",
)
for _name in ("DATABASE_URL", "HUEY_REDIS_URL", "SUISHOUPAI_TESTING", "TIME_ZONE"):
    os.environ.pop(_name, None)
if ARGS.database_url:
    os.environ["DATABASE_URL"] = ARGS.database_url
(Path(_TMP.name) / "static").mkdir()
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from history_rows import CITY_BOX, insert_history

from suishoupai.cases.models import Case

# A year of cases, ending where the history generator ends.
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
START = END - dt.timedelta(days=365)
MIN_LAT, MIN_LNG, MAX_LAT, MAX_LNG = CITY_BOX
CITY = f"{MIN_LNG - 0.1},{MIN_LAT - 0.05},{MAX_LNG + 0.1},{MAX_LAT + 0.05}"
CENTRE = "126.60,45.73,126.68,45.79"  # a phone at zoom 13 in the middle
STREET = "126.630,45.757,126.645,45.767"  # a phone at zoom 16, a few streets
ROWS = [
    ("Whole city, zoom 11 (cells)", {"bbox": CITY, "zoom": 11}),
    ("Whole city, zoom 11, one category", {"bbox": CITY, "zoom": 11, "category": "sanitation"}),
    ("Whole city, zoom 11, open cases", {"bbox": CITY, "zoom": 11, "family": "open"}),
    (
        "Whole city, zoom 11, one month",
        {"bbox": CITY, "zoom": 11, "since": "2026-10-01", "until": "2026-10-31"},
    ),
    ("City centre, zoom 13 (cells)", {"bbox": CENTRE, "zoom": 13}),
    ("A few streets, zoom 16 (markers or cells)", {"bbox": STREET, "zoom": 16}),
    (
        "A few streets, zoom 16, one category",
        {"bbox": STREET, "zoom": 16, "category": "commercial_noise"},
    ),
]
PAGES = [
    ("`/public/` page 1", "/public/", {}),
    ("`/public/` one category, page 5", "/public/", {"category": "sanitation", "page": 5}),
]


def timed(client: Client, url: str, params: dict, n: int) -> tuple[list[float], dict, int]:
    client.get(url, params)  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    body = response.json() if url.startswith("/api/") else {}
    return times, body, len(queries.captured_queries)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def plan(client: Client) -> str:
    """The database's plan for the cells query of the whole city at zoom 11."""
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/public/cases/map", {"bbox": CITY, "zoom": 11})
    (sql,) = [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "; ".join(r[-1] for r in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql)
        return " / ".join(r[0].strip() for r in cursor.fetchall())


def main() -> None:
    # Pages name their static files; without collectstatic, by their plain names.
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": plain}}).enable()
    load = os.getloadavg()[0]
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    Case.objects.all().delete()
    began = time.perf_counter()
    insert_history(ARGS.cases, start=START, end=END)
    inserted = time.perf_counter() - began
    if os.environ.get("EXPERIMENT_INDEX"):
        with connection.cursor() as cursor:
            cursor.execute(os.environ["EXPERIMENT_INDEX"])
            cursor.execute("ANALYZE")
    public = Case.objects.public().count()
    client = Client()
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
    print(f"### Public map at a year of cases on {vendor} (`scripts/bench_public_map.py`)\n")
    print(
        f"{ARGS.cases:,} cases over one year ({public:,} public; 95 % closed, clustered on "
        f"the centre as `scripts/history_rows.py` makes them, inserted in {inserted:.0f} s), "
        f"{ARGS.requests} timed requests per row through `django.test.Client` (whole "
        f"middleware stack), one process; load average {load:.1f} at the start.\n"
    )
    print("| Request | median ms | p95 ms | SQL queries | answer |")
    print("|---|--:|--:|--:|---|")
    for name, params in ROWS:
        times, body, queries = timed(client, "/api/v1/public/cases/map", params, ARGS.requests)
        shown = len(body["cells"]) or len(body["markers"])
        what = f"{body['mode']}: {shown}, total {body['total']:,}"
        print(
            f"| {name} | {statistics.median(times):.1f} | {p95(times):.1f} | {queries} | {what} |"
        )
    for name, url, params in PAGES:
        times, _, queries = timed(client, url, params, ARGS.requests)
        print(f"| {name} | {statistics.median(times):.1f} | {p95(times):.1f} | {queries} | HTML |")
    print(f"\nThe cells query's plan: `{plan(client)}`.")
    if ARGS.database_url:
        Case.objects.all().delete()


if __name__ == "__main__":
    main()
