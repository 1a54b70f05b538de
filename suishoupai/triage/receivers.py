"""Side effects of case events (cases.signals.event_committed): triage new reports, read
rating comments (both in the background), and keep what the operator filed a report as next
to what was suggested, whichever interface filed it (console, API)."""

from typing import Any

from suishoupai.cases.models import CaseEvent

from . import services, tasks

TRIAGED_ACTIONS = {"case.submitted"}
RATED_ACTIONS = {"case.rated", "case.rating_changed"}
FILED_ACTIONS = {"case.filed"}


def on_case_event(sender: Any = None, *, event: CaseEvent, **kwargs: Any) -> None:
    if event.action in TRIAGED_ACTIONS:
        tasks.triage_case(event.case_id)
    elif event.action in RATED_ACTIONS:
        tasks.rate_comment(event.case_id)
    elif event.action in FILED_ACTIONS:
        services.record_filing(event)
