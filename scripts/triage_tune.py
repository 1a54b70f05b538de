#!/usr/bin/env python3
"""Choose the triage classifier's settings by cross-validation on train.tsv only.

The held-out test.tsv is never read here. Prints, for each setting, the 5-fold top-1 category
accuracy and the out-of-scope threshold that keeps in-scope false flags at or under 3 %,
from which OUT_OF_SCOPE_SHIFT in classifier.py is set (the logit shift that moves that
threshold to the API's 0.5).

Usage: DATA_DIR=... SUISHOUPAI_DEMO=true python scripts/triage_tune.py  (after migrate and
load_reference in that DATA_DIR)
"""

# ruff: noqa: E402
import itertools
import math
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suishoupai.settings")
import django

django.setup()

from suishoupai.triage import classifier, evaluation


def main() -> None:
    grid = [(c, w) for c, w in itertools.product((5.0, 20.0, 80.0), (0.5, 1.0, 2.0))]
    if len(sys.argv) > 1:
        grid = [tuple(float(x) for x in arg.split(",")) for arg in sys.argv[1:]]
    classifier.OUT_OF_SCOPE_SHIFT = 0.0
    for c, weight in grid:
        classifier.C, classifier.TERM_WEIGHT = c, weight
        top1, scores = evaluation.cross_validate_scores()
        report = evaluation.CategoryReport(scores=scores)
        best = max(
            (t for t, _r, ff in evaluation.threshold_curve(report, step=0.01) if ff <= 0.03),
            key=lambda t: (report.flagged(t)[0], t),
            default=0.5,
        )
        recall, ff = report.flagged(best)
        shift = -math.log(best / (1 - best))
        print(
            f"C={c:g} TERM_WEIGHT={weight:g}: top-1 {top1:.1%}; at threshold {best:.2f} "
            f"recall {recall:.1%}, flagged {ff:.1%} (shift {shift:+.2f}); at 0.5 "
            f"{report.flagged(0.5)[0]:.1%} / {report.flagged(0.5)[1]:.1%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
