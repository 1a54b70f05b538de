"""`make soak`: ten minutes of mixed load on loopback, bounded (issue 17).

Two web servers (granian, 2 workers each) and two task consumers on one database,
reports with photos moved through every hand by the staff API, public and Open311
reads alongside. Passes when there is no error, no answer over 2 s, the memory at
minute 10 is within 10 % of minute 2, and the queues drain at the end; writes the
result into BENCHMARKS.md.

    .venv/bin/python scripts/soak.py [--minutes 10] [--rate 1] [--database-url URL]
        [--redis-url redis://127.0.0.1:6379/8] [--s3] [--kill-every SECONDS] [--no-write]
"""

import argparse
import json
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from suishoupai.tests import harness, seaweed

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
MARK = "### Soak (`make soak`)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="reports a second")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--s3", action="store_true", help="photos on SeaweedFS (weed mini)")
    parser.add_argument("--ports", default="8108,8118")
    parser.add_argument("--kill-every", type=float, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="soak-")))
        s3_env = {}
        if args.s3:
            (root / "weed-root").mkdir()
            endpoint = stack.enter_context(seaweed.running(root / "weed-root"))
            s3_env = seaweed.environment(endpoint, "soak")
        install = harness.Install(root, args.database_url, args.redis_url, s3_env)
        install.set_up()
        ports = [int(p) for p in args.ports.split(",")]
        servers = harness.Servers(install, ports, consumers=2)
        if args.redis_url:
            stack.callback(harness.forget_queue, args.redis_url, install.env["HUEY_NAME"])
        stack.callback(servers.stop)
        servers.start()
        load = harness.Load(install, servers, rate=args.rate, retry=bool(args.kill_every))
        rss: dict[int, float] = {}
        rng = random.Random(7)
        last_kill = [0.0]

        def tick(elapsed: float) -> None:
            minute = int(elapsed // 60)
            if minute not in rss and elapsed % 60 > 50:  # late in each minute: warmed up
                rss[minute] = servers.rss_mb()
                print(f"minute {minute + 1}: {rss[minute]:.0f} MB", flush=True)
            if args.kill_every and elapsed - last_kill[0] > args.kill_every:
                last_kill[0] = elapsed
                if rng.random() < 0.5:
                    servers.kill_web_worker(rng)
                else:
                    servers.kill_consumer(rng)

        started = time.monotonic()
        load.run(args.minutes * 60, on_tick=tick)
        left = harness.drain(install)
        found = harness.check(install)
        result = {
            **load.stats.summary(),
            "minutes": args.minutes,
            "reports": len(load.numbers),
            "rss_mb_by_minute": {m + 1: round(v) for m, v in sorted(rss.items())},
            "left_in_queues": left,
            "problems": harness.problems(found, crashes=bool(args.kill_every)),
            "photo_status": found["photo_status"],
            "messages": found["messages"],
            "wall_s": round(time.monotonic() - started),
        }
        minutes = sorted(rss)
        first = rss.get(1)
        last = rss[minutes[-1]] if minutes else None
        result["rss_growth_min2_to_end"] = (
            round((last - first) / first * 100, 1) if first and last else None
        )
        errors = load.stats.errors()
        result["error_samples"] = errors[:10]
        print(json.dumps(result, ensure_ascii=False, indent=1))
        passed = (
            result["errors"] == 0
            and result["over_2s"] == 0
            and not result["problems"]
            and left == (0, 0)
            and (result["rss_growth_min2_to_end"] is None or result["rss_growth_min2_to_end"] <= 10)
        )
        if not args.no_write:
            write(result, args, passed)
        return 0 if passed else 1


def write(result: dict, args, passed: bool) -> None:
    store = "S3 (SeaweedFS)" if args.s3 else "local disk"
    database = "PostgreSQL" if args.database_url else "SQLite"
    queue = "Redis" if args.redis_url else "SQLite"
    lines = [
        MARK,
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M}: {args.minutes:g} minutes, {args.rate:g} report/s "
        f"(each with a photo, moved through six staff steps, one with a photo), public and "
        f"Open311 reads every 0.5 s; two granian servers × 2 workers, two huey consumers; "
        f"{database}, queue on {queue}, photos on {store}. "
        f"**{'Passed' if passed else 'FAILED'}.**",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| requests | {result['requests']} |",
        f"| errors (5xx, refused, timed out) | {result['errors']} |",
        f"| answers over 2 s | {result['over_2s']} |",
        f"| median / p99 / slowest answer | {result['median_s']} / {result['p99_s']} / "
        f"{result['max_s']} s |",
        f"| reports filed | {result['reports']} |",
        f"| RSS of all server processes by minute (MB) | "
        f"{', '.join(f'{m}: {v}' for m, v in result['rss_mb_by_minute'].items())} |",
        f"| RSS growth, minute 2 to the end | {result['rss_growth_min2_to_end']} % |",
        f"| photo copies / messages left after the run | {result['left_in_queues'][0]} / "
        f"{result['left_in_queues'][1]} |",
        f"| invariants broken | {result['problems'] or 'none'} |",
        "",
    ]
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else ""
    if MARK in text:
        before, _, after = text.partition(MARK)
        rest = after.split("\n##", 1)
        text = before + "\n".join(lines) + ("\n##" + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    BENCHMARKS.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
