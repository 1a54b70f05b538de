from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from suishoupai.city.services import ReferenceDataError, load_city

_COUNT_ORDER = ("created", "updated", "unchanged", "deactivated", "deleted")


class Command(BaseCommand):
    help = (
        "Load a city's reference configuration (boundaries, departments, catalogue, routing "
        "rules, calendar) from the directory holding its city.json. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "city_dir",
            nargs="?",
            help="directory with city.json (default: cities/harbin in the project)",
        )

    def handle(self, *args: Any, city_dir: str | None = None, **options: Any) -> None:
        path = Path(city_dir) if city_dir else Path(settings.BASE_DIR) / "cities" / "harbin"
        try:
            result = load_city(path)
        except ReferenceDataError as exc:
            raise CommandError(f"{path}/{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {result.city} from {path}"))
        for kind, counts in result.counts.items():
            parts = [f"{counts[name]} {name}" for name in _COUNT_ORDER if counts[name]]
            self.stdout.write(f"  {kind}: {', '.join(parts) or 'nothing'}")
