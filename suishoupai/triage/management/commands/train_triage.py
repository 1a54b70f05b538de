from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suishoupai.triage import services
from suishoupai.triage.models import TriageModel


class Command(BaseCommand):
    help = (
        "Train the category suggestion, out-of-scope and sentiment models on the catalogue, "
        "the city's triage examples (TRIAGE_DIR/train.tsv), the examples added in the admin "
        "and the operators' accepted and corrected suggestions; every process then uses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", default="", help="a note kept with the model")
        parser.add_argument(
            "--if-missing", action="store_true", help="only when no model has been trained yet"
        )

    def handle(self, *args: Any, note: str = "", if_missing: bool = False, **options: Any) -> None:
        if if_missing and TriageModel.objects.exists():
            self.stdout.write("A triage model exists already: nothing to do.")
            return
        model = services.train(note=note or "manage.py train_triage")
        counts = model.examples
        self.stdout.write(self.style.SUCCESS(f"Trained triage model {model.pk}"))
        for kind in ("category", "sentiment"):
            parts = ", ".join(f"{n} {source}" for source, n in sorted(counts[kind].items()))
            self.stdout.write(f"  {kind} examples: {parts}")
        if counts.get("skipped_labels"):
            self.stdout.write(f"  skipped (not in the catalogue): {counts['skipped_labels']}")
