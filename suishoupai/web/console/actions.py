"""Which actions a person may take on a case now, and doing them through the services.

`allowed_actions` is the one place the console decides which buttons to show. It
reads the same table and rules the services enforce (states.MOVES and
cases.policy: role × current state × department), plus the few facts a move needs
(a pending request to decide, a unit below to pass on to). `perform` turns a
submitted form into the service call; the services check everything again, so a
forged POST gets the same answer as the API.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext

from suishoupai.cases import policy, selectors, services
from suishoupai.cases.models import Case, Decision, RequestKind
from suishoupai.cases.states import MOVES
from suishoupai.catalog.models import ReplyKind
from suishoupai.errors import InvalidInput, NotAllowed
from suishoupai.org.models import Department, User
from suishoupai.photos.services import check_uploads


@dataclass(frozen=True)
class Action:
    name: str
    # Form fields the console shows: reason/note text, condition, department ...
    fields: tuple[str, ...] = ()
    # Which 常用语 the text field offers.
    templates: str | None = None
    # A red button: it ends or undoes something.
    danger: bool = False
    # Needs a pending request of this kind (approve/deny) or none pending (request).
    decides: str | None = None
    requests: str | None = None

    @property
    def label(self) -> str | Promise:
        # Lazy: rendered later, in the reader's language.
        return MOVES[self.name].title or self.name


# The case moves the console offers, in the order of its buttons.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("accept", ("condition", "note")),
        Action("reject", ("reason",), ReplyKind.DECLINE, danger=True),
        Action("merge", ("into", "note")),
        Action("dispatch", ("department", "note")),
        Action("redispatch", ("department", "note")),
        # Signing for is a department's usual first step; passing on the exception.
        Action("take"),
        Action("dispatch_on", ("subunit", "note")),
        Action("feedback", ("note", "photos"), ReplyKind.FEEDBACK),
        Action(
            "request_return",
            ("reason",),
            ReplyKind.RETURN,
            requests=RequestKind.RETURN,
        ),
        Action(
            "request_extension",
            ("amount", "reason"),
            ReplyKind.EXTENSION,
            requests=RequestKind.EXTENSION,
        ),
        Action(
            "request_suspension",
            ("reason",),
            ReplyKind.SUSPENSION,
            requests=RequestKind.SUSPENSION,
        ),
        Action("approve_return", ("note",), decides=RequestKind.RETURN),
        Action("deny_return", ("note",), decides=RequestKind.RETURN, danger=True),
        Action(
            "approve_extension",
            ("note",),
            decides=RequestKind.EXTENSION,
        ),
        Action(
            "deny_extension",
            ("note",),
            decides=RequestKind.EXTENSION,
            danger=True,
        ),
        Action(
            "approve_suspension",
            ("note",),
            decides=RequestKind.SUSPENSION,
        ),
        Action(
            "deny_suspension",
            ("note",),
            decides=RequestKind.SUSPENSION,
            danger=True,
        ),
        Action(
            "request_appeal",
            ("reason",),
            ReplyKind.APPEAL,
            requests=RequestKind.APPEAL,
        ),
        Action("approve_appeal", ("note",), decides=RequestKind.APPEAL),
        Action("deny_appeal", ("note",), decides=RequestKind.APPEAL, danger=True),
        Action("resume", ("note",)),
        Action("verify_pass", ("note", "photos")),
        Action(
            "verify_fail",
            ("note", "photos"),
            ReplyKind.VERIFY_FAIL,
            danger=True,
        ),
        Action("close", ("note",)),
        Action("void", ("reason",), ReplyKind.VOID, danger=True),
        Action("urge", ("note",), ReplyKind.GENERAL),
        Action("callback", ("contact", "result", "note"), "callback"),
        Action("reopen", ("reason",)),
    ]
}


def allowed_actions(case: Case, user: User) -> list[Action]:
    """The actions `user` may take on `case` in its current state, in display order."""
    pending = set(case.requests.filter(decision=Decision.PENDING).values_list("kind", flat=True))
    holds = policy.holds(user, case.department_id)
    found = []
    for action in ACTIONS.values():
        move = MOVES[action.name]
        if case.state not in move.sources or not policy.may(user, move) or not holds:
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
    return case.state in MOVES["urge"].sources and policy.may(user, MOVES["urge"])


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
    "dispatch_on": lambda c, u, d, f: S.dispatch_on(
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
    """Do `action` through its service. A post the move table does not allow is
    refused (403) before the form is read, as the console always answered; the
    service checks everything again."""
    if action not in CALLS:
        raise InvalidInput(gettext("Unknown action."))
    if not policy.may(user, MOVES[action]):
        raise NotAllowed(gettext("Your role may not do this."))
    CALLS[action](case, user, data, files)
