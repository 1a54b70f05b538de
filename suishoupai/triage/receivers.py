"""Side effects of case events (cases.signals.event_committed): triage new reports and read
rating comments, in the background."""

from typing import Any

from suishoupai.cases.models import CaseEvent

from . import tasks

TRIAGED_ACTIONS = {"case.submitted"}
RATED_ACTIONS = {"case.rated", "case.rating_changed"}


def on_case_event(sender: Any = None, *, event: CaseEvent, **kwargs: Any) -> None:
    if event.action in TRIAGED_ACTIONS:
        tasks.triage_case(event.case_id)
    elif event.action in RATED_ACTIONS:
        tasks.rate_comment(event.case_id)
