"""Which actions a person may take on a case now, and doing them through the services.

`allowed_actions` is the one place the console decides which buttons to show. It
reads the same table the services enforce (states.MOVES: role × current state),
plus department scope and the few facts a move needs (a pending request to decide,
a unit below to pass on to). `perform` turns a submitted form into the service
call; the services check everything again, so a forged POST gets the same answer
as the API.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suishoupai.cases import selectors, services
from suishoupai.cases.models import Case, Decision, RequestKind
from suishoupai.cases.states import MOVES
from suishoupai.catalog.models import ReplyKind
from suishoupai.errors import InvalidInput, NotAllowed
from suishoupai.org.models import Department, Role, User
from suishoupai.photos.services import check_uploads


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    # Form fields the console shows: reason/note text, condition, department ...
    fields: tuple[str, ...] = ()
    # Which 常用语 the text field offers.
    templates: str | None = None
    # A red button: it ends or undoes something.
    danger: bool = False
    # Needs a pending request of this kind (approve/deny) or none pending (request).
    decides: str | None = None
    requests: str | None = None


# Labels are lazy: rendered later, in the reader's language.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("accept", _("File (立案)"), ("condition", "note")),
        Action("reject", _("Decline"), ("reason",), ReplyKind.DECLINE, danger=True),
        Action("merge", _("Merge into a case"), ("into", "note")),
        Action("dispatch", _("Dispatch"), ("department", "note")),
        Action("redispatch", _("Re-dispatch"), ("department", "note")),
        # Signing for is a department's usual first step; passing on the exception.
        Action("take", _("Sign for")),
        Action("dispatch_on", _("Pass on to a unit"), ("subunit", "note")),
        Action("feedback", _("Report the handling"), ("note", "photos"), ReplyKind.FEEDBACK),
        Action(
            "request_return",
            _("Ask to return"),
            ("reason",),
            ReplyKind.RETURN,
            requests=RequestKind.RETURN,
        ),
        Action(
            "request_extension",
            _("Ask for an extension"),
            ("amount", "reason"),
            ReplyKind.EXTENSION,
            requests=RequestKind.EXTENSION,
        ),
        Action(
            "request_suspension",
            _("Ask to suspend"),
            ("reason",),
            ReplyKind.SUSPENSION,
            requests=RequestKind.SUSPENSION,
        ),
        Action("approve_return", _("Approve the return"), ("note",), decides=RequestKind.RETURN),
        Action(
            "deny_return", _("Deny the return"), ("note",), decides=RequestKind.RETURN, danger=True
        ),
        Action(
            "approve_extension",
            _("Approve the extension"),
            ("note",),
            decides=RequestKind.EXTENSION,
        ),
        Action(
            "deny_extension",
            _("Deny the extension"),
            ("note",),
            decides=RequestKind.EXTENSION,
            danger=True,
        ),
        Action(
            "approve_suspension",
            _("Approve the suspension"),
            ("note",),
            decides=RequestKind.SUSPENSION,
        ),
        Action(
            "deny_suspension",
            _("Deny the suspension"),
            ("note",),
            decides=RequestKind.SUSPENSION,
            danger=True,
        ),
        Action(
            "request_appeal",
            _("Appeal the overdue mark"),
            ("reason",),
            ReplyKind.APPEAL,
            requests=RequestKind.APPEAL,
        ),
        Action("approve_appeal", _("Approve the appeal"), ("note",), decides=RequestKind.APPEAL),
        Action(
            "deny_appeal", _("Deny the appeal"), ("note",), decides=RequestKind.APPEAL, danger=True
        ),
        Action("resume", _("Resume"), ("note",)),
        Action("verify_pass", _("Verification passed"), ("note", "photos")),
        Action(
            "verify_fail",
            _("Verification failed: rework"),
            ("note", "photos"),
            ReplyKind.VERIFY_FAIL,
            danger=True,
        ),
        Action("close", _("Close the case"), ("note",)),
        Action("void", _("Void"), ("reason",), ReplyKind.VOID, danger=True),
        Action("urge", _("Urge"), ("note",), ReplyKind.GENERAL),
        Action("callback", _("Record a call-back"), ("contact", "result", "note"), "callback"),
        Action("reopen", _("Reopen"), ("reason",)),
    ]
}


def _role_may(user: User, action: str) -> bool:
    return user.is_active and (user.role in MOVES[action].roles or user.is_superuser)


def allowed_actions(case: Case, user: User) -> list[Action]:
    """The actions `user` may take on `case` in its current state, in display order."""
    pending = set(case.requests.filter(decision=Decision.PENDING).values_list("kind", flat=True))
    handler = user.role == Role.HANDLER and not user.is_superuser
    in_scope = case.department_id is not None and case.department_id in user.department_scope
    found = []
    for action in ACTIONS.values():
        move = MOVES[action.name]
        if case.state not in move.sources or not _role_may(user, action.name):
            continue
        if handler and not in_scope:
            continue
        if action.decides and action.decides not in pending:
            continue
        if action.requests and action.requests in pending:
            continue
        if action.name == "dispatch_on" and not subunits(case):
            continue
        # Only a case with an overdue mark against the user's department, not yet appealed.
        if action.name == "request_appeal" and not selectors.appealable_marks(case, user).exists():
            continue
        found.append(action)
    return found


def may_urge(case: Case, user: User) -> bool:
    """allowed_actions' answer for urge alone, without its queries (the overdue list)."""
    return case.state in MOVES["urge"].sources and _role_may(user, "urge")


def subunits(case: Case) -> QuerySet[Department]:
    """Active units strictly below the department holding the case."""
    if case.department is None:
        return Department.objects.none()
    below = case.department.descendant_ids() - {case.department_id}
    return Department.objects.filter(pk__in=below, active=True).order_by("code")


# ------------------------------------------------------------------ doing them


def _text(data: QueryDict, name: str, limit: int = 2000) -> str:
    return (data.get(name) or "").strip()[:limit]


def _int(data: QueryDict, name: str, message: str) -> int | None:
    raw = _text(data, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(message, field=name) from None


def _amount(data: QueryDict) -> Decimal:
    try:
        amount = Decimal(_text(data, "amount"))
    except InvalidOperation:
        raise InvalidInput(
            gettext("Please give the extra time as a number."), field="amount"
        ) from None
    if not amount.is_finite() or amount <= 0 or amount > 1000:
        raise InvalidInput(gettext("Please ask for a positive amount of time."), field="amount")
    return amount


def _photos(files) -> list:
    uploads = [(f.name, f.read()) for f in files.getlist("photos")] if files else []
    return check_uploads(uploads)


def _department(data: QueryDict, name: str) -> int | None:
    return _int(data, name, gettext("Please choose a department from the list."))


S = services
CALLS: dict[str, Callable] = {
    "accept": lambda c, u, d, f: S.accept(
        c, u, condition=_text(d, "condition", 80) or None, note=_text(d, "note")
    ),
    "reject": lambda c, u, d, f: S.reject(c, u, reason=_text(d, "reason")),
    "merge": lambda c, u, d, f: S.merge(c, u, into=_text(d, "into", 20), note=_text(d, "note")),
    "dispatch": lambda c, u, d, f: S.dispatch(
        c, u, department=_department(d, "department"), note=_text(d, "note")
    ),
    "redispatch": lambda c, u, d, f: S.redispatch(
        c, u, department=_department(d, "department"), note=_text(d, "note")
    ),
    "dispatch_on": lambda c, u, d, f: S.dispatch(
        c, u, department=_department(d, "department"), note=_text(d, "note")
    ),
    "take": lambda c, u, d, f: S.take(c, u),
    "feedback": lambda c, u, d, f: S.feedback(c, u, note=_text(d, "note"), photos=_photos(f)),
    "request_return": lambda c, u, d, f: S.request_return(c, u, reason=_text(d, "reason")),
    "request_extension": lambda c, u, d, f: S.request_extension(
        c, u, reason=_text(d, "reason"), amount=_amount(d)
    ),
    "request_suspension": lambda c, u, d, f: S.request_suspension(c, u, reason=_text(d, "reason")),
    "approve_return": lambda c, u, d, f: S.approve_return(c, u, note=_text(d, "note")),
    "deny_return": lambda c, u, d, f: S.deny_return(c, u, note=_text(d, "note")),
    "approve_extension": lambda c, u, d, f: S.approve_extension(c, u, note=_text(d, "note")),
    "deny_extension": lambda c, u, d, f: S.deny_extension(c, u, note=_text(d, "note")),
    "approve_suspension": lambda c, u, d, f: S.approve_suspension(c, u, note=_text(d, "note")),
    "deny_suspension": lambda c, u, d, f: S.deny_suspension(c, u, note=_text(d, "note")),
    "request_appeal": lambda c, u, d, f: S.request_appeal(c, u, reason=_text(d, "reason")),
    "approve_appeal": lambda c, u, d, f: S.approve_appeal(c, u, note=_text(d, "note")),
    "deny_appeal": lambda c, u, d, f: S.deny_appeal(c, u, note=_text(d, "note")),
    "resume": lambda c, u, d, f: S.resume(c, u, note=_text(d, "note")),
    "verify_pass": lambda c, u, d, f: S.verify_pass(c, u, note=_text(d, "note"), photos=_photos(f)),
    "verify_fail": lambda c, u, d, f: S.verify_fail(c, u, note=_text(d, "note"), photos=_photos(f)),
    "close": lambda c, u, d, f: S.close(c, u, note=_text(d, "note")),
    "void": lambda c, u, d, f: S.void(c, u, reason=_text(d, "reason")),
    "urge": lambda c, u, d, f: S.urge(c, u, note=_text(d, "note")),
    "callback": lambda c, u, d, f: S.callback(
        c, u, result=_text(d, "result", 40), contact=_text(d, "contact", 100), note=_text(d, "note")
    ),
    "reopen": lambda c, u, d, f: S.reopen(c, u, reason=_text(d, "reason")),
}


def perform(case: Case, user: User, action: str, data: QueryDict, files=None) -> None:
    """Do `action` through its service. The role is checked against the move table
    first, because one service serves two moves: services.dispatch is the centre's
    派遣 for a dispatcher and 转派 for a handler, so a dispatcher posting
    "dispatch_on" must be refused here rather than silently dispatch."""
    if action not in CALLS:
        raise InvalidInput(gettext("Unknown action."))
    if not _role_may(user, action):
        raise NotAllowed(gettext("Your role may not do this."))
    CALLS[action](case, user, data, files)
