"""Case events: the one way a CaseEvent is written, and what each event is called.

`record` writes the row and tells the listeners (cases.signals): `event_recorded`
at once, inside the transition's transaction, and `event_committed` once it has
committed. The core imports none of its listeners; notify, photos (and the
statistics to come) connect to the signals in their own AppConfig.ready().
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy

from suishoupai.org.models import Department, User

from .models import Case, CaseEvent, Visibility
from .signals import event_committed, event_recorded


def record(
    case: Case,
    code: str,
    actor: User | None,
    now: datetime,
    *,
    from_state: str = "",
    department: Department | None = None,
    note: str = "",
    data: dict | None = None,
    visibility: str = Visibility.PUBLIC,
    actor_role: str = "",
    actor_label: str = "",
) -> CaseEvent:
    """Append one event to a case's history (call inside the transition's transaction)."""
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        action=code,
        actor=actor,
        actor_role=actor.role if actor else actor_role,
        actor_label=str(actor) if actor else actor_label,
        from_state=from_state,
        to_state=case.state,
        department=department,
        note=note,
        data=data or {},
        visibility=visibility,
    )
    # A listener's error here rolls the transition back with it: that is the point.
    event_recorded.send(sender=CaseEvent, event=event)
    # After commit side effects must not undo or slow a committed move: sent robustly,
    # so one failing listener is logged and the others still run.
    transaction.on_commit(lambda: event_committed.send_robust(sender=CaseEvent, event=event))
    return event


# What each event is called on timelines (API, console, Open311 updates).
EVENT_LABELS = {
    "case.submitted": gettext_lazy("Reported"),
    "case.filed": gettext_lazy("Filed"),
    "case.rejected": gettext_lazy("Not filed"),
    "case.merged": gettext_lazy("Merged into another case"),
    "case.merge_received": gettext_lazy("Duplicate merged in"),
    "case.dispatched": gettext_lazy("Dispatched"),
    "case.redispatched": gettext_lazy("Re-dispatched"),
    "case.dispatched_on": gettext_lazy("Passed on to a unit"),
    "case.taken": gettext_lazy("Signed for"),
    "case.resolved": gettext_lazy("Handled"),
    "case.return_requested": gettext_lazy("Return requested"),
    "case.returned": gettext_lazy("Returned"),
    "case.return_denied": gettext_lazy("Return denied"),
    "case.extension_requested": gettext_lazy("Extension requested"),
    "case.extended": gettext_lazy("Extended"),
    "case.extension_denied": gettext_lazy("Extension denied"),
    "case.suspension_requested": gettext_lazy("Suspension requested"),
    "case.suspended": gettext_lazy("Suspension approved"),
    "case.suspension_denied": gettext_lazy("Suspension denied"),
    "case.appeal_requested": gettext_lazy("Overdue mark appealed"),
    "case.overdue_waived": gettext_lazy("Overdue mark waived"),
    "case.appeal_denied": gettext_lazy("Appeal denied"),
    "case.resumed": gettext_lazy("Resumed"),
    "case.verified": gettext_lazy("Verified"),
    "case.rework": gettext_lazy("Rework"),
    "case.closed": gettext_lazy("Closed"),
    "case.voided": gettext_lazy("Voided"),
    "case.urged": gettext_lazy("Urged"),
    "case.callback": gettext_lazy("Called back"),
    "case.reopened": gettext_lazy("Reopened"),
    "case.rated": gettext_lazy("Rated"),
    "case.rating_changed": gettext_lazy("Rating changed"),
    "case.supported": gettext_lazy("Someone else reported it too"),
    "case.external_update": gettext_lazy("Update from a partner system"),
    # Photo moderation (staff only, the public never sees these events).
    "photo.redacted": gettext_lazy("Photo blurred further"),
    "photo.hidden": gettext_lazy("Photo hidden from the public"),
    "photo.shown": gettext_lazy("Photo shown to the public again"),
}
