"""Case states, their families, and the explicit table of allowed moves.

Every transition in services.py looks itself up here; a move that is not in
the table is a domain error (HTTP 409), never a silent fallback.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suishoupai.org.models import Role


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting acceptance")
    FILED = "filed", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Awaiting sign-for")
    IN_PROGRESS = "in_progress", _("Being handled")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Awaiting verification")
    VERIFIED = "verified", _("Awaiting closing")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not filed")
    MERGED = "merged", _("Merged")
    VOIDED = "voided", _("Voided")


class Family(models.TextChoices):
    NEW = "new", pgettext_lazy("case family", "New")
    OPEN = "open", pgettext_lazy("case family", "Open")
    CLOSED = "closed", pgettext_lazy("case family", "Closed")


FAMILY: dict[str, str] = {
    State.SUBMITTED: Family.NEW,
    State.FILED: Family.OPEN,
    State.DISPATCHED: Family.OPEN,
    State.IN_PROGRESS: Family.OPEN,
    State.SUSPENDED: Family.OPEN,
    State.RESOLVED: Family.OPEN,
    State.VERIFIED: Family.OPEN,
    State.CLOSED: Family.CLOSED,
    State.REJECTED: Family.CLOSED,
    State.MERGED: Family.CLOSED,
    State.VOIDED: Family.CLOSED,
}

STATES_BY_FAMILY: dict[str, list[str]] = {
    fam: [s for s, f in FAMILY.items() if f == fam] for fam in Family.values
}
OPEN_STATES = STATES_BY_FAMILY[Family.NEW] + STATES_BY_FAMILY[Family.OPEN]

S = State
CENTRE = {Role.OPERATOR, Role.SHIFT_LEAD}
LEAD = {Role.SHIFT_LEAD}
DISPATCH = {Role.DISPATCHER, Role.SHIFT_LEAD}
# Handlers act only on cases assigned to their own department or a unit below it.
DEPT = {Role.HANDLER}
VERIFY = {Role.INSPECTOR, Role.SHIFT_LEAD}
URGE = {Role.LEADER, Role.SHIFT_LEAD}


class Move:
    def __init__(self, sources, target, roles):
        self.sources = frozenset(sources)
        # None: the state does not change (urge, callback, a request, a denial).
        self.target = target
        self.roles = frozenset(roles)


APPEALABLE = {S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED, S.VERIFIED, S.CLOSED}

# action → (allowed source states, target state, roles allowed to do it)
MOVES: dict[str, Move] = {
    "accept": Move({S.SUBMITTED}, S.FILED, CENTRE),
    "reject": Move({S.SUBMITTED}, S.REJECTED, CENTRE),
    "merge": Move({S.SUBMITTED, S.FILED}, S.MERGED, CENTRE),
    # First level from the centre. A separate redispatch (改派) for a case not yet
    # signed for keeps two dispatchers clicking at once to exactly one winner.
    "dispatch": Move({S.FILED}, S.DISPATCHED, DISPATCH),
    "redispatch": Move({S.DISPATCHED}, S.DISPATCHED, DISPATCH),
    # Second level: the department holding the case passes it to a unit below it.
    "dispatch_on": Move({S.DISPATCHED, S.IN_PROGRESS}, S.DISPATCHED, DEPT),
    "take": Move({S.DISPATCHED}, S.IN_PROGRESS, DEPT),
    "feedback": Move({S.IN_PROGRESS}, S.RESOLVED, DEPT),
    "request_return": Move({S.DISPATCHED, S.IN_PROGRESS}, None, DEPT),
    "approve_return": Move({S.DISPATCHED, S.IN_PROGRESS}, S.FILED, LEAD),
    "deny_return": Move({S.DISPATCHED, S.IN_PROGRESS}, None, LEAD),
    "request_extension": Move({S.DISPATCHED, S.IN_PROGRESS}, None, DEPT),
    "approve_extension": Move({S.DISPATCHED, S.IN_PROGRESS}, None, LEAD),
    "deny_extension": Move({S.DISPATCHED, S.IN_PROGRESS}, None, LEAD),
    "request_suspension": Move({S.IN_PROGRESS}, None, DEPT),
    "approve_suspension": Move({S.IN_PROGRESS}, S.SUSPENDED, LEAD),
    "deny_suspension": Move({S.IN_PROGRESS}, None, LEAD),
    # 超期申诉: while the case is with the department or after it reported back.
    # Only a mark made while the department held the case can be appealed
    # (services.request_appeal checks that).
    "request_appeal": Move(APPEALABLE, None, DEPT),
    "approve_appeal": Move(APPEALABLE, None, LEAD),
    "deny_appeal": Move(APPEALABLE, None, LEAD),
    "resume": Move({S.SUSPENDED}, S.IN_PROGRESS, LEAD | DEPT),
    "verify_pass": Move({S.RESOLVED}, S.VERIFIED, VERIFY),
    "verify_fail": Move({S.RESOLVED}, S.IN_PROGRESS, VERIFY),
    "close": Move({S.VERIFIED}, S.CLOSED, LEAD),
    "void": Move(set(OPEN_STATES), S.VOIDED, LEAD),
    "urge": Move({S.FILED, S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED}, None, URGE),
    "callback": Move(set(State.values) - {S.MERGED, S.VOIDED}, None, CENTRE),
    "reopen": Move({S.CLOSED}, S.FILED, LEAD),
    # The reporter (no staff role) rates a closed case with the tracking token.
    "rate": Move({S.CLOSED}, None, set()),
}
