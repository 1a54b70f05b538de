"""Measuring the models on the city's held-out files (test.tsv, sentiment_test.tsv), and
cross-validation on the training file for choosing settings without touching those."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from . import classifier, engine, selectors, training
from .config import OUT_PREFIX, read_examples, triage_dir

OUT = "out_of_scope"


@dataclass
class CategoryReport:
    n_in: int = 0
    n_out: int = 0
    top1: int = 0
    top3: int = 0
    sub_top1: int = 0
    per_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusion: Counter = field(default_factory=Counter)  # (true, predicted)
    # (true is out of scope, out-of-scope probability) for every message
    scores: list[tuple[bool, float]] = field(default_factory=list)
    reasons_right: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)

    def flagged(self, threshold: float = selectors.OUT_OF_SCOPE_FLAG) -> tuple[float, float]:
        """(recall of out-of-scope messages, share of in-scope messages wrongly flagged)."""
        out = [p for is_out, p in self.scores if is_out]
        inside = [p for is_out, p in self.scores if not is_out]
        recall = sum(p >= threshold for p in out) / max(len(out), 1)
        false_flags = sum(p >= threshold for p in inside) / max(len(inside), 1)
        return recall, false_flags


def evaluate_categories(rows: list[tuple[str, str]], loaded: engine.Loaded) -> CategoryReport:
    report = CategoryReport()
    for label, text in rows:
        result = selectors.suggest(text, limit=3, loaded=loaded)
        is_out = label.startswith(OUT_PREFIX)
        report.scores.append((is_out, result.out_of_scope))
        if is_out:
            report.n_out += 1
            report.reasons_right += result.flagged and result.agency == label[len(OUT_PREFIX) :]
            continue
        true_cat = loaded.parents.get(label)
        if true_cat is None:
            continue
        report.n_in += 1
        top = result.suggestions[0] if result.suggestions else None
        predicted = top.category if top else "-"
        report.confusion[(true_cat, predicted)] += 1
        hit = predicted == true_cat
        report.top1 += hit
        report.top3 += any(s.category == true_cat for s in result.suggestions)
        report.sub_top1 += bool(top and top.subcategory == label)
        report.per_category[true_cat][0] += hit
        report.per_category[true_cat][1] += 1
        if not hit:
            report.mistakes.append((text, true_cat, predicted))
    return report


def test_rows() -> list[tuple[str, str]]:
    return read_examples(triage_dir() / "test.tsv")


@dataclass
class SentimentReport:
    n: int = 0
    correct: int = 0
    per_label: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    raised: Counter = field(default_factory=Counter)  # label → how many had urgency ≥ 0.5


def evaluate_sentiment(loaded: engine.Loaded) -> SentimentReport:
    report = SentimentReport()
    for label, text in read_examples(triage_dir() / "sentiment_test.tsv"):
        mood = selectors.sentiment(text, loaded=loaded)
        report.n += 1
        report.correct += mood.label == label
        report.per_label[label][0] += mood.label == label
        report.per_label[label][1] += 1
        report.raised[label] += mood.urgency >= 0.5
    return report


def cross_validate(folds: int = 5, seed: int = 7) -> tuple[float, float, float]:
    """(category top-1, out-of-scope recall, in-scope false-flag rate) over k folds of
    train.tsv; the catalogue's own texts are always in the training part."""
    top1, scores = cross_validate_scores(folds, seed)
    recall, false_flags = CategoryReport(scores=scores).flagged()
    return top1, recall, false_flags


def cross_validate_scores(folds: int = 5, seed: int = 7) -> tuple[float, list[tuple[bool, float]]]:
    all_examples = training.category_examples(include_file=False)
    file_rows = [
        (label, text)
        for label, text in read_examples(triage_dir() / "train.tsv")
        if label.startswith(OUT_PREFIX) or label in set(all_examples.labels)
    ]
    random.Random(seed).shuffle(file_rows)
    base = engine.current()
    parents = base.parents if base else {}
    hits = total = 0
    scores: list[tuple[bool, float]] = []
    for k in range(folds):
        held = file_rows[k::folds]
        kept = [r for i, r in enumerate(file_rows) if i % folds != k]
        model = classifier.train(
            all_examples.texts + [t for _, t in kept], all_examples.labels + [lb for lb, _ in kept]
        )
        loaded = engine.Loaded(-1, model, model, parents)
        report = evaluate_categories(held, loaded)
        hits += report.top1
        total += report.n_in
        scores += report.scores
    return hits / max(total, 1), scores


def threshold_curve(report: CategoryReport, step: float = 0.05) -> list[tuple[float, float, float]]:
    thresholds = np.round(np.arange(0.05, 0.96, step), 2).tolist()
    return [(t, *report.flagged(t)) for t in thresholds]
