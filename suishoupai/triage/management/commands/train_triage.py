from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suishoupai.triage import services


class Command(BaseCommand):
    help = (
        "Train the category suggestion, out-of-scope and sentiment models on the catalogue, "
        "the city's triage examples (TRIAGE_DIR/train.tsv), the examples added in the admin "
        "and the operators' accepted and corrected suggestions; every process then uses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", default="", help="a note kept with the model")

    def handle(self, *args: Any, note: str = "", **options: Any) -> None:
        model = services.train(note=note or "manage.py train_triage")
        counts = model.examples
        self.stdout.write(self.style.SUCCESS(f"Trained triage model {model.pk}"))
        for kind in ("category", "sentiment"):
            parts = ", ".join(f"{n} {source}" for source, n in sorted(counts[kind].items()))
            self.stdout.write(f"  {kind} examples: {parts}")
        if counts.get("skipped_labels"):
            self.stdout.write(f"  skipped (not in the catalogue): {counts['skipped_labels']}")
