#!/usr/bin/env python3
"""Copy a generated history from PostgreSQL into a SQLite file (five times cheaper than
generating it again): the history's staff, the cases with their requests, events and
photos, the case-number counters and the statistics facts and cells.

The SQLite file must be migrated and hold the same reference data (`load_reference`, run
the same way on both: the script checks that the ids of the categories, conditions,
areas and departments agree and stops if not). Rows are written in Django's SQLite
formats (Writer of demo/history.py).

Usage:
    DATABASE_URL=sqlite:////work/bench/1m.sqlite3 python scripts/copy_history.py \
        postgresql://postgres@127.0.0.1:5432/bench_1m [table …]

With table names, only those tables are copied (nothing deleted first).
"""

# ruff: noqa: E402

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suishoupai.settings")
os.environ.setdefault("SUISHOUPAI_DEMO", "true")

import django

django.setup()

import psycopg
from django.db import connection, transaction

from suishoupai.cases.models import Case, CaseEvent, CaseNumberCounter, CaseRequest
from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.demo.history import Writer, _columns
from suishoupai.org.models import Department, User
from suishoupai.photos.models import Photo
from suishoupai.places.models import Area
from suishoupai.stats.models import CaseFact, DailyCell

CHECKED = (Category, Subcategory, FilingCondition, Area, Department)
COPIED = (CaseNumberCounter, Case, CaseRequest, CaseEvent, Photo, CaseFact, DailyCell)
CHUNK = 20_000


def main(source: str, only: list[str]) -> None:
    assert connection.vendor == "sqlite", "DATABASE_URL must name the SQLite file"
    src = psycopg.connect(source)
    src.execute("SET TIME ZONE 'UTC'")
    for model in CHECKED:
        table = model._meta.db_table
        theirs = src.execute(f"SELECT id, code FROM {table} ORDER BY id").fetchall()
        ours = list(model._default_manager.order_by("id").values_list("id", "code"))
        if [tuple(r) for r in theirs] != [tuple(r) for r in ours]:
            raise SystemExit(f"{table}: the reference data differ; load_reference both alike")
    started = time.monotonic()
    if only:  # some tables alone (another run copies the rest)
        for model in COPIED:
            if model._meta.db_table in only:
                copy(src, model)
        return
    User.objects.filter(username__startswith="history-").delete()
    staff = [r[0] for r in src.execute("SELECT id FROM org_user WHERE username LIKE 'history-%'")]
    if User.objects.filter(pk__in=staff).exists():
        raise SystemExit("a history staff id is another user's here")
    copy(src, User, "WHERE username LIKE 'history-%'")
    CaseNumberCounter.objects.all().delete()
    for model in COPIED:
        copy(src, model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"copied in {time.monotonic() - started:.0f} s", flush=True)


def copy(src: psycopg.Connection, model, where: str = "") -> None:
    fields = _columns(model)
    table = model._meta.db_table
    cols = ", ".join(f'"{f.column}"' for f in fields)
    writer = Writer()
    converters = [(i, c) for i, f in enumerate(fields) if (c := writer._converter(f))]
    marks = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    n = 0
    began = time.monotonic()
    with src.cursor(name=f"copy_{table}") as cursor:
        cursor.itersize = CHUNK
        cursor.execute(f"SELECT {cols} FROM {table} {where} ORDER BY {model._meta.pk.column}")
        while rows := cursor.fetchmany(CHUNK):
            values = []
            for row in rows:
                value = list(row)
                for i, convert in converters:
                    if value[i] is not None:
                        value[i] = convert(value[i])
                values.append(value)
            with transaction.atomic(), connection.cursor() as out:
                out.executemany(insert, values)
            n += len(rows)
    print(f"  {table}: {n:,} rows in {time.monotonic() - began:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
