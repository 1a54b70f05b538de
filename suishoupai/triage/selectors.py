"""Reads: the category suggestion and out-of-scope warning for a text, its sentiment, and
the open cases a new case may duplicate (duplicates.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from suishoupai.cases.models import Case

from . import engine
from .config import OUT_PREFIX, triage_config
from .duplicates import LIKELY_DUPLICATE, DuplicateCandidate, duplicate_candidates

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LIKELY_DUPLICATE",
    "URGENT",
    "CaseView",
    "DuplicateCandidate",
    "Sentiment",
    "Suggestion",
    "Triage",
    "case_view",
    "comment_mood",
    "duplicate_candidates",
    "sentiment",
    "suggest",
]

# At or above this, a text is flagged as not city management (the API's contract).
OUT_OF_SCOPE_FLAG = 0.5
MAX_TEXT = 2000


@dataclass(frozen=True)
class Suggestion:
    category: str
    subcategory: str
    score: float  # probability of the category (all its subcategories together)
    subcategory_score: float


@dataclass(frozen=True)
class Triage:
    suggestions: list[Suggestion] = field(default_factory=list)
    out_of_scope: float = 0.0
    agency: str = ""  # the most likely other agency's key, when out of scope is likely
    reason: str = ""  # that agency's name, for people
    model: int | None = None

    @property
    def flagged(self) -> bool:
        return self.out_of_scope >= OUT_OF_SCOPE_FLAG


def suggest(text: str, limit: int = 3, loaded: engine.Loaded | None = None) -> Triage:
    """Ranked categories (each with its likeliest subcategory) and the out-of-scope warning.

    Empty when no model has been trained or the text is blank.
    """
    loaded = loaded or engine.current()
    text = text.strip()[:MAX_TEXT]
    if loaded is None or not text:
        return Triage()
    probs = loaded.category.probabilities([text])[0]
    return _triage(loaded, probs, limit)


def _triage(loaded: engine.Loaded, probs: np.ndarray, limit: int) -> Triage:
    by_category: dict[str, float] = {}
    best_sub: dict[str, tuple[str, float]] = {}
    out, agency, agency_p = 0.0, "", -1.0
    for label, p in zip(loaded.category.classes.tolist(), probs.tolist(), strict=True):
        if label.startswith(OUT_PREFIX):
            out += p
            if p > agency_p:
                agency, agency_p = label[len(OUT_PREFIX) :], p
            continue
        parent = loaded.parents.get(label)
        if parent is None:  # deactivated since training
            continue
        by_category[parent] = by_category.get(parent, 0.0) + p
        if p > best_sub.get(parent, ("", -1.0))[1]:
            best_sub[parent] = (label, p)
    ranked = sorted(by_category.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    suggestions = [
        Suggestion(code, best_sub[code][0], round(score, 4), round(best_sub[code][1], 4))
        for code, score in ranked
    ]
    reason = triage_config().agencies.get(agency, "") if out >= 0.2 else ""
    return Triage(suggestions, round(out, 4), agency if reason else "", reason, loaded.pk)


@dataclass(frozen=True)
class Sentiment:
    score: float  # -1 angry/desperate .. +1 pleased
    urgency: float  # 0..1: danger or anger, raises a report in the operator's queue
    label: str  # the likeliest of urgent, angry, neutral, positive


def sentiment(text: str, loaded: engine.Loaded | None = None) -> Sentiment:
    loaded = loaded or engine.current()
    text = text.strip()[:MAX_TEXT]
    if loaded is None or not text:
        return Sentiment(0.0, 0.0, "neutral")
    probs = dict(
        zip(
            loaded.sentiment.classes.tolist(),
            loaded.sentiment.probabilities([text])[0].tolist(),
            strict=True,
        )
    )
    urgency = probs.get("urgent", 0.0) + probs.get("angry", 0.0)
    score = probs.get("positive", 0.0) - urgency
    return Sentiment(round(score, 4), round(urgency, 4), max(probs, key=probs.__getitem__))


def comment_mood(cases: QuerySet[Case]) -> list[dict]:
    """Satisfaction next to what the comments say: for each rating, how many rated cases,
    how many with a comment, and the comments' mean sentiment (−1..1). For statistics."""
    from django.db.models import Avg, Count

    from .models import CaseTriage

    rated = cases.exclude(rating="")
    moods = dict(
        CaseTriage.objects.filter(case__in=rated, rating_sentiment__isnull=False)
        .values("case__rating")
        .annotate(n=Count("pk"), mean=Avg("rating_sentiment"))
        .values_list("case__rating", "mean")
    )
    counts = rated.values("rating").annotate(n=Count("pk")).order_by("rating")
    commented = dict(
        rated.exclude(rating_comment="")
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    return [
        {
            "rating": row["rating"],
            "cases": row["n"],
            "comments": commented.get(row["rating"], 0),
            "mood": None if moods.get(row["rating"]) is None else round(moods[row["rating"]], 3),
        }
        for row in counts
    ]


@dataclass(frozen=True)
class CaseView:
    """What the operator reads about a report: the stored triage (or one computed now when
    the background task has not run yet) and the duplicate candidates."""

    triage: Triage
    urgency: float
    duplicates: list[DuplicateCandidate]

    @property
    def urgent(self) -> bool:
        return self.urgency >= URGENT


# At or above this urgency a report is raised in the operator's queue.
URGENT = 0.5


def case_view(case: Case, *, with_duplicates: bool = True) -> CaseView:
    from .models import CaseTriage

    stored = CaseTriage.objects.filter(case_id=case.pk).first()
    if stored is not None:
        agencies = triage_config().agencies
        agency = next((k for k, v in agencies.items() if v == stored.out_of_scope_reason), "")
        found = Triage(
            [
                Suggestion(
                    s["category"], s["subcategory"], s["score"], s.get("subcategory_score", 0.0)
                )
                for s in stored.suggestions
            ],
            stored.out_of_scope,
            agency,
            stored.out_of_scope_reason,
            stored.model_id,
        )
        urgency = stored.urgency
    else:
        found = suggest(case.description)
        urgency = sentiment(case.description).urgency
    duplicates = duplicate_candidates(case) if with_duplicates else []
    return CaseView(found, urgency, duplicates)
