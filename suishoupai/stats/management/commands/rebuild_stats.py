from django.core.management.base import BaseCommand

from suishoupai.stats import services


class Command(BaseCommand):
    help = "Recompute every statistics rollup from the case events."

    def handle(self, *args: object, **options: object) -> None:
        cells = services.rebuild()
        self.stdout.write(f"{cells} daily cells rebuilt.")
