#!/usr/bin/env python3
"""Duplicate scoring and nearby search at a million cases on PostgreSQL (docs/triage.md).

`make bench` measures the same on the embedded SQLite; this is its PostgreSQL twin, run by
hand against a database you own (it is migrated and filled with a million raw rows):

    python scripts/triage_nearby_pg.py postgresql://postgres@127.0.0.1:5432/wt_triage
"""

# ruff: noqa: E402
import os
import random
import sys
import time

os.environ.update(DJANGO_SETTINGS_MODULE="suishoupai.settings", SUISHOUPAI_DEMO="true")
os.environ["DATABASE_URL"] = sys.argv[1]

import django

django.setup()

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from history_rows import insert_history

from suishoupai.cases.models import Case
from suishoupai.cases.selectors import nearby_open_cases
from suishoupai.catalog.models import Category
from suishoupai.triage import engine, selectors, services

N = 1_000_000
QUERIES = 300


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Category.objects.exists():
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    if not engine.current():
        services.train(note="triage_nearby_pg")
    if Case.objects.count() < N:
        started = time.perf_counter()
        insert_history(N)
        print(f"inserted {N} cases in {time.perf_counter() - started:.0f} s", flush=True)
    rng = random.Random(7)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    kinds = list(Category.objects.filter(code__in=["sanitation", "manhole_cover", "road_damage"]))
    queries = [
        Case(
            pk=10**9 + i,
            number="Q",
            category=kinds[i % 3],
            description="路边一堆垃圾",
            lat=rng.gauss(45.76, 0.035),
            lng=rng.gauss(126.64, 0.05),
            created_at=now,
            updated_at=now,
        )
        for i in range(QUERIES)
    ]
    for name, call in (
        ("duplicate_candidates", lambda q: selectors.duplicate_candidates(q, now=now)),
        ("nearby_open_cases(250 m)", lambda q: nearby_open_cases(q.lat, q.lng, 250)),
    ):
        for q in queries[:20]:
            call(q)  # warm-up
        times = []
        for q in queries:
            start = time.perf_counter()
            call(q)
            times.append(time.perf_counter() - start)
        times.sort()
        p50, p99 = times[len(times) // 2] * 1000, times[int(0.99 * (len(times) - 1))] * 1000
        print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {QUERIES} queries", flush=True)
        with CaptureQueriesContext(connection) as sqls:
            call(queries[0])
        sql = next(x["sql"] for x in sqls.captured_queries if "cases_case" in x["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            print("   " + "\n   ".join(r[0] for r in cursor.fetchall()[:4]))
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
