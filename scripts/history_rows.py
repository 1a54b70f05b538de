"""A city's case history as raw rows, for measuring nearby search and duplicate scoring at a
million cases (scripts/bench.py on SQLite, scripts/triage_nearby_pg.py on PostgreSQL)."""

import datetime as dt
import random

from django.db import connection, transaction

from suishoupai.catalog.models import Category

SEED = 20260101
# Harbin's built-up area, where reports cluster (WGS-84).
CITY_BOX = (45.68, 126.52, 45.84, 126.76)


def insert_history(
    n: int,
    start: dt.datetime = dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    end: dt.datetime = dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
) -> None:
    """n cases the way a city accumulates them: 95 % closed, spread evenly from `start`
    to `end` (three years unless told), clustered towards the centre; raw INSERTs because
    the ORM would take minutes."""
    rng = random.Random(SEED)
    categories = list(Category.objects.values_list("pk", flat=True))
    span = (end - start).total_seconds()
    open_states = ["submitted", "filed", "dispatched", "in_progress", "resolved"]
    min_lat, min_lng, max_lat, max_lng = CITY_BOX
    mid_lat, mid_lng = (min_lat + max_lat) / 2, (min_lng + max_lng) / 2
    columns = (
        "number, state, channel, category_id, description, address, lat, lng, reporter_phone, "
        "tracking_token_hash, is_anonymous, is_public, created_at, updated_at, is_overdue, "
        "rework_count, support_count, urge_count, rating, rating_comment, reporter_openid"
    )
    sql = f"INSERT INTO cases_case ({columns}) VALUES ({', '.join(['%s'] * 21)})"
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(n):
            at = start + dt.timedelta(seconds=span * i / n)
            lat = min(max(rng.gauss(mid_lat, 0.035), min_lat), max_lat)
            lng = min(max(rng.gauss(mid_lng, 0.05), min_lng), max_lng)
            state = rng.choice(open_states) if rng.random() < 0.05 else "closed"
            batch.append(
                (
                    f"H{i:08d}",
                    state,
                    "citizen",
                    rng.choice(categories),
                    "路边有一堆垃圾",
                    "",
                    lat,
                    lng,
                    "",
                    "-",
                    False,
                    True,
                    at,
                    at,
                    False,
                    0,
                    0,
                    0,
                    "",
                    "",
                    "",
                )
            )
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # both databases: fresh statistics for the planner
