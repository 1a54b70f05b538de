#!/usr/bin/env python3
"""The dashboard and the public pages at a city's full history (issue 12): single
requests timed through django.test.Client (the whole middleware stack, one process),
against a database that already holds the history (`generate_history`, which writes the
statistics rollups with it).

Targets (issue 12): any dashboard view or public page for a year under 1 s, the public
map under 200 ms, on SQLite and on PostgreSQL. Each scenario: one untimed warm-up, then
--requests timed requests; median and p95, and the SQL queries of one more request.
The result replaces the section between the markers in BENCHMARKS.md (one per
database; run it once per database) and is printed.

Usage:
    python scripts/bench_pages.py --database-url sqlite:////work/bench/1m.sqlite3
    python scripts/bench_pages.py --database-url postgresql://postgres@127.0.0.1:5432/bench_1m

Writes nothing but a staff API token (name bench-pages, replaced on each run) for the
history's leader. `make bench` runs it when BENCH_PAGES_DB names databases.
"""

# ruff: noqa: E402  (Django must be configured before the project's modules are imported)

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database-url", required=True)
parser.add_argument("--requests", type=int, default=20, help="timed requests per scenario")
parser.add_argument("--until", default="2026-11-30", help="last day of the year measured")
parser.add_argument("--output", type=Path, default=None, help="BENCHMARKS.md to update")
parser.add_argument("--label", default="", help="a note after the heading (what changed)")
parser.add_argument("--only", action="append", help="scenarios whose name holds this")
parser.add_argument("--heading", default="", help="added to the subsection's heading")
ARGS = parser.parse_args()

REPO = Path(__file__).resolve().parent.parent
_TMP = tempfile.TemporaryDirectory(prefix="suishoupai-bench-pages-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="suishoupai.settings",
    SUISHOUPAI_DEMO="true",
    SUISHOUPAI_BENCH="true",  # rate limits counted, not refused
    DATA_DIR=_TMP.name,
    DEBUG="false",
    LOG_LEVEL="WARNING",
    DATABASE_URL=ARGS.database_url,
)
for _name in ("HUEY_REDIS_URL", "SUISHOUPAI_TESTING", "TIME_ZONE"):
    os.environ.pop(_name, None)
(Path(_TMP.name) / "static").mkdir()

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from suishoupai.cases.models import Case, CaseEvent
from suishoupai.org.models import ApiToken, Role, User
from suishoupai.stats.models import DailyCell

START = "<!-- pages-bench:start -->"
END = "<!-- pages-bench:end -->"
CITY = "126.2,45.45,127.0,46.0"  # Harbin's urban districts, a phone zoomed out (zoom 11)
CENTRE = "126.60,45.73,126.68,45.79"  # zoom 13, the middle of the city
STREET = "126.630,45.757,126.645,45.767"  # zoom 16, a few streets


def scenarios(since: str, until: str) -> list[tuple[str, str, dict, str, float]]:
    """(name, path, params, who, target ms): who is 'leader', 'token' or 'public'."""
    year = {"since": since, "until": until}
    return [
        ("Dashboard, a year (leader)", "/console/dashboard/", year, "leader", 1000),
        ("Dashboard, default period (leader)", "/console/dashboard/", {}, "leader", 1000),
        ("`/api/v1/stats/indicators` by=district, a year", "/api/v1/stats/indicators",
         {**year, "by": "district"}, "token", 1000),
        ("`/api/v1/stats/indicators` by=department, a year", "/api/v1/stats/indicators",
         {**year, "by": "department"}, "token", 1000),
        ("`/public/stats/`, a year", "/public/stats/", year, "public", 1000),
        ("`/public/stats/`, default period", "/public/stats/", {}, "public", 1000),
        ("`/api/v1/public/stats` by=district, a year", "/api/v1/public/stats",
         {**year, "by": "district"}, "public", 1000),
        ("`/api/v1/public/stats` by=category, a year", "/api/v1/public/stats",
         {**year, "by": "category"}, "public", 1000),
        ("`/public/` page 1", "/public/", {}, "public", 1000),
        ("`/public/` one category, a year, page 5", "/public/",
         {**year, "category": "sanitation", "page": 5}, "public", 1000),
        ("Map: whole city, zoom 11, all cases", "/api/v1/public/cases/map",
         {"bbox": CITY, "zoom": 11}, "public", 200),
        ("Map: whole city, zoom 11, a year", "/api/v1/public/cases/map",
         {"bbox": CITY, "zoom": 11, **year}, "public", 200),
        ("Map: whole city, zoom 11, one category", "/api/v1/public/cases/map",
         {"bbox": CITY, "zoom": 11, "category": "sanitation"}, "public", 200),
        ("Map: whole city, zoom 11, open cases", "/api/v1/public/cases/map",
         {"bbox": CITY, "zoom": 11, "family": "open"}, "public", 200),
        ("Map: city centre, zoom 13", "/api/v1/public/cases/map",
         {"bbox": CENTRE, "zoom": 13}, "public", 200),
        ("Map: a few streets, zoom 16", "/api/v1/public/cases/map",
         {"bbox": STREET, "zoom": 16}, "public", 200),
        ("Map: a few streets, zoom 16, one category, a year", "/api/v1/public/cases/map",
         {"bbox": STREET, "zoom": 16, "category": "commercial_noise", **year}, "public", 200),
    ]  # fmt: skip


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def timed(client: Client, path: str, params: dict, headers: dict, n: int):
    response = client.get(path, params, headers=headers)  # warm-up
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, params, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params, headers=headers)
    return times, len(queries.captured_queries), response


def answer(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if "mode" in body:
            shown = len(body["cells"]) or len(body["markers"])
            return f"{body['mode']}: {shown}, total {body['total']:,}"
        if "rows" in body:
            return f"{len(body['rows'])} rows"
        return "JSON"
    return f"HTML, {len(response.content) // 1024} KB"


def main() -> None:
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": plain}}).enable()
    load = os.getloadavg()
    leader = User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").first()
    assert leader is not None, "no leader: generate_history makes history-leader-0"
    ApiToken.objects.filter(user=leader, name="bench-pages").delete()
    _token, raw = ApiToken.issue(leader, "bench-pages")
    cases = Case.objects.count()
    until = date.fromisoformat(ARGS.until)
    since = (until.replace(day=1) - timedelta(days=334)).replace(day=1)
    in_year = Case.objects.filter(created_at__date__gte=since, created_at__date__lte=until).count()
    events = CaseEvent.objects.count() if connection.vendor == "sqlite" else _estimate()
    cells = DailyCell.objects.count()
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
    staff, public = Client(), Client()
    staff.force_login(leader)
    rows = []
    for name, path, params, who, target in scenarios(since.isoformat(), until.isoformat()):
        if ARGS.only and not any(word in name for word in ARGS.only):
            continue
        client = staff if who == "leader" else public
        headers = {"Authorization": f"Bearer {raw}"} if who == "token" else {}
        times, queries, response = timed(client, path, params, headers, ARGS.requests)
        med = statistics.median(times)
        rows.append(
            f"| {name} | {med:.0f} | {p95(times):.0f} | {target:.0f} | "
            f"{'yes' if med < target else '**no**'} | {queries} | {answer(response)} |"
        )
        print(rows[-1], flush=True)
    ApiToken.objects.filter(user=leader, name="bench-pages").delete()
    lines = [
        f"### {vendor}, {cases:,} cases{ARGS.heading} — "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        *([ARGS.label, ""] if ARGS.label else []),
        f"{cases:,} cases ({in_year:,} reported in the year {since} – {until}), "
        f"{events:,} events, {cells:,} statistics cell rows. {ARGS.requests} timed requests "
        f"per row after one warm-up, one process, `django.test.Client`; load average at the "
        f"start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 shared cores). "
        f"`PUBLIC_MAP_CACHE_SECONDS={settings.PUBLIC_MAP_CACHE_SECONDS}`"
        + (
            " (the map's cell answers come from the cache the warm-up filled)."
            if settings.PUBLIC_MAP_CACHE_SECONDS
            else " (every map answer counted afresh)."
        ),
        "",
        "| Request | median ms | p95 ms | target ms | median met | SQL queries | answer |",
        "|---|--:|--:|--:|:-:|--:|---|",
        *rows,
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if ARGS.output:
        write(ARGS.output, section)


def _estimate() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_caseevent'")
        return int(cursor.fetchone()[0])


def write(output: Path, section: str) -> None:
    """Replace this database's subsection in the block between the markers."""
    text = output.read_text() if output.exists() else ""
    old = ""
    if START in text:
        old = text[text.index(START) + len(START) : text.index(END)]
    parts = re.split(r"(?m)^(?=### )", old)
    kept = [p for p in parts[1:] if not p.startswith(section.split(" — ")[0])]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    head = "\n".join(
        [
            "## Dashboard and public pages at 1,000,000 cases (`scripts/bench_pages.py`)",
            "",
            "Written by `scripts/bench_pages.py` (`make bench BENCH_PAGES_DB=…`), one "
            "subsection per database, each from its own run. Targets from issue 12: a year's "
            "dashboard or public page under 1 s, the public map under 200 ms. Settings: "
            "`SUISHOUPAI_DEMO=true`, `DEBUG` off, Asia/Shanghai. "
            f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python "
            f"{platform.python_version()}, commit {commit}.",
            "",
        ]
    )
    block = START + "\n" + head + "\n" + "".join(sorted([*kept, section + "\n"])) + END
    if START in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    output.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
