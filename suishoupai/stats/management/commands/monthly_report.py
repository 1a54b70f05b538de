import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suishoupai.stats import reports


class Command(BaseCommand):
    help = "Write a month's bulletin (rankings, bottom three, trend) as an .xlsx file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("month", help="The month, e.g. 2026-11")
        parser.add_argument("--output", "-o", help="File to write (default: bulletin-<month>.xlsx)")

    def handle(self, *args: object, **options: str) -> None:
        month = options["month"]
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("The month is written YYYY-MM, e.g. 2026-11.")
        path = Path(options.get("output") or f"bulletin-{month}.xlsx")
        reports.monthly_bulletin(month).save(path)
        self.stdout.write(f"Wrote {path}")
