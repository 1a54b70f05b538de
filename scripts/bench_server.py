#!/usr/bin/env python3
"""Server-level benchmark (issue 13): wrk against `manage.py serve` on loopback.

Each scenario is timed next to the ceiling: a minimal JSON view on the same server, the
same settings, the same run (SUISHOUPAI_BENCH=true adds it at /bench/ceiling). Scenario
and ceiling alternate, round by round; the share of the ceiling is the ratio within one
round. 1 and 8 connections. The data: `manage.py generate_history --cases N`. Peak RSS
(VmHWM) of every server process is read at the end. The result replaces the server section
of BENCHMARKS.md (between the markers) and is printed.

Usage:
    python scripts/bench_server.py [--cases 10000] [--database-url postgresql://…]
        [--duration 4] [--rounds 2] [--port 8131] [--output BENCHMARKS.md]

On PostgreSQL the database given is migrated and filled when it holds fewer cases than
asked (use a database of your own: its data stays for the next run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
START = "<!-- server-bench:start -->"
END = "<!-- server-bench:end -->"


def sh(*args: str, env: dict, **kw) -> str:
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, **kw).stdout


def manage(env: dict, *args: str) -> str:
    return sh(PY, str(REPO / "manage.py"), *args, env=env, cwd=REPO)


def prepare(env: dict, cases: int) -> tuple[dict, float | None]:
    """Migrate, load the reference data, generate the history; the fixtures the scenarios use."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the pages name hashed files
    manage(env, "load_reference")
    have = int(manage(env, "shell", "-c", _COUNT).strip().splitlines()[-1])
    took = None
    if have < cases:
        started = time.monotonic()
        manage(env, "generate_history", "--cases", str(cases - have), "-v", "0")
        took = time.monotonic() - started
    fixtures = json.loads(manage(env, "shell", "-c", _FIXTURES).strip().splitlines()[-1])
    return fixtures, took


_COUNT = "from suishoupai.cases.models import Case; print(Case.objects.count())"
_FIXTURES = """
import json
from django.test import Client
from suishoupai.cases.models import Case
from suishoupai.catalog.models import Subcategory
from suishoupai.open311.services import issue_client
from suishoupai.org.models import ApiToken, Role, User
pub = Case.objects.public().order_by("-created_at")
one = pub[len(pub) // 3] if False else pub[100]
sub = Subcategory.objects.filter(active=True).select_related("category").order_by("pk").first()
_client, key = issue_client("bench", requests_per_hour=10**9)
leader = User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").first()
ApiToken.objects.filter(user=leader, name="bench-server").delete()
_token, bearer = ApiToken.issue(leader, "bench-server")
staff = Client()
staff.force_login(leader)
print(json.dumps({"number": one.number, "pk": one.pk, "lat": one.lat, "lng": one.lng,
    "category": sub.category.code, "subcategory": sub.code, "key": key, "bearer": bearer,
    "session": staff.cookies["sessionid"].value}))
"""
# The year the dashboard and statistics scenarios ask for (the generator's histories end
# in early December 2026).
YEAR = "since=2025-12-01&until=2026-11-30"
CITY = "126.2,45.45,127.0,46.0"  # Harbin's urban districts at zoom 11


def scenarios(f: dict) -> list[tuple[str, str, str | None, str | None, dict]]:
    """(name, path, method, body, headers) — the issue's table, where the endpoint exists,
    then issue 12's dashboard, statistics and public map."""
    lat, lng = f["lat"], f["lng"]
    bbox = f"{lng - 0.02:.4f},{lat - 0.015:.4f},{lng + 0.02:.4f},{lat + 0.015:.4f}"
    report = json.dumps(
        {
            "category": f["category"],
            "subcategory": f["subcategory"],
            "description": "路边有一堆垃圾，麻烦处理。",
            "lat": lat,
            "lng": lng,
        }
    )
    form = (
        f"api_key={f['key']}&service_code={f['subcategory']}&lat={lat}&long={lng}"
        "&description=%E8%B7%AF%E8%BE%B9%E6%9C%89%E5%9E%83%E5%9C%BE"
    )
    bearer = {"Authorization": f"Bearer {f['bearer']}"}
    session = {"Cookie": f"sessionid={f['session']}"}
    return [
        ("`GET /api/v1/cases/{number}`", f"/api/v1/cases/{f['number']}", None, None, {}),
        ("`GET /api/v1/cases?page_size=100`", "/api/v1/cases?page_size=100", None, None, {}),
        ("`GET /api/v1/cases?bbox=…&family=open`", f"/api/v1/cases?bbox={bbox}&family=open",
         None, None, {}),
        ("`GET /api/v1/cases/nearby`", f"/api/v1/cases/nearby?lat={lat}&lng={lng}", None, None,
         {}),
        ("`POST /api/v1/cases` (JSON)", "/api/v1/cases", "POST", report, {}),
        ("Open311 `requests.json` (up to 1,000)", "/open311/v2/requests.json", None, None, {}),
        ("Open311 `requests/{id}.json`", f"/open311/v2/requests/{f['number']}.json", None, None,
         {}),
        ("Open311 POST `requests.json`", "/open311/v2/requests.json", "POST", form, {}),
        ("Dashboard, a year (leader)", f"/console/dashboard/?{YEAR}", None, None, session),
        ("`/api/v1/stats/indicators?by=district`, a year",
         f"/api/v1/stats/indicators?by=district&{YEAR}", None, None, bearer),
        ("`/api/v1/stats/indicators?by=department`, a year",
         f"/api/v1/stats/indicators?by=department&{YEAR}", None, None, bearer),
        ("`/public/stats/`, a year", f"/public/stats/?{YEAR}", None, None, {}),
        ("`/api/v1/public/stats?by=district`, a year",
         f"/api/v1/public/stats?by=district&{YEAR}", None, None, {}),
        ("`/public/` page 1", "/public/", None, None, {}),
        ("Public map, whole city, zoom 11", f"/api/v1/public/cases/map?bbox={CITY}&zoom=11",
         None, None, {}),
        ("Public map, a few streets, zoom 16",
         f"/api/v1/public/cases/map?bbox={bbox}&zoom=16", None, None, {}),
    ]  # fmt: skip


def lua(method: str | None, body: str | None, kind: str, headers: dict) -> str | None:
    if method is None and not headers:
        return None
    script = "".join(f'wrk.headers["{k}"] = {json.dumps(v)}\n' for k, v in headers.items())
    if method is not None:
        ctype = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
        script += (
            f'wrk.method = "{method}"\nwrk.body = {json.dumps(body)}\n'
            f'wrk.headers["Content-Type"] = "{ctype}"\n'
        )
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(script)
    return str(path)


def wrk(url: str, conns: int, seconds: int, script: str | None) -> dict:
    args = [
        "wrk",
        "-t",
        "1",
        "-c",
        str(conns),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50": _ms(lat.get("50", "0ms")),
        "p99": _ms(lat.get("99", "0ms")),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
        "total": total,
    }


def settle(base: str, limit_s: float = 90) -> None:
    """Wait for the requests wrk left queued in the server (it stops sending, the server
    keeps working): the next measurement must start on an idle server."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/bench/ceiling", timeout=limit_s)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            kids = []
        stack.extend(int(k) for k in kids)
    return found


def peak_rss(pids: list[int]) -> list[tuple[str, float]]:
    rows = []
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
            cmd = Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ")
        except OSError:
            continue
        hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
        if hwm:
            rows.append((cmd[:60], int(hwm.group(1)) / 1024))
    return rows


def serve(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [PY, str(REPO / "manage.py"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--no-tasks", "--workers", str(workers), "--threads", str(threads)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ceiling", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not start")


def run(args: argparse.Namespace) -> str:
    tmp = tempfile.mkdtemp(prefix="suishoupai-bench-server-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUISHOUPAI_TESTING")}
    env.update(
        DJANGO_SETTINGS_MODULE="suishoupai.settings",
        SUISHOUPAI_DEMO="true",
        SUISHOUPAI_BENCH="true",
        DATA_DIR=tmp,
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    vendor = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    fixtures, took = prepare(env, args.cases)
    cases = int(manage(env, "shell", "-c", _COUNT).strip().splitlines()[-1])
    proc = serve(env, args.port, args.workers, args.threads)
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        ceiling_url = f"{base}/bench/ceiling"
        for name, path, method, body, headers in scenarios(fixtures):
            if args.only and not any(word in name for word in args.only):
                continue
            kind = "json" if path.startswith("/api/") else "form"
            script = lua(method, body, kind, headers)
            # Slow scenarios get long enough to finish a few requests.
            slow = ("1,000", "Dashboard", "stats")
            seconds = args.duration * (3 if any(word in name for word in slow) else 1)
            for conns in (1, 8):
                wrk(base + path, conns, 1, script)  # warm-up
                settle(base)
                ratios, subj, ceil = [], [], []
                for r in range(args.rounds):
                    pair = [("s", base + path, script), ("c", ceiling_url, None)]
                    if r % 2:
                        pair.reverse()
                    got = {}
                    for k, u, s in pair:
                        got[k] = wrk(u, conns, seconds, s)
                        settle(base)
                    subj.append(got["s"])
                    ceil.append(got["c"])
                    ceiling_rps = got["c"]["rps"]
                    ratios.append(got["s"]["rps"] / ceiling_rps if ceiling_rps else float("nan"))
                rows.append((name, conns, subj, ceil, ratios))
                print(name, conns, [round(s["rps"], 1) for s in subj],
                      [round(c["rps"]) for c in ceil], flush=True)  # fmt: skip
        rss = peak_rss(tree(proc.pid))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return report(args, vendor, cases, took, rows, rss)


def _med(values: list[float]) -> float:
    return statistics.median(values)


def _span(values: list[float], fmt: str) -> str:
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def report(args, vendor, cases, took, rows, rss) -> str:
    load = os.getloadavg()
    lines = [
        f"### {vendor}, {cases:,} cases — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"`manage.py serve --no-tasks --workers {args.workers} --threads {args.threads}` "
        f"(granian, HTTP/1), wrk 1 thread, {args.duration} s per measurement, {args.rounds} "
        f"rounds alternating with the ceiling, after a 1 s warm-up. Load average before the "
        f"run ended: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.",
    ]
    if took is not None:
        lines.append(f"Data: `generate_history` made the cases in {took:.0f} s.")
    lines += [
        "",
        "| scenario | conns | req/s (median) | spread | p50 ms | p99 ms | ceiling req/s "
        "| share of ceiling | non-2xx |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]  # fmt: skip
    for name, conns, subj, ceil, ratios in rows:
        lines.append(
            f"| {name} | {conns} | {_med([s['rps'] for s in subj]):.1f} | "
            f"{_span([s['rps'] for s in subj], '{:.1f}')} | "
            f"{_med([s['p50'] for s in subj]):.1f} | {_med([s['p99'] for s in subj]):.1f} | "
            f"{_med([c['rps'] for c in ceil]):.0f} | {100 * _med(ratios):.2f} % "
            f"({_span([100 * r for r in ratios], '{:.2f}')}) | "
            f"{sum(s['bad'] for s in subj)}/{sum(s['total'] for s in subj)} |"
        )
    lines += ["", "Peak RSS (VmHWM) of every server process at the end:", ""]
    for cmd, mb in rss:
        lines.append(f"- {mb:.0f} MB — `{cmd.strip()}`")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(ln.split()[1] for ln in meminfo if ln.startswith("MemTotal"))
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    granian = subprocess.run(
        [str(Path(PY).parent / "granian"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"Machine: {os.cpu_count()} cores, {cpu}, {int(mem) / 1048576:.1f} GiB; "
        f"{platform.platform()}; Python {platform.python_version()}; {granian}; {wrk_v.strip()}; "
        f"commit {sh('git', 'rev-parse', '--short', 'HEAD', env=os.environ, cwd=REPO).strip()}."
    )


def write(output: Path, sections: list[str]) -> None:
    text = output.read_text() if output.exists() else ""
    block = "\n".join(
        [
            START,
            "## Server level (`scripts/bench_server.py`)",
            "",
            "Written by `scripts/bench_server.py` (`make bench`); wrk against `manage.py serve`"
            " on loopback. *Share of ceiling* is the scenario's req/s over the minimal JSON "
            "view's in the same round (median and range over rounds). Settings: "
            "`SUISHOUPAI_DEMO=true`, `DEBUG` off, `SUISHOUPAI_BENCH=true` (the ceiling view; "
            "rate limits counted but multiplied by 10^6).",
            "",
            machine(),
            "",
            *sections,
            END,
        ]
    )
    if START in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    output.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        action="append",
        default=None,
        help="PostgreSQL URL, or sqlite:////path/to/file (kept), or 'sqlite' (a temporary "
        "file); repeat for several",
    )
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=5)
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument(
        "--only", action="append", help="only the scenarios whose name holds this (repeatable)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt)")
    sections = []
    for url in args.database_url or ["sqlite"]:
        args.database_url = None if url == "sqlite" else url
        sections.append(run(args))
        print(sections[-1], flush=True)
    write(args.output, sections)


if __name__ == "__main__":
    main()
