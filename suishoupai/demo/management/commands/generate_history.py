import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from suishoupai.demo.history import generate


class Command(BaseCommand):
    help = (
        "Write a realistic history of N cases for Harbin into the configured database, in "
        "bulk (COPY on PostgreSQL): districts' shares, daily and weekly rhythm, each case as "
        "far along its path as time allowed, with the events, milestones and deadlines the "
        "services write, and the statistics rollups derived from them. Photos are rows "
        "without files. Run after load_reference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="how many cases")
        parser.add_argument("--days", type=int, default=730, help="over how many days (730)")
        parser.add_argument("--end", help="ISO date-time of the last moment (default: now)")
        parser.add_argument("--seed", type=int, default=20261207)
        parser.add_argument("--batch", type=int, default=5000, help="cases per transaction")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes, each making and writing its own slice of the cases (1)",
        )
        parser.add_argument(
            "--no-stats",
            action="store_true",
            help="do not write the statistics facts and daily cells (rebuild_stats can, later)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        end = None
        if options["end"]:
            end = datetime.fromisoformat(options["end"])
            if timezone.is_naive(end):
                end = timezone.make_aware(end)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"  {done:,}/{total:,} cases ({rate:,.0f}/s)")

        try:
            result = generate(
                options["cases"],
                days=options["days"],
                end=end,
                seed=options["seed"],
                batch=options["batch"],
                progress=progress if options["verbosity"] > 0 else None,
                workers=options["workers"],
                stats=not options["no_stats"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        took = time.monotonic() - started
        states = ", ".join(f"{n:,} {s}" for s, n in sorted(result.states.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.cases:,} cases, {result.events:,} events, {result.requests:,} "
                f"requests, {result.photos:,} photos in {took:.0f} s"
            )
        )
        self.stdout.write(f"  {states}")
