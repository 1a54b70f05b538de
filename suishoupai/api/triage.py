"""Category suggestion and out-of-scope warning for a text: the citizen's report form asks
as the citizen types, partner systems before they send a report."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from suishoupai import ratelimit
from suishoupai.triage import selectors

router = Router(tags=["triage"])
# A citizen's form asks after each pause in typing: generous per address (an office or a
# mobile carrier's NAT may share one), still bounded.
SUGGEST_LIMIT = (120, 60)


class SuggestIn(Schema):
    text: str = Field(min_length=1, max_length=2000, description="What the citizen wrote")


class SuggestionOut(Schema):
    category: str = Field(description="Category code")
    subcategory: str = Field(description="The category's likeliest subcategory")
    score: float = Field(description="Probability of the category, 0..1")


class OutOfScopeOut(Schema):
    probability: float = Field(
        description="Probability that the text is not city management; 0.5 or more: flagged"
    )
    reason: str = Field(description="Which kind of agency it sounds like (empty when unlikely)")


class SuggestOut(Schema):
    suggestions: list[SuggestionOut]
    out_of_scope: OutOfScopeOut


@router.post(
    "/triage/suggest",
    response=SuggestOut,
    summary="Suggest the category of a text, and say when it is probably not ours",
)
def suggest(request: HttpRequest, body: SuggestIn):
    uses, window = SUGGEST_LIMIT
    ratelimit.check(
        "triage.suggest",
        ratelimit.client_ip(request),
        uses,
        window,
        _("Too many requests from here in a short time. Please try again later."),
    )
    result = selectors.suggest(body.text)
    return {
        "suggestions": [
            {"category": s.category, "subcategory": s.subcategory, "score": s.score}
            for s in result.suggestions
        ],
        "out_of_scope": {"probability": result.out_of_scope, "reason": result.reason},
    }
