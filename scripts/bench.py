#!/usr/bin/env python3
"""Benchmarks for the hot paths, written to BENCHMARKS.md (run with `make bench`).

Every number is a ratio against a baseline timed in the same run, interleaved repetition by
repetition, because this machine is noisy and absolute times drift from one run to the next.
The database is a throw-away SQLite file (WAL, as in production) in a temporary DATA_DIR, so
the developer's data/ is never touched.

Usage:
    python scripts/bench.py [--reps 5] [--output BENCHMARKS.md]
"""

# ruff: noqa: E402  (Django must be configured before the project's modules are imported)

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
_TMP = tempfile.TemporaryDirectory(prefix="suishoupai-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="suishoupai.settings",
    SUISHOUPAI_DEMO="true",
    DATA_DIR=_TMP.name,
    DEBUG="false",  # DEBUG keeps every query in memory and would slow the ORM paths down
    LOG_LEVEL="WARNING",
)
# The embedded defaults, whatever the developer's shell exports.
for _name in ("DATABASE_URL", "HUEY_REDIS_URL", "SUISHOUPAI_TESTING", "TIME_ZONE"):
    os.environ.pop(_name, None)
# WhiteNoise warns at start-up about a missing STATIC_ROOT; nothing here serves static files.
(Path(_TMP.name) / "static").mkdir()

import django

django.setup()

import shapely
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from history_rows import CITY_BOX, insert_history
from PIL import Image
from shapely.geometry import Point, shape

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.cases.selectors import nearby_open_cases
from suishoupai.catalog.models import Category
from suishoupai.org.models import Department, Role, User
from suishoupai.photos import imaging
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.selectors import _area_index, _finest_by_level, locate
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import LimitUnit
from suishoupai.triage import evaluation as triage_evaluation
from suishoupai.triage import selectors as triage
from suishoupai.triage import services as triage_services
from suishoupai.triage import text as triage_text

SEED = 20260101
TZ = ZoneInfo(settings.TIME_ZONE)
DAOWAI_JINGYU_14 = (45.7808, 126.6488)  # 道外区 靖宇街 南十四道街口, WGS-84
LOOKUP_POINTS = 2_000
DEADLINE_STARTS = 1_000
CASES_PER_REP = 100
REQUESTS_PER_REP = 50


# Fragments of SQL worth counting in the notes: each names a cost a reader may want to remove.
AREA_GEOMETRY = '"places_area"."geometry"'
STAGE_LIMIT = 'FROM "timelimits_stagelimit"'


# ---------------------------------------------------------------- timing


@dataclass
class Row:
    name: str
    unit: str  # what one "operation" is, e.g. "per point"
    per: int  # operations in one repetition
    subject: list[float]  # seconds per repetition
    baseline: list[float]
    baseline_name: str
    note: str = ""

    @property
    def ratios(self) -> list[float]:
        return [s / b for s, b in zip(self.subject, self.baseline, strict=True)]


def interleaved(
    subject: Callable[[], object], baseline: Callable[[], object], reps: int
) -> tuple[list[float], list[float]]:
    """Times both `reps` times, alternating which goes first, after one untimed warm-up each."""
    subject()
    baseline()
    s_times: list[float] = []
    b_times: list[float] = []
    for rep in range(reps):
        order = [(subject, s_times), (baseline, b_times)]
        for fn, out in order if rep % 2 == 0 else reversed(order):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return s_times, b_times


def reading(queries: CaptureQueriesContext, fragment: str) -> int:
    return sum(fragment in query["sql"] for query in queries.captured_queries)


# ---------------------------------------------------------------- the benchmarks


def districts() -> list[Area]:
    return list(Area.objects.filter(level=AreaLevel.DISTRICT).exclude(geometry=None))


def bench_point_lookup(reps: int) -> list[Row]:
    rows = districts()
    box = Area.objects.filter(pk__in=[a.pk for a in rows]).aggregate(
        Min("min_lat"), Min("min_lng"), Max("max_lat"), Max("max_lng")
    )
    rng = random.Random(SEED)
    points = [
        (
            rng.uniform(box["min_lat__min"], box["max_lat__max"]),
            rng.uniform(box["min_lng__min"], box["max_lng__max"]),
        )
        for _ in range(LOOKUP_POINTS)
    ]
    polygons = [(a.pk, shape(a.geometry)) for a in rows]

    def naive(lat: float, lng: float) -> int | None:
        point = Point(lng, lat)
        return next((pk for pk, polygon in polygons if polygon.contains(point)), None)

    # Both must answer the same question before their speeds are compared.
    found = [locate(lat, lng).district for lat, lng in points]
    inside = sum(d is not None for d in found)
    agree = sum(
        (d.pk if d else None) == naive(lat, lng)
        for d, (lat, lng) in zip(found, points, strict=True)
    )

    subject, baseline = interleaved(
        lambda: [locate(lat, lng) for lat, lng in points],
        lambda: [naive(lat, lng) for lat, lng in points],
        reps,
    )
    with CaptureQueriesContext(connection) as queries:
        locate(*DAOWAI_JINGYU_14)
    # Diagnostic, through private names: the same lookup without the two queries around it.
    index = _area_index()
    geometry, geometry_baseline = interleaved(
        lambda: [_finest_by_level(index, lat, lng) for lat, lng in points],
        lambda: [naive(lat, lng) for lat, lng in points],
        reps,
    )
    naive_name = f"loop of shapely `polygon.contains(Point)` over the {len(polygons)} districts"
    return [
        Row(
            "Point lookup: `places.selectors.locate(lat, lng)`",
            "per point",
            LOOKUP_POINTS,
            subject,
            baseline,
            naive_name,
            note=(
                f"{LOOKUP_POINTS} seeded random points in the districts' bounding box; "
                f"{inside} fall in a district, the two methods agree on {agree}. "
                "locate() returns ORM rows (`Area` instances, geometry deferred), not ids, "
                f"and costs {len(queries)} SQL queries per call: the cache-version aggregate "
                "(COUNT, MAX(updated_at)) and `in_bulk` of the areas found."
            ),
        ),
        Row(
            "…of which the geometry: `_finest_by_level` on the prebuilt STRtree",
            "per point",
            LOOKUP_POINTS,
            geometry,
            geometry_baseline,
            naive_name,
            note=(
                "Diagnostic row through private names of `places.selectors`: the spatial "
                "part of locate() alone (STRtree query + prepared `covers`), no SQL."
            ),
        ),
    ]


def deadline_starts() -> list[dt.datetime]:
    rng = random.Random(SEED)
    year_start = dt.datetime(2026, 1, 1, tzinfo=TZ)
    seconds = (dt.datetime(2027, 1, 1, tzinfo=TZ) - year_start).total_seconds()
    return [
        year_start + dt.timedelta(seconds=int(rng.uniform(0, seconds)))
        for _ in range(DEADLINE_STARTS)
    ]


def bench_deadline(reps: int, amount: int, unit: str) -> Row:
    starts = deadline_starts()
    subject, baseline = interleaved(
        lambda: [clock.add(start, amount, unit) for start in starts],
        lambda: [start + dt.timedelta(hours=amount) for start in starts],
        reps,
    )
    return Row(
        f"Deadline: `timelimits.clock.add(start, {amount}, {unit})`",
        "per deadline",
        DEADLINE_STARTS,
        subject,
        baseline,
        f"`start + timedelta(hours={amount})`",
        note=f"{DEADLINE_STARTS} seeded random starts over 2026 ({settings.TIME_ZONE})."
        + (
            ""
            if unit == LimitUnit.URGENT_HOURS
            else " Holidays from `chinese_calendar`; starts in late December count into 2027, "
            "where the calendar falls back to Monday–Friday (and logs a warning once)."
        ),
    )


@dataclass
class Cast:
    operator: User
    dispatcher: User
    handler: User
    inspector: User
    shift_lead: User


def make_cast() -> Cast:
    # The handler must belong to the department the routing picks for this category and place.
    operator = user(Role.OPERATOR)
    probe = services.accept(report(dt.datetime(2026, 10, 28, 9, 0, tzinfo=TZ)), operator)
    return Cast(
        operator=operator,
        dispatcher=user(Role.DISPATCHER),
        handler=user(Role.HANDLER, department=probe.suggested_department),
        inspector=user(Role.INSPECTOR),
        shift_lead=user(Role.SHIFT_LEAD),
    )


def user(role: str, department: Department | None = None) -> User:
    person = User(username=f"bench_{role}", role=role, department=department)
    person.set_unusable_password()  # nobody logs in; skips seconds of password hashing
    person.save()
    return person


def report(at: dt.datetime) -> Case:
    lat, lng = DAOWAI_JINGYU_14
    case, _token = services.submit(
        services.Report(category="sanitation", description="路边有一堆垃圾", lat=lat, lng=lng),
        now=at,
    )
    return case


def lifecycle(cast: Cast, at: dt.datetime) -> Case:
    step = dt.timedelta(minutes=10)
    case = report(at)
    services.accept(case, cast.operator, now=at + step)
    services.dispatch(case, cast.dispatcher, now=at + 2 * step)
    services.take(case, cast.handler, now=at + 3 * step)
    services.feedback(case, cast.handler, note="已清理", now=at + 4 * step)
    services.verify_pass(case, cast.inspector, now=at + 5 * step)
    return services.close(case, cast.shift_lead, now=at + 6 * step)


def bench_lifecycle(reps: int) -> Row:
    cast = make_cast()
    # Each repetition files its cases on a day of its own: Wednesdays 09:00, all working days.
    first = dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ)
    days = (first + dt.timedelta(weeks=w) for w in itertools.count())
    made: list[int] = []

    def cases() -> None:
        at = next(days)
        for _ in range(CASES_PER_REP):
            made.append(lifecycle(cast, at).pk)

    def writes() -> None:
        # Seven transitions are at least seven transactions with one write each.
        now = dt.datetime.now(tz=TZ)
        for pk in made[-CASES_PER_REP:]:
            for _ in range(7):
                with transaction.atomic():
                    Case.objects.filter(pk=pk).update(updated_at=now)

    # The untimed warm-up runs cases() first, so the baseline has rows to update.
    subject, baseline = interleaved(cases, writes, reps)
    closed = Case.objects.filter(state="closed").count()
    with CaptureQueriesContext(connection) as queries:
        lifecycle(cast, dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
    return Row(
        "Case lifecycle: submit → accept → dispatch → take → feedback → verify_pass → close",
        "per case",
        CASES_PER_REP,
        subject,
        baseline,
        "7 × `Case.objects.filter(pk=…).update(updated_at=…)`, each in its own transaction",
        note=(
            f"{CASES_PER_REP} cases per repetition through `cases.services`; "
            f"{len(queries)} SQL statements per case against 7 × (BEGIN, UPDATE, COMMIT) "
            "in the baseline. Of those, reading `timelimits_stagelimit`: "
            f"{reading(queries, STAGE_LIMIT)}; selecting `places_area.geometry`: "
            f"{reading(queries, AREA_GEOMETRY)}. {closed} closed cases in the database afterwards."
        ),
    )


def bench_public_list(reps: int) -> Row:
    client = Client()
    public = Case.objects.public().count()

    def get(url: str) -> Callable[[], None]:
        def run() -> None:
            for _ in range(REQUESTS_PER_REP):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

        return run

    subject, baseline = interleaved(get("/api/v1/cases?page_size=20"), get("/healthz"), reps)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/cases?page_size=20")
    return Row(
        "Public list API: `GET /api/v1/cases?page_size=20`",
        "per request",
        REQUESTS_PER_REP,
        subject,
        baseline,
        "`GET /healthz` (full middleware stack, one `SELECT 1`)",
        note=(
            f"{REQUESTS_PER_REP} requests per repetition through `django.test.Client`, "
            f"{public} public cases in the database. {len(queries)} SQL queries per request; "
            f"selecting `places_area.geometry` (a district's whole boundary, JSON-decoded "
            f"for every row of the page): {reading(queries, AREA_GEOMETRY)}."
        ),
    )


PHOTOS = REPO_ROOT.parent / "shared" / "data" / "photos"
PHOTO_TARGET_MS = 150


def plain_decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def bench_photos(reps: int) -> list[Row]:
    """The whole public set per real phone photo, against a plain full decode of it."""
    files = sorted(PHOTOS.glob("street_garbage_*.jpg"))
    if not files:
        print(f"skipping the photo benchmark: no photos in {PHOTOS}")
        return []
    photos = [path.read_bytes() for path in files]
    sizes = sorted({Image.open(io.BytesIO(d)).size for d in photos}, reverse=True)
    each: list[float] = []

    def derive_all() -> None:
        for data in photos:
            start = time.perf_counter()
            imaging.render(data)
            each.append(time.perf_counter() - start)

    subject, baseline = interleaved(derive_all, lambda: [plain_decode(d) for d in photos], reps)
    timed = each[len(photos) :]  # the warm-up run is not counted
    median_ms = statistics.median(timed) * 1000
    verdict = "meets" if median_ms < PHOTO_TARGET_MS else "misses"
    found = [imaging.render(d).regions for d in photos]
    draft, full = interleaved(
        lambda: [imaging.decode_upright(d) for d in photos],
        # The same call with scaled decoding out of reach: full size, then upright.
        lambda: [imaging.decode_upright(d, long_side=1_000_000) for d in photos],
        reps,
    )
    pixels = ", ".join(f"{w}×{h}" for w, h in sizes)
    detectors = " and ".join(
        f"{d.kind} detection (Haar, {d.channel}, step {d.scale_factor}) on a {d.long_side}-px copy"
        for d in imaging.DETECTORS
    )
    return [
        Row(
            "Photo public set: `photos.imaging.render(original)`",
            "per photo",
            len(photos),
            subject,
            baseline,
            "plain full decode of the same JPEG (`Image.open(…).load()`)",
            note=(
                f"{len(photos)} real phone photos (shared/data/photos/street_garbage_*, "
                f"{pixels} px), one core (OpenCV limited to 1 thread, Pillow single-threaded). "
                "The set: scaled JPEG decode, EXIF orientation, shrink to the copy's size, "
                f"{detectors}, mosaic of what was "
                f"found, WebP at {imaging.PUBLIC_LONG_SIDE} px, {imaging.THUMB_LONG_SIDE}-px "
                "thumbnail, perceptual hash; storage writes not included. Median of every "
                f"photo × repetition: **{median_ms:.0f} ms**, which {verdict} the "
                f"{PHOTO_TARGET_MS} ms target. Regions blurred: "
                f"{sum(len(r) for r in found)} in {sum(1 for r in found if r)} of "
                f"{len(photos)} photos."
            ),
        ),
        Row(
            "…of which the decode: `photos.imaging.decode_upright` (scaled, upright, RGB)",
            "per photo",
            len(photos),
            draft,
            full,
            "the same call asked for the full size (full decode, upright, no shrink)",
            note=(
                "Diagnostic row: OpenCV decodes JPEGs at 1/2 scale where that still "
                f"leaves at least {imaging.PUBLIC_LONG_SIDE} px on the long side (the "
                "3264-px photos) and shrinks to 1600 px; the 2592-px ones are decoded at "
                "full size either way."
            ),
        ),
    ]


TRIAGE_TARGET_MS = 20
HISTORY_CASES = int(os.environ.get("BENCH_HISTORY_CASES", "1000000"))
NEARBY_QUERIES = 300


def bench_triage_suggest(reps: int) -> Row:
    triage_services.train(note="bench")
    texts = [text for _label, text in triage_evaluation.test_rows()]
    each: list[float] = []

    def suggest_all() -> None:
        for text in texts:
            start = time.perf_counter()
            triage.suggest(text)
            each.append(time.perf_counter() - start)

    subject, baseline = interleaved(
        suggest_all, lambda: [triage_text.embed([t]) for t in texts], reps
    )
    timed = sorted(each[len(texts) :])
    median_ms = statistics.median(timed) * 1000
    p99_ms = timed[int(0.99 * (len(timed) - 1))] * 1000
    verdict = "meets" if p99_ms < TRIAGE_TARGET_MS else "misses"
    return Row(
        "Triage suggestion: `triage.selectors.suggest(text)`",
        "per message",
        len(texts),
        subject,
        baseline,
        "the sentence embedding alone (`triage.text.embed([text])`, USE multilingual v3)",
        note=(
            f"The {len(texts)} held-out messages of cities/harbin/triage/test.tsv, one at a "
            "time, one BLAS thread: embedding, jieba words and character terms, the linear "
            "model's softmax, categories summed from subcategories. Median "
            f"**{median_ms:.1f} ms**, p99 **{p99_ms:.1f} ms** per message, which {verdict} "
            f"the {TRIAGE_TARGET_MS} ms target. The model was trained in this run "
            "(`triage.services.train`)."
        ),
    )


def percentile_ms(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[int(q * (len(ordered) - 1))] * 1000


def bench_nearby(reps: int) -> list[Row]:
    started = time.perf_counter()
    insert_history(HISTORY_CASES)
    inserted_s = time.perf_counter() - started
    rng = random.Random(SEED + 1)
    min_lat, min_lng, max_lat, max_lng = CITY_BOX
    kinds = list(Category.objects.filter(code__in=["sanitation", "manhole_cover", "road_damage"]))
    queries = []
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for i in range(NEARBY_QUERIES):
        lat = rng.gauss((min_lat + max_lat) / 2, 0.035)
        lng = rng.gauss((min_lng + max_lng) / 2, 0.05)
        queries.append(
            Case.objects.create(
                number=f"Q{i:05d}",
                category=kinds[i % len(kinds)],
                description="路边一堆垃圾",
                lat=lat,
                lng=lng,
                created_at=now,
                updated_at=now,
                tracking_token_hash="-",
            )
        )
    duplicates_each: list[float] = []
    nearby_each: list[float] = []

    def timed(fn, out: list[float]) -> Callable[[], None]:
        def run() -> None:
            for q in queries:
                start = time.perf_counter()
                fn(q)
                out.append(time.perf_counter() - start)

        return run

    def pk_lookup() -> None:
        for q in queries:
            Case.objects.filter(pk=q.pk).first()

    dup_s, dup_b = interleaved(
        timed(lambda q: triage.duplicate_candidates(q, now=now), duplicates_each), pk_lookup, reps
    )
    near_s, near_b = interleaved(
        timed(lambda q: nearby_open_cases(q.lat, q.lng, 250), nearby_each), pk_lookup, reps
    )
    found = [len(triage.duplicate_candidates(q, now=now, min_score=0)) for q in queries]
    with CaptureQueriesContext(connection) as sqls:
        triage.duplicate_candidates(queries[0], now=now)
    plan = explain_first(sqls)
    rows = []
    for name, subject, baseline, each, extra in (
        (
            "Duplicate scoring: `triage.selectors.duplicate_candidates(case)`",
            dup_s,
            dup_b,
            duplicates_each,
            f"Candidates per query (any score): median {statistics.median(found):.0f}, max "
            f"{max(found)}. {len(sqls)} SQL queries per call; the case query's plan: {plan}.",
        ),
        (
            "Nearby search: `cases.selectors.nearby_open_cases(lat, lng, 250)`",
            near_s,
            near_b,
            nearby_each,
            "The citizen's 已有人反映 list (public open cases within 250 m).",
        ),
    ):
        timed_each = each[NEARBY_QUERIES:]
        p99 = percentile_ms(timed_each, 0.99)
        verdict = "meets" if p99 < TRIAGE_TARGET_MS else "misses"
        rows.append(
            Row(
                name,
                "per query",
                NEARBY_QUERIES,
                subject,
                baseline,
                "`Case.objects.filter(pk=…).first()` (one indexed row)",
                note=(
                    f"{HISTORY_CASES:,} cases in the database (95 % closed, three years, "
                    f"clustered on the centre; inserted in {inserted_s:.0f} s), "
                    f"{NEARBY_QUERIES} seeded query points. Median "
                    f"{percentile_ms(timed_each, 0.5):.1f} ms, p99 **{p99:.1f} ms** per query, "
                    f"which {verdict} the {TRIAGE_TARGET_MS} ms target. {extra}"
                ),
            )
        )
    return rows


def explain_first(sqls: CaptureQueriesContext) -> str:
    query = next((q["sql"] for q in sqls.captured_queries if "cases_case" in q["sql"]), "")
    if not query:
        return "none"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query}")
        return "; ".join(str(row[-1]) for row in cursor.fetchall())


# ---------------------------------------------------------------- the report


def machine() -> list[tuple[str, str]]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return [
        ("CPU", f"{command('nproc')} cores, {cpu}"),
        ("Memory", f"{mem_kb / 1024 / 1024:.1f} GiB (MemTotal)"),
        ("OS", f"{os_name()} ({platform.platform()})"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("shapely / GEOS", f"{shapely.__version__} / {shapely.geos_version_string}"),
        ("Commit", commit()),
    ]


def os_name() -> str:
    try:
        release = platform.freedesktop_os_release()
    except OSError:
        return platform.system()
    return release.get("PRETTY_NAME", platform.system())


def command(*args: str) -> str:
    try:
        result = subprocess.run(args, capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def commit() -> str:
    head = command("git", "rev-parse", "--short", "HEAD")
    dirty = command("git", "status", "--porcelain", "--untracked-files=no")
    return f"{head} (with uncommitted changes)" if dirty and head != "unknown" else head


def ms(seconds: float, per: int) -> str:
    value = seconds / per * 1000
    return f"{value:.0f}" if value >= 100 else f"{value:#.3g}"


def spread(values: list[float], per: int) -> str:
    return f"{ms(min(values), per)}–{ms(max(values), per)}"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| Benchmark | ms per op (median) | spread | baseline ms (median) | baseline spread "
        "| ratio (median) | ratio spread |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        ratios = row.ratios
        lines.append(
            f"| {row.name} ({row.unit}) "
            f"| {ms(statistics.median(row.subject), row.per)} | {spread(row.subject, row.per)} "
            f"| {ms(statistics.median(row.baseline), row.per)} "
            f"| {spread(row.baseline, row.per)} "
            f"| **{statistics.median(ratios):.1f}×** "
            f"| {min(ratios):.1f}–{max(ratios):.1f}× |"
        )
    return lines


def render(rows: list[Row], reps: int, started: dt.datetime, elapsed: float, load: float) -> str:
    db = settings.DATABASES["default"]["OPTIONS"]
    out = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench.py`; do not edit by hand. Run `make bench` to measure again",
        "(about a minute or two; it needs nothing but the dev virtualenv).",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} (UTC{started:%z}), {reps} timed repetitions "
        "per benchmark, "
        f"{elapsed:.0f} s in all.",
        "",
        "## How to read this",
        "",
        "The machine is noisy, so each benchmark is timed against a baseline in the same run:",
        "one untimed warm-up each, then subject and baseline alternate (which goes first",
        "alternates too) for every repetition. *Ratio* is subject ÷ baseline within one",
        "repetition; the table gives the median of those ratios and their range. Times are",
        "per operation (`time.perf_counter`), median and min–max over the repetitions. Compare",
        "ratios across runs and machines, not absolute times.",
        "",
        "## Results",
        "",
        *table(rows),
        "",
        "## What each row measures",
        "",
    ]
    for row in rows:
        out += [f"- **{row.name}** — baseline: {row.baseline_name}. {row.note}"]
    out += [
        "",
        "## Machine and settings",
        "",
        *[f"- {name}: {value}" for name, value in machine()],
        "- Settings: `suishoupai.settings` with `SUISHOUPAI_DEMO=true`, `DEBUG` off, "
        f"time zone {settings.TIME_ZONE}, Harbin reference data (`load_reference`).",
        "- Database: a fresh SQLite file in a temporary `DATA_DIR`, "
        f"`{db['init_command'].strip()}`, transaction mode {db['transaction_mode']}.",
        "- One process, one thread, not pinned to a core; load average at the start "
        f"{load:.2f}. Other work on the machine moves absolute times; ratios absorb most of it.",
        "",
    ]
    return "\n".join(out)


def setup_database() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())


# Written by other measurements (scripts/burst.py, photo_memory.py, soak.py): kept.
KEPT = "\n## Load, memory and crashes"


def kept_sections(path: Path) -> str:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    return KEPT + old.split(KEPT, 1)[1] if KEPT in old else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reps", type=int, default=5, help="timed repetitions per benchmark (default 5)"
    )
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    started = dt.datetime.now().astimezone()
    clock_start = time.perf_counter()
    load = os.getloadavg()[0]
    try:
        setup_database()
        rows = bench_point_lookup(args.reps)
        for amount, unit in (
            (4, LimitUnit.WORKING_HOURS),
            (3, LimitUnit.WORKING_DAYS),
            (2, LimitUnit.URGENT_HOURS),
        ):
            rows.append(bench_deadline(args.reps, amount, unit))
        rows.append(bench_lifecycle(args.reps))
        rows.append(bench_public_list(args.reps))
        rows += bench_photos(args.reps)
        rows.append(bench_triage_suggest(args.reps))
        rows += bench_nearby(args.reps)
        print("\n".join(table(rows)))
        text = render(rows, args.reps, started, time.perf_counter() - clock_start, load)
        args.output.write_text(text + kept_sections(args.output), encoding="utf-8")
        print(f"Wrote {args.output}")
    finally:
        connections.close_all()
        _TMP.cleanup()


if __name__ == "__main__":
    main()
