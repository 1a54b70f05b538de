import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from suishoupai.officialaccount.client import client
from suishoupai.officialaccount.config import enabled
from suishoupai.wechat import menu


class Command(BaseCommand):
    help = "Set the official account's menu from the city's wechat_menu.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "city_dir",
            nargs="?",
            help="directory with wechat_menu.json (default: cities/harbin in the project)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the menu WeChat would get; send nothing"
        )

    def handle(self, *args, city_dir=None, dry_run=False, **options):
        path = Path(city_dir) if city_dir else Path(settings.BASE_DIR) / "cities" / "harbin"
        try:
            data = menu.load(path)
        except menu.MenuError as exc:
            raise CommandError(str(exc)) from None
        if dry_run:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not enabled():
            raise CommandError("WeChat is not configured (WECHAT_APP_ID, _SECRET, _TOKEN)")
        client().menu.create(data)
        names = ", ".join(b["name"] for b in data["button"])
        self.stdout.write(self.style.SUCCESS(f"Menu set: {names}"))
