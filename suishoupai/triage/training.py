"""Gathering the training examples and training the two models.

Category model: one class per active subcategory plus one per other agency ("out:heating"),
so a single softmax says both which category and how likely the text is not ours (the sum
over the agencies). Examples: the catalogue's own texts (subcategory names, hints, filing
conditions), the city's train.tsv, examples added in the admin, and the operators' accepted
and corrected suggestions. Sentiment model: the city's sentiment_train.tsv.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from suishoupai.catalog.models import Subcategory

from .config import OUT_PREFIX, read_examples, triage_config, triage_dir
from .models import SuggestionFeedback, TriageExample

if TYPE_CHECKING:
    from . import classifier

logger = logging.getLogger(__name__)


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def add(self, text: str, label: str, source: str) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.sources[source] += 1


def _active_subcategories() -> dict[str, Subcategory]:
    qs = Subcategory.objects.filter(active=True, category__active=True).select_related("category")
    return {sub.code: sub for sub in qs.prefetch_related("conditions")}


def category_examples(include_file: bool = True) -> Examples:
    subs = _active_subcategories()
    agencies = triage_config().agencies
    out = Examples()
    for sub in subs.values():
        out.add(f"{sub.category.name} {sub.name}", sub.code, "catalogue")
        if sub.hint:
            out.add(sub.hint, sub.code, "catalogue")
        for cond in sub.conditions.all():
            if cond.active:
                out.add(cond.description, sub.code, "catalogue")

    def known(label: str) -> bool:
        if label.startswith(OUT_PREFIX):
            return label[len(OUT_PREFIX) :] in agencies
        return label in subs

    if include_file:
        for label, text in read_examples(triage_dir() / "train.tsv"):
            if known(label):
                out.add(text, label, "file")
            else:
                out.skipped[label] += 1
    for ex in TriageExample.objects.select_related("subcategory"):
        label = ex.subcategory.code if ex.subcategory else OUT_PREFIX + ex.agency
        if known(label):
            out.add(ex.text, label, f"examples_{ex.source}")
    for fb in SuggestionFeedback.objects.select_related("chosen"):
        label = fb.chosen.code if fb.chosen else OUT_PREFIX + fb.chosen_agency
        if fb.text.strip() and known(label):
            out.add(fb.text, label, "feedback_accepted" if fb.accepted else "feedback_corrected")
    if out.skipped:
        logger.warning("Triage training skipped labels not in the catalogue: %s", out.skipped)
    return out


def sentiment_examples() -> Examples:
    out = Examples()
    for label, text in read_examples(triage_dir() / "sentiment_train.tsv"):
        out.add(text, label, "file")
    return out


def train_category(examples: Examples) -> classifier.Classifier:
    from . import classifier  # NumPy: imported where a model is trained

    return classifier.train(examples.texts, examples.labels)


def train_sentiment(examples: Examples) -> classifier.Classifier:
    from . import classifier

    return classifier.train(examples.texts, examples.labels)
