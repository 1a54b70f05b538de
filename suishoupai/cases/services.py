"""Every state change of a case, one function each.

Every move runs in one skeleton (`_transition`): one transaction, the case row
locked, the move checked against states.MOVES (the actor's role, their
department, the case's state), then the move's own body writes the new state
and milestones and records its events (events.record, which tells the
listeners). The JSON API, the console and Open311 all call these. Every
function takes an explicit `now` so tests control time.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.catalog.selectors import active_category, active_subcategory, route
from suishoupai.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound
from suishoupai.org.models import Department, User, hash_token
from suishoupai.photos import services as photo_services
from suishoupai.photos.models import Photo, PhotoKind
from suishoupai.photos.services import CheckedPhoto
from suishoupai.places.coords import to_wgs84
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.selectors import Location, locate
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import Stage
from suishoupai.timelimits.selectors import stage_limit

from . import events, policy, selectors
from .models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseRequest,
    CaseSupport,
    Channel,
    Decision,
    ReporterRating,
    RequestKind,
    Visibility,
)
from .states import FAMILY, MOVES, Family, State

CITIZEN = "citizen"
SYSTEM = "system"


# ---------------------------------------------------------------- the skeleton


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update().get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def _check(case: Case, action: str, actor: User | None) -> None:
    """Role and department first (403), then the state table (409)."""
    move = MOVES[action]
    if actor is not None:
        if not policy.may(actor, move):
            raise NotAllowed(str(move.refusal or _("Your role may not do this.")))
        if not policy.holds(actor, case.department_id):
            raise NotAllowed(_("This case is not assigned to your department."))
    if case.state not in move.sources:
        raise IllegalTransition(
            _("The case is “%(state)s”: you cannot %(action)s now.")
            % {"state": State(case.state).label, "action": move.label}
        )


@contextmanager
def _files_removed_on_error() -> Iterator[list[Photo]]:
    """Photos are written to storage inside the transaction; if it rolls back,
    remove the files too so nothing half-created is left behind."""
    saved: list[Photo] = []
    try:
        yield saved
    except BaseException:
        for photo in saved:
            photo.original.storage.delete(photo.original.name)
        raise


class _Step:
    """A move under way inside `_transition`: the locked case, who acts, and when."""

    def __init__(self, case: Case, actor: User | None, now: datetime, saved: list[Photo]):
        self.case, self.actor, self.now = case, actor, now
        self.before = case.state  # the state the move starts from
        self._saved = saved

    def move(self, target: str | None, **fields: Any) -> None:
        """Write a new state (None: unchanged) and fields; a new deadline clears "overdue"."""
        case = self.case
        if target is not None:
            case.state = target
        for name, value in fields.items():
            setattr(case, name, value)
        if "due_at" in fields:
            case.is_overdue = False
        case.updated_at = self.now
        case.save()

    def record(self, code: str, *, from_state: str | None = None, **fields: Any) -> CaseEvent:
        """An event on the case, from the state the move started in unless told otherwise."""
        start = self.before if from_state is None else from_state
        return events.record(self.case, code, self.actor, self.now, from_state=start, **fields)

    def attach(self, checked: list[CheckedPhoto] | None, kind: str, event: CaseEvent) -> None:
        if checked:
            photo_services.store_photos(
                self.case, checked, kind=kind, event=event, now=self.now, written=self._saved
            )


@contextmanager
def _transition(
    case: Case | int, action: str | None, actor: User | None, now: datetime
) -> Iterator[_Step]:
    """The one skeleton of every move: a transaction, the case row locked, the move
    checked (`action` None: not a move of the table, such as the periodic overdue
    mark; the caller checks what applies), then the body. Photos the body stored
    are deleted again if anything fails."""
    with _files_removed_on_error() as saved, transaction.atomic():
        locked = _lock(case)
        if action is not None:
            _check(locked, action, actor)
        yield _Step(locked, actor, now, saved)


def _stage_due(stage: str, start: datetime) -> datetime | None:
    limit = stage_limit(stage)
    return clock.add(start, limit[0], limit[1]) if limit else None


def _handling_due(case: Case, start: datetime) -> datetime | None:
    cond = case.condition
    return clock.add(start, cond.limit_amount, cond.limit_unit) if cond else None


def _sign_for_due(start: datetime, handle_due: datetime | None) -> datetime | None:
    """While awaiting sign-for the stage deadline is the take limit, never later
    than the handling deadline itself."""
    take_due = _stage_due(Stage.TAKE, start)
    candidates = [d for d in (take_due, handle_due) if d is not None]
    return min(candidates) if candidates else None


def _require(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(message, field=field)
    return text


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- submission


@dataclass(frozen=True)
class Report:
    category: str
    description: str
    lat: float
    lng: float
    coord_system: str = "wgs84"
    address: str = ""
    phone: str = ""
    is_anonymous: bool = False
    is_public: bool = True
    subcategory: str | None = None
    channel: str = Channel.CITIZEN
    # The reporter's WeChat openid (the chat's draft, or the pages' OAuth): personal data.
    openid: str = ""


def _next_number(now: datetime) -> str:
    # Must run inside the creating transaction: the UPDATE takes the day row's
    # lock, so concurrent submissions queue here and never share a number. It is
    # held until commit: take it last (see _create).
    # One upsert that returns the new count (it was get_or_create, UPDATE and SELECT).
    day = timezone.localdate(now)
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) ON CONFLICT (day) "
            f"DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        last = cursor.fetchone()[0]
    return f"{day:%Y%m%d}-{last:0{settings.CASE_NUMBER_DIGITS}d}"


def resolve_category(code: str, sub_code: str | None) -> tuple[Category, Subcategory | None]:
    category = active_category(code)
    if category is None:
        raise InvalidInput(_("Unknown category “%(c)s”.") % {"c": code}, field="category")
    if not sub_code:
        return category, None
    sub = active_subcategory(category, sub_code)
    if sub is None:
        raise InvalidInput(
            _("Unknown subcategory “%(c)s” for this category.") % {"c": sub_code},
            field="subcategory",
        )
    return category, sub


def in_service(location: Location) -> bool:
    """Inside a district in service (or no district is marked at all: a fresh install)."""
    served = Area.objects.filter(level=AreaLevel.DISTRICT, in_service=True)
    if location.district is not None and location.district.in_service:
        return True
    return not served.exists()


def outside_message() -> str:
    return _("This place is outside the area we serve. Please check the location.")


def _place(report: Report) -> tuple[float, float, Location]:
    try:
        lat, lng = to_wgs84(report.lat, report.lng, report.coord_system)
    except ValueError:
        raise InvalidInput(_("Unknown coordinate system."), field="coord_system") from None
    location = locate(lat, lng)
    if not in_service(location):
        raise InvalidInput(outside_message(), field="lat")
    return lat, lng, location


def _token_for(client_ref: str) -> str:
    # Deterministic, so a retried upload gets back the same token as the lost first answer;
    # only the key's hash is stored, and the token needs SECRET_KEY as well.
    key = str(settings.SECRET_KEY).encode()
    mac = hmac.new(key, f"case-token:{client_ref}".encode(), "sha256")
    return mac.hexdigest()[:32]


CLIENT_REF_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _check_client_ref(client_ref: str | None) -> None:
    # The key stands in for the token on a retry, so it must be as unguessable as one.
    if client_ref and not (16 <= len(client_ref) <= 64 and set(client_ref) <= CLIENT_REF_CHARS):
        raise InvalidInput(
            _("The idempotency key must be 16 to 64 letters, digits, - or _."),
            field="idempotency_key",
        )


def submit(
    report: Report,
    photos: list[CheckedPhoto] | None = None,
    *,
    now: datetime | None = None,
    reporter_user: User | None = None,
    client_ref: str | None = None,
) -> tuple[Case, str]:
    """A citizen's report. Returns the case and the raw tracking token (shown once).

    With a client_ref (the device's idempotency key) a repeated submission — a
    retry after a lost answer on a weak network — returns the first case and
    the same token instead of creating a second case.
    """
    now = _now(now)
    _check_client_ref(client_ref)
    existing = selectors.submitted_with(client_ref)
    if existing is not None:
        return existing, _token_for(client_ref or "")
    _require(report.description, "description", _("Please describe the problem."))
    kind = resolve_category(report.category, report.subcategory)
    place = _place(report)
    token = _token_for(client_ref) if client_ref else secrets.token_urlsafe(24)
    try:
        case = _create(report, photos, now, reporter_user, client_ref, token, kind, place)
    except IntegrityError:
        # Two copies of one retry raced: the other one created the case.
        existing = selectors.submitted_with(client_ref)
        if existing is None:
            raise
        return existing, token
    return case, token


def _create(
    report: Report,
    checked: list[CheckedPhoto] | None,
    now: datetime,
    reporter_user: User | None,
    client_ref: str | None,
    token: str,
    kind: tuple[Category, Subcategory | None],
    place: tuple[float, float, Location],
) -> Case:
    (category, sub), (lat, lng, location) = kind, place
    with _files_removed_on_error() as saved, transaction.atomic():
        case = Case.objects.create(
            client_ref=hash_token(client_ref) if client_ref else None,
            # Every report of the day queues on the day's counter row from the moment it
            # takes a number until it commits, so the number is taken last, after the
            # photos went to the store (seconds on S3): a placeholder until then.
            number="~" + secrets.token_hex(9),
            channel=report.channel,
            category=category,
            subcategory=sub,
            description=report.description.strip(),
            address=report.address.strip(),
            lat=lat,
            lng=lng,
            district=location.district,
            street=location.street,
            community=location.community,
            grid=location.grid,
            reporter_phone=report.phone.strip(),
            reporter_openid=report.openid,
            reporter_user=reporter_user,
            tracking_token_hash=hash_token(token),
            is_anonymous=report.is_anonymous,
            is_public=report.is_public,
            suggested_department=route(category, sub, location.district),
            created_at=now,
            updated_at=now,
            due_at=_stage_due(Stage.ACCEPT, now),
        )
        # Not a move (there is no case to lock yet), but recorded the same way.
        event = events.record(
            case, "case.submitted", None, now, actor_role=CITIZEN, data={"channel": report.channel}
        )
        if checked:
            photo_services.store_photos(
                case, checked, kind=PhotoKind.REPORT, event=event, now=now, written=saved
            )
        case.number = _next_number(now)
        case.save(update_fields=["number"])
    return case


# ---------------------------------------------------------------- the centre


def _condition_for(case: Case, code: str | None) -> FilingCondition:
    if code:
        cond = (
            FilingCondition.objects.filter(code=code, active=True)
            .select_related("subcategory__category")
            .first()
        )
        if cond is None:
            raise InvalidInput(
                _("Unknown filing condition “%(c)s”.") % {"c": code}, field="condition"
            )
        return cond
    candidates = FilingCondition.objects.filter(active=True, subcategory__active=True)
    candidates = (
        candidates.filter(subcategory=case.subcategory)
        if case.subcategory
        else candidates.filter(subcategory__category=case.category)
    )
    cond = candidates.order_by("subcategory__sort_order", "sort_order", "code").first()
    if cond is None:
        raise InvalidInput(_("Please choose a filing condition."), field="condition")
    return cond


def accept(
    case: Case,
    actor: User,
    *,
    condition: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """立案: file the report as a case under a filing condition."""
    now = _now(now)
    with _transition(case, "accept", actor, now) as t:
        cond = _condition_for(t.case, condition)
        sub = cond.subcategory
        places = Area.objects.defer("geometry")
        district = places.filter(pk=t.case.district_id).first() if t.case.district_id else None
        department = route(sub.category, sub, district) or cond.default_department
        t.move(
            State.FILED,
            condition=cond,
            subcategory=sub,
            category=sub.category,
            suggested_department=department,
            filed_at=now,
            due_at=_stage_due(Stage.DISPATCH, now),
        )
        t.record("case.filed", note=note, data={"condition": cond.code})
    return t.case


def reject(case: Case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """不予立案, with the reason the reporter will read."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason for declining."))
    with _transition(case, "reject", actor, now) as t:
        t.move(State.REJECTED, due_at=None, closed_at=now)
        t.record("case.rejected", note=reason, visibility=Visibility.REPORTER)
    return t.case


def merge(
    case: Case, actor: User, *, into: str, note: str = "", now: datetime | None = None
) -> Case:
    """Merge a duplicate into an open case; its reporter then follows that one."""
    now = _now(now)
    with _transition(case, "merge", actor, now) as t:
        primary = Case.objects.select_for_update().filter(number=into).first()
        if primary is None:
            raise InvalidInput(_("No case numbered %(n)s.") % {"n": into}, field="into")
        if primary.pk == t.case.pk or FAMILY[primary.state] == Family.CLOSED:
            raise IllegalTransition(_("A case can only be merged into another open case."))
        t.move(State.MERGED, merged_into=primary, due_at=None, closed_at=now)
        t.record(
            "case.merged", note=note, data={"into": primary.number}, visibility=Visibility.REPORTER
        )
        events.record(
            primary,
            "case.merge_received",
            actor,
            now,
            from_state=primary.state,
            data={"from": t.case.number},
            visibility=Visibility.INTERNAL,
        )
    return t.case


def _department(pk: int | None, field: str = "department") -> Department:
    dept = Department.objects.filter(pk=pk, active=True).first() if pk else None
    if dept is None:
        raise InvalidInput(_("Please choose an active department."), field=field)
    return dept


def dispatch(
    case: Case,
    actor: User,
    *,
    department: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """派遣: the centre sends a filed case to a department (the suggested one by default).

    The handling clock starts here and keeps running when the department passes
    the case down a level (dispatch_on).
    """
    return _dispatch_from_centre(case, actor, "dispatch", department, note, _now(now))


def redispatch(
    case: Case,
    actor: User,
    *,
    department: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """改派: the centre sends a case nobody has signed for yet to another department.

    Separate from dispatch so that two dispatchers acting on one filed case at
    once end with one dispatch and one 409, not two silent dispatches.
    """
    return _dispatch_from_centre(case, actor, "redispatch", department, note, _now(now))


def _dispatch_from_centre(
    case: Case, actor: User, action: str, department: int | None, note: str, now: datetime
) -> Case:
    with _transition(case, action, actor, now) as t:
        dept = _department(department or t.case.suggested_department_id)
        due = _handling_due(t.case, now)
        t.move(
            State.DISPATCHED,
            department=dept,
            first_department=dept,
            dispatched_at=now,
            taken_at=None,
            handle_due_at=due,
            due_at=_sign_for_due(now, due),
        )
        t.record(f"case.{action}ed", department=dept, note=note, data={"level": 1})
    return t.case


def dispatch_on(
    case: Case,
    actor: User,
    *,
    department: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """转派: the department holding the case passes it to a unit below it."""
    now = _now(now)
    with _transition(case, "dispatch_on", actor, now) as t:
        dept = _department(department)
        held_by = t.case.department
        below = held_by.descendant_ids() if held_by else set()
        if dept.pk == t.case.department_id or dept.pk not in below:
            raise InvalidInput(
                _("A case can only be passed on to a unit below its department."),
                field="department",
            )
        t.move(
            State.DISPATCHED,
            department=dept,
            taken_at=None,
            due_at=_sign_for_due(now, t.case.handle_due_at),
        )
        t.record(
            "case.dispatched_on",
            department=dept,
            note=note,
            data={"level": 2, "from_department": actor.department_id},
        )
    return t.case


# ---------------------------------------------------------------- departments


def take(case: Case, actor: User, *, now: datetime | None = None) -> Case:
    """签收: the department confirms it has the case and starts work."""
    now = _now(now)
    with _transition(case, "take", actor, now) as t:
        t.move(State.IN_PROGRESS, taken_at=now, due_at=t.case.handle_due_at)
        t.record("case.taken", department=t.case.department)
    return t.case


def feedback(
    case: Case,
    actor: User,
    *,
    note: str,
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    """处置反馈: what was done, with photos of the result."""
    now = _now(now)
    note = _require(note, "note", _("Please describe what was done."))
    with _transition(case, "feedback", actor, now) as t:
        handle_due = t.case.handle_due_at
        on_time = handle_due is None or now <= handle_due
        t.move(State.RESOLVED, resolved_at=now, due_at=_stage_due(Stage.VERIFY, now))
        event = t.record(
            "case.resolved",
            department=t.case.department,
            note=note,
            data={"on_time": on_time, "due_at": _iso(handle_due)},
        )
        t.attach(photos, PhotoKind.FEEDBACK, event)
    return t.case


def _open_request(
    case: Case,
    kind: str,
    actor: User,
    reason: str,
    now: datetime,
    amount: Decimal | None = None,
    mark: CaseEvent | None = None,
) -> CaseRequest:
    if case.requests.filter(kind=kind, decision=Decision.PENDING).exists():
        raise IllegalTransition(_("A request of this kind is already awaiting a decision."))
    if case.department is None:  # the state table only allows requests on held cases
        raise IllegalTransition(_("This case is not with a department."))
    return CaseRequest.objects.create(
        overdue_mark=mark,
        case=case,
        kind=kind,
        reason=reason,
        amount=amount,
        department=case.department,
        requested_by=actor,
        requested_at=now,
    )


def _pending(case: Case, kind: str) -> CaseRequest:
    req = case.requests.select_for_update().filter(kind=kind, decision=Decision.PENDING).first()
    if req is None:
        raise IllegalTransition(_("There is no request of this kind awaiting a decision."))
    return req


def _decide(req: CaseRequest, decision: str, actor: User, note: str, now: datetime) -> None:
    req.decision, req.decided_by, req.decided_at, req.decision_note = decision, actor, now, note
    req.save()


def _cancel_pending(case: Case, now: datetime) -> None:
    case.requests.filter(decision=Decision.PENDING).update(
        decision=Decision.CANCELLED, decided_at=now
    )


def _request(
    case: Case,
    actor: User,
    kind: str,
    reason: str,
    now: datetime,
    amount: Decimal | None = None,
) -> CaseRequest:
    """A department's request awaiting a shift lead: a row of its own; the case
    state and deadlines do not change until it is approved."""
    reason = _require(reason, "reason", _("Please give the reason."))
    with _transition(case, f"request_{kind}", actor, now) as t:
        mark = _appealable_mark(t.case, actor) if kind == RequestKind.APPEAL else None
        req = _open_request(t.case, kind, actor, reason, now, amount, mark)
        data = {"request": req.pk} | ({"amount": str(amount)} if amount is not None else {})
        if mark is not None:
            data |= {"mark": mark.pk, "due_at": mark.data.get("due_at")}
        t.record(
            f"case.{kind}_requested",
            department=t.case.department,
            note=reason,
            visibility=Visibility.INTERNAL,
            data=data,
        )
    return req


def request_return(
    case: Case, actor: User, *, reason: str, now: datetime | None = None
) -> CaseRequest:
    """回退: "not ours" — back to the centre once a shift lead agrees."""
    return _request(case, actor, RequestKind.RETURN, reason, _now(now))


def request_extension(
    case: Case, actor: User, *, reason: str, amount: Decimal, now: datetime | None = None
) -> CaseRequest:
    """延期: more time, in the unit of the case's time limit."""
    if amount is None or Decimal(amount) <= 0:
        raise InvalidInput(_("Please ask for a positive amount of time."), field="amount")
    return _request(case, actor, RequestKind.EXTENSION, reason, _now(now), Decimal(amount))


def request_suspension(
    case: Case, actor: User, *, reason: str, now: datetime | None = None
) -> CaseRequest:
    """挂账: cannot be solved now (e.g. needs the summer works season)."""
    return _request(case, actor, RequestKind.SUSPENSION, reason, _now(now))


def _appealable_mark(case: Case, actor: User) -> CaseEvent:
    """The latest overdue mark against the actor's department (or a unit below
    it) that has not been appealed yet."""
    if case.requests.filter(kind=RequestKind.APPEAL, decision=Decision.PENDING).exists():
        raise IllegalTransition(_("A request of this kind is already awaiting a decision."))
    if not selectors.overdue_marks(case, actor).exists():
        raise IllegalTransition(
            _("This case has no overdue mark against your department: there is nothing to appeal.")
        )
    mark = selectors.appealable_marks(case, actor).first()
    if mark is None:
        raise IllegalTransition(_("The overdue mark of this case has already been appealed."))
    return mark


def request_appeal(
    case: Case, actor: User, *, reason: str, now: datetime | None = None
) -> CaseRequest:
    """超期申诉: the department disputes an overdue mark (the report was wrong, the
    site was inaccessible, the dispatch came late) and a shift lead decides."""
    return _request(case, actor, RequestKind.APPEAL, reason, _now(now))


def approve_appeal(case: Case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    """The mark is waived: the case no longer counts as late for that deadline.

    The event keeps which mark and which deadline were waived, so statistics
    count the stage as on time. If that deadline is still the current one, the
    flag is cleared and the deadline remembered, so the next periodic scan does
    not mark the case again for it; a later deadline (an extension, a rework)
    can still be marked.
    """
    now = _now(now)
    with _transition(case, "approve_appeal", actor, now) as t:
        req = _pending(t.case, RequestKind.APPEAL)
        _decide(req, Decision.APPROVED, actor, note, now)
        mark = req.overdue_mark
        raw = mark.data.get("due_at") if mark else None
        waived = datetime.fromisoformat(raw) if raw else None
        current = t.case.is_overdue and waived is not None and t.case.due_at == waived
        fields = {"is_overdue": False, "waived_due_at": waived} if current else {}
        t.move(None, **fields)
        t.record(
            "case.overdue_waived",
            department=mark.department if mark else req.department,
            note=note,
            visibility=Visibility.INTERNAL,
            data={
                "request": req.pk,
                "mark": mark.pk if mark else None,
                "due_at": raw,
                "stage": mark.from_state if mark else "",
                "cleared": current,
            },
        )
    return t.case


def deny_appeal(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    """The mark stands."""
    return _deny(case, actor, "deny_appeal", RequestKind.APPEAL, note, _now(now))


def approve_return(case: Case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with _transition(case, "approve_return", actor, now) as t:
        req = _pending(t.case, RequestKind.RETURN)
        _decide(req, Decision.APPROVED, actor, note, now)
        _cancel_pending(t.case, now)
        returned_from = t.case.department
        t.move(
            State.FILED,
            department=None,
            taken_at=None,
            handle_due_at=None,
            due_at=_stage_due(Stage.DISPATCH, now),
        )
        t.record(
            "case.returned",
            department=returned_from,
            note=note or req.reason,
            data={"request": req.pk},
        )
    return t.case


def _deny(case: Case, actor: User, action: str, kind: str, note: str, now: datetime) -> CaseRequest:
    with _transition(case, action, actor, now) as t:
        req = _pending(t.case, kind)
        _decide(req, Decision.DENIED, actor, note, now)
        t.record(
            f"case.{kind}_denied",
            department=t.case.department,
            note=note,
            visibility=Visibility.INTERNAL,
            data={"request": req.pk},
        )
    return req


def deny_return(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    return _deny(case, actor, "deny_return", RequestKind.RETURN, note, _now(now))


def deny_extension(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    return _deny(case, actor, "deny_extension", RequestKind.EXTENSION, note, _now(now))


def deny_suspension(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    return _deny(case, actor, "deny_suspension", RequestKind.SUSPENSION, note, _now(now))


def approve_extension(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> Case:
    """The handling deadline moves by the requested amount, counted in the
    case's own unit from the current deadline."""
    now = _now(now)
    with _transition(case, "approve_extension", actor, now) as t:
        req = _pending(t.case, RequestKind.EXTENSION)
        _decide(req, Decision.APPROVED, actor, note, now)
        old = t.case.handle_due_at or now
        unit = t.case.condition.limit_unit if t.case.condition else "working_days"
        new = clock.add(old, req.amount or Decimal(0), unit)
        # Awaiting sign-for, the (earlier) sign-for deadline stays the stage's.
        due = new if t.case.state == State.IN_PROGRESS else min(t.case.due_at or new, new)
        t.move(None, handle_due_at=new, due_at=due)
        t.record(
            "case.extended",
            department=t.case.department,
            note=note,
            data={"request": req.pk, "from": _iso(old), "to": _iso(new)},
        )
    return t.case


def approve_suspension(
    case: Case, actor: User, *, note: str = "", now: datetime | None = None
) -> Case:
    """The clock stops: the counted time left is kept until resume."""
    now = _now(now)
    with _transition(case, "approve_suspension", actor, now) as t:
        req = _pending(t.case, RequestKind.SUSPENSION)
        _decide(req, Decision.APPROVED, actor, note, now)
        remaining = _remaining(t.case, now)
        t.move(State.SUSPENDED, due_at=None, paused_remaining_minutes=remaining)
        t.record(
            "case.suspended",
            department=t.case.department,
            note=note or req.reason,
            data={"request": req.pk, "remaining_minutes": remaining},
        )
    return t.case


def _unit(case: Case) -> str:
    return case.condition.limit_unit if case.condition else "working_hours"


def _remaining(case: Case, now: datetime) -> int | None:
    if case.handle_due_at is None:
        return None
    return clock.counted_minutes(now, case.handle_due_at, _unit(case))


def resume(case: Case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with _transition(case, "resume", actor, now) as t:
        remaining = t.case.paused_remaining_minutes
        due = t.case.handle_due_at
        if remaining is not None:
            # Negative when it was already late: it stays late by the same amount.
            due = clock.add_minutes(now, remaining, _unit(t.case))
        t.move(
            State.IN_PROGRESS,
            handle_due_at=due,
            due_at=due,
            paused_remaining_minutes=None,
        )
        t.record("case.resumed", department=t.case.department, note=note)
    return t.case


# ---------------------------------------------------------------- verification and close


def verify_pass(
    case: Case,
    actor: User,
    *,
    note: str = "",
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    now = _now(now)
    with _transition(case, "verify_pass", actor, now) as t:
        t.move(State.VERIFIED, verified_at=now, due_at=_stage_due(Stage.CLOSE, now))
        event = t.record("case.verified", note=note)
        t.attach(photos, PhotoKind.VERIFICATION, event)
    return t.case


def verify_fail(
    case: Case,
    actor: User,
    *,
    note: str,
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    """返工: the handling is not done; back to the same department with a fresh limit."""
    now = _now(now)
    note = _require(note, "note", _("Please say what is still wrong."))
    with _transition(case, "verify_fail", actor, now) as t:
        due = _handling_due(t.case, now)
        t.move(
            State.IN_PROGRESS,
            resolved_at=None,
            handle_due_at=due,
            due_at=due,
            rework_count=t.case.rework_count + 1,
        )
        event = t.record("case.rework", department=t.case.department, note=note)
        t.attach(photos, PhotoKind.VERIFICATION, event)
    return t.case


def close(case: Case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with _transition(case, "close", actor, now) as t:
        t.move(State.CLOSED, closed_at=now, due_at=None)
        t.record("case.closed", note=note)
    return t.case


def void(case: Case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """作废: a shift lead ends a case that should never have been one."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason."))
    with _transition(case, "void", actor, now) as t:
        _cancel_pending(t.case, now)
        t.move(State.VOIDED, closed_at=now, due_at=None)
        t.record("case.voided", note=reason, visibility=Visibility.REPORTER)
    return t.case


def reopen(case: Case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """After an unsatisfied rating, the shift lead may send the case round again."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason."))
    with _transition(case, "reopen", actor, now) as t:
        t.move(
            State.FILED,
            department=None,
            closed_at=None,
            verified_at=None,
            resolved_at=None,
            taken_at=None,
            handle_due_at=None,
            due_at=_stage_due(Stage.DISPATCH, now),
            rating="",
            rating_stars=None,
            rating_comment="",
            rated_at=None,
        )
        t.record("case.reopened", note=reason)
    return t.case


# ---------------------------------------------------------------- supervision


def urge(case: Case, actor: User | None, *, note: str = "", now: datetime | None = None) -> Case:
    """督办: a supervisor presses the department holding the case."""
    now = _now(now)
    with _transition(case, "urge", actor, now) as t:
        t.move(None, urge_count=t.case.urge_count + 1)
        t.record(
            "case.urged", department=t.case.department, note=note, visibility=Visibility.INTERNAL
        )
    return t.case


def mark_overdue(now: datetime | None = None) -> list[str]:
    """Periodic: flag open cases past their stage deadline once, with an automatic urge.

    Idempotent: a case already flagged is skipped, so overlapping runs or a
    restart never double-count. Not a move of the table: the system marks any
    stage, and the checks are its own (under the same lock).
    """
    now = _now(now)
    marked = []
    due = (
        Case.objects.filter(due_at__lt=now, is_overdue=False)
        .exclude(
            state__in=[State.CLOSED, State.REJECTED, State.MERGED, State.VOIDED, State.SUSPENDED]
        )
        .exclude(waived_due_at=F("due_at"))
    )
    for pk in due.values_list("pk", flat=True):
        with _transition(pk, None, None, now) as t:
            if _mark_overdue(t):
                marked.append(t.case.number)
    return marked


def _mark_overdue(t: _Step) -> bool:
    case = t.case
    if case.is_overdue or case.due_at is None or case.due_at >= t.now:
        return False
    if case.waived_due_at is not None and case.due_at == case.waived_due_at:
        return False  # this very deadline's mark was waived on appeal
    case.is_overdue = True
    case.urge_count += 1
    case.updated_at = t.now
    case.save(update_fields=["is_overdue", "urge_count", "updated_at"])
    # Late while a department held it: against that department. Late to accept,
    # dispatch, verify or close: the centre's own lateness, against no department
    # (the handling department may still be set on the case, and is not to blame).
    late = case.department if case.state in selectors.DEPARTMENT_STAGES else None
    t.record(
        "case.urged",
        department=late,
        actor_role=SYSTEM,
        visibility=Visibility.INTERNAL,
        data={"automatic": True, "reason": "overdue", "due_at": _iso(case.due_at)},
    )
    return True


CALLBACK_RESULTS = {"satisfied", "basically_satisfied", "unsatisfied", "unreachable", "declined"}


def callback(
    case: Case,
    actor: User,
    *,
    result: str,
    contact: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """回访: staff phoned the reporter; record who, when and the answer."""
    now = _now(now)
    if result not in CALLBACK_RESULTS:
        raise InvalidInput(_("Unknown call-back result."), field="result")
    with _transition(case, "callback", actor, now) as t:
        t.move(None)
        t.record(
            "case.callback",
            note=note,
            data={"result": result, "contact": contact},
            visibility=Visibility.INTERNAL,
        )
    return t.case


# ---------------------------------------------------------------- the reporter

# The reporter's rating, checked here for every interface (the API's schema states
# the same limits for its OpenAPI document).
RATING_COMMENT_MAX = 500
STARS = range(1, 6)


def rate(
    case: Case,
    *,
    rating: str,
    stars: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Case:
    """The reporter's satisfaction with a closed case; changeable for a while."""
    now = _now(now)
    if len(comment) > RATING_COMMENT_MAX:
        raise InvalidInput(_("The comment is too long (500 characters at most)."), field="comment")
    if rating not in ReporterRating.values:
        raise InvalidInput(
            _("Please choose satisfied, basically satisfied or unsatisfied."), field="rating"
        )
    if stars is not None and stars not in STARS:
        raise InvalidInput(_("Stars must be between 1 and 5."), field="stars")
    with _transition(case, "rate", None, now) as t:
        window = timedelta(days=settings.RATING_CHANGE_WINDOW_DAYS)
        if t.case.rated_at and now - t.case.rated_at > window:
            raise IllegalTransition(_("The rating can no longer be changed."))
        code = "case.rating_changed" if t.case.rated_at else "case.rated"
        t.move(
            None,
            rating=rating,
            rating_stars=stars,
            rating_comment=comment.strip(),
            rated_at=now,
        )
        t.record(
            code,
            actor_role=CITIZEN,
            note=t.case.rating_comment,
            data={"rating": rating, "stars": stars},
        )
    return t.case


def support(
    case: Case, *, device: str, phone: str = "", now: datetime | None = None
) -> tuple[Case, bool]:
    """附议: "me too" on an open public case, once per device; False if already counted.

    Not in states.MOVES: no staff role is involved and the state never changes;
    only open public cases (the ones shown as 已有人反映) can be supported.
    """
    now = _now(now)
    device = _require(device, "device", _("This device could not be recognised."))
    fingerprint = hashlib.sha256(f"support:{device}".encode()).hexdigest()
    with _transition(case, None, None, now) as t:
        if FAMILY[t.case.state] != Family.OPEN or not t.case.is_public:
            raise IllegalTransition(_("Only open public cases can be supported."))
        if CaseSupport.objects.filter(case=t.case, fingerprint=fingerprint).exists():
            return t.case, False
        CaseSupport.objects.create(
            case=t.case, created_at=now, phone=phone.strip(), fingerprint=fingerprint
        )
        t.move(None, support_count=t.case.support_count + 1)
        t.record(
            "case.supported",
            actor_role=CITIZEN,
            data={"count": t.case.support_count},
            visibility=Visibility.REPORTER,
        )
    return t.case, True


# ---------------------------------------------------------------- photo moderation


def redact_photo(
    photo: Photo, actor: User, boxes: list, *, note: str = "", now: datetime | None = None
) -> Photo:
    """打码: blur more of the public copy (the original is untouched), recorded on the case.

    Until the new copy is made the photo has no public copy at all: the old,
    less blurred one must not be shown a moment longer.
    """
    now = _now(now)
    with _transition(photo.case_id, "redact_photo", actor, now) as t:
        locked, added = photo_services.add_redactions(photo, boxes, now=now)
        _record_photo(t, locked, "photo.redacted", note, {"boxes": added})
    locked.refresh_from_db()
    return locked


def hide_photo(photo: Photo, actor: User, *, note: str = "", now: datetime | None = None) -> Photo:
    """Hide a photo from the public; staff still see it."""
    return _set_hidden(photo, actor, True, note, _now(now))


def show_photo(photo: Photo, actor: User, *, note: str = "", now: datetime | None = None) -> Photo:
    """Show a hidden photo to the public again."""
    return _set_hidden(photo, actor, False, note, _now(now))


def _set_hidden(photo: Photo, actor: User, hidden: bool, note: str, now: datetime) -> Photo:
    action = "hide_photo" if hidden else "show_photo"
    with _transition(photo.case_id, action, actor, now) as t:
        locked, changed = photo_services.set_hidden(photo, hidden)
        if changed:  # nothing changes, nothing to record
            _record_photo(t, locked, "photo.hidden" if hidden else "photo.shown", note, {})
    return locked


def retry_photo(photo: Photo, actor: User, *, now: datetime | None = None) -> Photo:
    """Staff ask for a failed public copy again, whatever the attempts so far."""
    now = _now(now)
    with _transition(photo.case_id, "retry_photo", actor, now):
        locked = photo_services.retry(photo, now=now)
    locked.refresh_from_db()
    return locked


def _record_photo(t: _Step, photo: Photo, code: str, note: str, data: dict) -> None:
    # About a photo: the case did not move, so the event has no "from" state.
    t.record(
        code,
        from_state="",
        note=note,
        data={"photo": str(photo.uuid), **data},
        visibility=Visibility.INTERNAL,
    )


# ---------------------------------------------------------------- external systems


def external_update(
    case: Case,
    *,
    client_label: str,
    note: str = "",
    data: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """An external system (an Open311 client) adds an update to a case.

    Not a move: the state never changes, because only staff take a case through
    the workflow. Kept for staff and the reporter, not published: the text has not
    been read by anyone here.
    """
    now = _now(now)
    with _transition(case, None, None, now) as t:
        t.move(None)
        return t.record(
            "case.external_update",
            actor_role="external",
            actor_label=client_label[:64],
            department=t.case.department,
            note=note,
            data=data,
            visibility=Visibility.REPORTER,
        )
