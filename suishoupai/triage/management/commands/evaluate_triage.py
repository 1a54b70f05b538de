from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suishoupai.catalog.models import Category
from suishoupai.triage import engine, evaluation, services


class Command(BaseCommand):
    help = (
        "Measure the current triage model on the held-out TRIAGE_DIR/test.tsv and "
        "sentiment_test.tsv (never trained on) and print the report in Markdown; --cv "
        "cross-validates on train.tsv instead, for choosing settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", action="store_true", help="train a model first")
        parser.add_argument("--cv", action="store_true", help="5-fold CV on train.tsv only")

    def handle(self, *args: Any, train: bool = False, cv: bool = False, **options: Any) -> None:
        if train:
            services.train(note="manage.py evaluate_triage --train")
        loaded = engine.current()
        if loaded is None:
            raise CommandError("No triage model yet: run manage.py train_triage (or --train).")
        if cv:
            top1, recall, false_flags = evaluation.cross_validate()
            self.stdout.write(
                f"5-fold CV on train.tsv: top-1 category {top1:.1%}, out-of-scope recall "
                f"{recall:.1%}, in-scope flagged {false_flags:.1%}"
            )
            return
        self._categories(evaluation.evaluate_categories(evaluation.test_rows(), loaded))
        self._sentiment(evaluation.evaluate_sentiment(loaded))

    def _categories(self, r: evaluation.CategoryReport) -> None:
        w = self.stdout.write
        recall, false_flags = r.flagged()
        w(f"In-scope messages: {r.n_in}; out-of-scope messages: {r.n_out}\n")
        w(f"- top-1 category: **{r.top1 / r.n_in:.1%}** ({r.top1}/{r.n_in})")
        w(f"- top-3 category: {r.top3 / r.n_in:.1%}")
        w(f"- top-1 subcategory: {r.sub_top1 / r.n_in:.1%}")
        w(
            f"- out-of-scope recall at 0.5: **{recall:.1%}**; in-scope messages flagged: "
            f"**{false_flags:.1%}**; flagged with the right agency: "
            f"{r.reasons_right}/{r.n_out}\n"
        )
        names = dict(Category.objects.values_list("code", "name"))
        codes = [c for c in names if c in r.per_category]
        w("| category | right | of | top-1 |\n|---|--:|--:|--:|")
        for code in codes:
            hits, n = r.per_category[code]
            w(f"| {names[code]} | {hits} | {n} | {hits / n:.0%} |")
        w("\nConfusion matrix (rows: true category, columns: top-1 suggestion):\n")
        w("| true \\ suggested | " + " | ".join(names[c] for c in codes) + " |")
        w("|---|" + "--:|" * len(codes))
        for true in codes:
            cells = [str(r.confusion[(true, p)] or "") for p in codes]
            w(f"| {names[true]} | " + " | ".join(cells) + " |")
        w("\nOut-of-scope threshold sweep:\n\n| threshold | recall | in-scope flagged |")
        w("|--:|--:|--:|")
        for t, rec, ff in evaluation.threshold_curve(r):
            w(f"| {t:.2f} | {rec:.1%} | {ff:.1%} |")
        w("\nIn-scope messages whose top-1 category was wrong:\n")
        for text, true, predicted in r.mistakes:
            w(f"- {text} — {names.get(true, true)} → {names.get(predicted, predicted)}")

    def _sentiment(self, r: evaluation.SentimentReport) -> None:
        w = self.stdout.write
        w(f"\nSentiment: {r.correct}/{r.n} labels right ({r.correct / max(r.n, 1):.0%})\n")
        w("| label | right | of | raised (urgency ≥ 0.5) |\n|---|--:|--:|--:|")
        for label, (hits, n) in sorted(r.per_label.items()):
            w(f"| {label} | {hits} | {n} | {r.raised[label]} |")
