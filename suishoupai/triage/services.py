"""Writes: training a model, triaging an arrived case, recording what the operator did
with a suggestion, and a city's own examples."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.cases.models import Case, CaseEvent
from suishoupai.catalog.models import Subcategory
from suishoupai.errors import InvalidInput
from suishoupai.org.models import User

from . import engine, selectors, training
from .config import triage_config
from .models import CaseTriage, ExampleSource, SuggestionFeedback, TriageExample, TriageModel

logger = logging.getLogger(__name__)


def train(*, note: str = "", now: datetime | None = None) -> TriageModel:
    """Train both models on everything the city has now and make them the current ones."""
    now = now or timezone.now()
    categories = training.category_examples()
    sentiments = training.sentiment_examples()
    if len(set(categories.labels)) < 2:
        raise InvalidInput(_("The catalogue has no active subcategories to learn."))
    model = TriageModel.objects.create(
        created_at=now,
        category_model=training.train_category(categories).to_bytes(),
        sentiment_model=training.train_sentiment(sentiments).to_bytes(),
        examples={
            "category": dict(categories.sources),
            "sentiment": dict(sentiments.sources),
            "skipped_labels": dict(categories.skipped),
        },
        note=note[:200],
    )
    engine.forget()
    logger.info("Trained triage model %s on %s", model.pk, model.examples)
    return model


def triage_case(case_id: int, *, now: datetime | None = None) -> CaseTriage | None:
    """Compute and keep the suggestion, warning and urgency of a case's report text.

    Idempotent (computed again, same row); None when no model has been trained yet.
    """
    loaded = engine.current()
    case = Case.objects.filter(pk=case_id).only("pk", "description").first()
    if loaded is None or case is None:
        return None
    found = selectors.suggest(case.description, loaded=loaded)
    mood = selectors.sentiment(case.description, loaded=loaded)
    row, _created = CaseTriage.objects.update_or_create(
        case_id=case.pk,
        defaults={
            "suggestions": [
                {
                    "category": s.category,
                    "subcategory": s.subcategory,
                    "score": s.score,
                    "subcategory_score": s.subcategory_score,
                }
                for s in found.suggestions
            ],
            "out_of_scope": found.out_of_scope,
            "out_of_scope_reason": found.reason[:100],
            "urgency": mood.urgency,
            "sentiment": mood.score,
            "model_id": loaded.pk,
            "computed_at": now or timezone.now(),
        },
    )
    return row


def rate_comment(case_id: int, *, now: datetime | None = None) -> CaseTriage | None:
    """The sentiment of the reporter's rating comment, next to the report's own."""
    case = Case.objects.filter(pk=case_id).only("pk", "rating_comment").first()
    if case is None:
        return None
    row = CaseTriage.objects.filter(case_id=case_id).first() or triage_case(case_id, now=now)
    if row is None:
        return None
    comment = case.rating_comment.strip()
    row.rating_sentiment = selectors.sentiment(comment).score if comment else None
    row.save(update_fields=["rating_sentiment"])
    return row


def _subcategory(code: str | None, field: str) -> Subcategory | None:
    if not code:
        return None
    sub = Subcategory.objects.filter(code=code, active=True).first()
    if sub is None:
        raise InvalidInput(_("Unknown subcategory “%(c)s”.") % {"c": code}, field=field)
    return sub


def record_feedback(
    case: Case,
    actor: User | None,
    *,
    chosen: str | None = None,
    agency: str = "",
    now: datetime | None = None,
) -> SuggestionFeedback | None:
    """The operator accepted the suggestion or chose another subcategory (or said whose it
    is). Kept for the next training; None when the case never had a suggestion."""
    stored = CaseTriage.objects.filter(case_id=case.pk).first()
    if stored is None or not stored.suggestions:
        return None
    chosen_sub = _subcategory(chosen, "subcategory")
    if agency and agency not in triage_config().agencies:
        raise InvalidInput(_("Unknown agency."), field="agency")
    if (chosen_sub is None) == (not agency):
        raise InvalidInput(_("Choose a subcategory or another agency."), field="subcategory")
    top = stored.suggestions[0]["subcategory"]
    suggested = Subcategory.objects.filter(code=top).first()
    accepted = chosen_sub is not None and chosen_sub.code == top and stored.out_of_scope < 0.5
    with transaction.atomic():
        return SuggestionFeedback.objects.create(
            case=case,
            text=case.description,
            suggested=suggested,
            suggested_out_of_scope=stored.out_of_scope,
            chosen=chosen_sub,
            chosen_agency=agency,
            accepted=accepted,
            actor=actor,
            at=now or timezone.now(),
            model_id=stored.model_id,
        )


def record_filing(event: CaseEvent) -> SuggestionFeedback | None:
    """A case.filed event: the subcategory the operator filed under, against the suggestion.

    Once per case (a reopened case filed again keeps its first answer)."""
    case = Case.objects.select_related("subcategory").filter(pk=event.case_id).first()
    if case is None or case.subcategory is None:
        return None
    if SuggestionFeedback.objects.filter(case=case).exists():
        return None
    return record_feedback(case, event.actor, chosen=case.subcategory.code, now=event.at)


def add_example(
    text: str, *, subcategory: str | None = None, agency: str = "", actor: User | None = None
) -> TriageExample:
    text = text.strip()
    if not text:
        raise InvalidInput(_("Please enter the message."), field="text")
    example = TriageExample(
        text=text[:2000],
        subcategory=_subcategory(subcategory, "subcategory"),
        agency=agency,
        source=ExampleSource.ADMIN,
        created_by=actor,
    )
    try:
        example.full_clean()
    except Exception as exc:  # ValidationError: one message for people
        raise InvalidInput(" ".join(getattr(exc, "messages", [str(exc)])), field="text") from exc
    example.save()
    return example
