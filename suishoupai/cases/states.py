"""Case states, their families, and the explicit table of allowed moves.

Every transition in services.py looks itself up here; a move that is not in
the table is a domain error (HTTP 409), never a silent fallback. The table is
the one list of moves: who may make each (policy's role groups), from which
states, and what people call it (console buttons, the staff API, error messages).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suishoupai.org.models import User

from .policy import DEPARTMENTS, DISPATCHERS, INSPECTORS, INTAKE, LEADS, SUPERVISORS


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


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    # None: the state does not change (urge, callback, a request, a denial).
    target: str | None
    roles: frozenset[str]
    # As a person would say it, for "you cannot … now".
    label: Promise
    # The console's button (and its "done" message).
    title: Promise | None = None
    # The staff API's summary of POST /staff/cases/{number}/<action>.
    summary: Promise | None = None
    # Told to a post that may not make the move; the default is "Your role may not do this."
    refusal: Promise | None = None


def _move(
    sources: Iterable[str],
    target: str | None,
    roles: Iterable[str],
    label: Promise,
    title: Promise | None = None,
    summary: Promise | None = None,
    refusal: Promise | None = None,
) -> Move:
    return Move(frozenset(sources), target, frozenset(roles), label, title, summary, refusal)


APPEALABLE = {S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED, S.VERIFIED, S.CLOSED}
HELD = {S.DISPATCHED, S.IN_PROGRESS}
PHOTO_REFUSAL = _("Only operators and shift leads may redact or hide photos.")

# action → (allowed source states, target state, roles allowed to do it, names)
MOVES: dict[str, Move] = {
    "accept": _move(
        {S.SUBMITTED},
        S.FILED,
        INTAKE,
        _("file the case"),
        _("File (立案)"),
        _("File the report as a case (立案)"),
    ),
    "reject": _move(
        {S.SUBMITTED},
        S.REJECTED,
        INTAKE,
        _("decline the report"),
        _("Decline"),
        _("Decline to file (不予立案)"),
    ),
    "merge": _move(
        {S.SUBMITTED, S.FILED},
        S.MERGED,
        INTAKE,
        _("merge the case"),
        _("Merge into a case"),
        _("Merge into another case"),
    ),
    # First level from the centre. A separate redispatch (改派) for a case not yet
    # signed for keeps two dispatchers clicking at once to exactly one winner.
    "dispatch": _move(
        {S.FILED},
        S.DISPATCHED,
        DISPATCHERS,
        _("dispatch the case"),
        _("Dispatch"),
        # The staff API's `dispatch` action also makes dispatch_on (see api_move).
        _("Dispatch (派遣), or pass on to a sub-unit (转派)"),
    ),
    "redispatch": _move(
        {S.DISPATCHED},
        S.DISPATCHED,
        DISPATCHERS,
        _("re-dispatch the case"),
        _("Re-dispatch"),
        _("Re-dispatch a case not yet signed for (改派)"),
    ),
    # Second level: the department holding the case passes it to a unit below it.
    "dispatch_on": _move(
        HELD, S.DISPATCHED, DEPARTMENTS, _("pass the case on to a unit"), _("Pass on to a unit")
    ),
    "take": _move(
        {S.DISPATCHED},
        S.IN_PROGRESS,
        DEPARTMENTS,
        _("sign for the case"),
        _("Sign for"),
        _("Sign for (签收)"),
    ),
    "feedback": _move(
        {S.IN_PROGRESS},
        S.RESOLVED,
        DEPARTMENTS,
        _("report the handling"),
        _("Report the handling"),
        _("Report the handling (处置反馈)"),
    ),
    "request_return": _move(
        HELD,
        None,
        DEPARTMENTS,
        _("ask to return the case"),
        _("Ask to return"),
        _("Ask to return the case (回退)"),
    ),
    "approve_return": _move(
        HELD,
        S.FILED,
        LEADS,
        _("approve the return"),
        _("Approve the return"),
        _("Approve a return"),
    ),
    "deny_return": _move(
        HELD, None, LEADS, _("deny the return"), _("Deny the return"), _("Deny a return")
    ),
    "request_extension": _move(
        HELD,
        None,
        DEPARTMENTS,
        _("ask for an extension"),
        _("Ask for an extension"),
        _("Ask for more time (延期)"),
    ),
    "approve_extension": _move(
        HELD,
        None,
        LEADS,
        _("approve the extension"),
        _("Approve the extension"),
        _("Approve an extension"),
    ),
    "deny_extension": _move(
        HELD,
        None,
        LEADS,
        _("deny the extension"),
        _("Deny the extension"),
        _("Deny an extension"),
    ),
    "request_suspension": _move(
        {S.IN_PROGRESS},
        None,
        DEPARTMENTS,
        _("ask to suspend the case"),
        _("Ask to suspend"),
        _("Ask to suspend (挂账)"),
    ),
    "approve_suspension": _move(
        {S.IN_PROGRESS},
        S.SUSPENDED,
        LEADS,
        _("approve the suspension"),
        _("Approve the suspension"),
        _("Approve a suspension"),
    ),
    "deny_suspension": _move(
        {S.IN_PROGRESS},
        None,
        LEADS,
        _("deny the suspension"),
        _("Deny the suspension"),
        _("Deny a suspension"),
    ),
    # 超期申诉: while the case is with the department or after it reported back.
    # Only a mark made while the department held the case can be appealed
    # (services.request_appeal checks that).
    "request_appeal": _move(
        APPEALABLE,
        None,
        DEPARTMENTS,
        _("appeal the overdue mark"),
        _("Appeal the overdue mark"),
        _("Appeal an overdue mark (超期申诉)"),
    ),
    "approve_appeal": _move(
        APPEALABLE,
        None,
        LEADS,
        _("approve the appeal"),
        _("Approve the appeal"),
        _("Approve an appeal: waive the overdue mark"),
    ),
    "deny_appeal": _move(
        APPEALABLE,
        None,
        LEADS,
        _("deny the appeal"),
        _("Deny the appeal"),
        _("Deny an appeal"),
    ),
    "resume": _move(
        {S.SUSPENDED},
        S.IN_PROGRESS,
        LEADS | DEPARTMENTS,
        _("resume the case"),
        _("Resume"),
        _("Resume a suspended case"),
    ),
    "verify_pass": _move(
        {S.RESOLVED},
        S.VERIFIED,
        INSPECTORS,
        _("pass the verification"),
        _("Verification passed"),
        _("Verification passed (核查通过)"),
    ),
    "verify_fail": _move(
        {S.RESOLVED},
        S.IN_PROGRESS,
        INSPECTORS,
        _("send the case back for rework"),
        _("Verification failed: rework"),
        _("Verification failed: rework (返工)"),
    ),
    "close": _move(
        {S.VERIFIED}, S.CLOSED, LEADS, _("close the case"), _("Close the case"), _("Close (结案)")
    ),
    "void": _move(OPEN_STATES, S.VOIDED, LEADS, _("void the case"), _("Void"), _("Void (作废)")),
    "urge": _move(
        {S.FILED, S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED},
        None,
        SUPERVISORS,
        _("urge the department"),
        _("Urge"),
        _("Urge (督办)"),
    ),
    "callback": _move(
        set(State.values) - {S.MERGED, S.VOIDED},
        None,
        INTAKE,
        _("record a call-back"),
        _("Record a call-back"),
        _("Record a call-back (回访)"),
    ),
    "reopen": _move(
        {S.CLOSED},
        S.FILED,
        LEADS,
        _("reopen the case"),
        _("Reopen"),
        _("Reopen after an unsatisfied rating"),
    ),
    # The reporter (no staff role) rates a closed case with the tracking token.
    "rate": _move({S.CLOSED}, None, set(), _("rate the case")),
    # Photo moderation, in any state: the centre decides what the public sees. The
    # original is evidence and never changes; each of these but retry is a photo.* event.
    "redact_photo": _move(State.values, None, INTAKE, _("blur the photo"), refusal=PHOTO_REFUSAL),
    "hide_photo": _move(State.values, None, INTAKE, _("hide the photo"), refusal=PHOTO_REFUSAL),
    "show_photo": _move(State.values, None, INTAKE, _("show the photo"), refusal=PHOTO_REFUSAL),
    # Making a failed public copy again changes nothing anyone decided: no event.
    "retry_photo": _move(
        State.values, None, INTAKE, _("make the public copy again"), refusal=PHOTO_REFUSAL
    ),
}
PHOTO_MOVES = ("redact_photo", "hide_photo", "show_photo", "retry_photo")


def api_move(user: User, *names: str) -> str:
    """Of the moves one published action makes, the one for this person's post.

    The staff API's `dispatch` (documented as "Dispatch (派遣), or pass on to a
    sub-unit (转派)") is the centre's dispatch, or dispatch_on when a department
    sends it. When no move is the person's, the first is checked and refused.
    """
    return next((name for name in names if user.role in MOVES[name].roles), names[0])
