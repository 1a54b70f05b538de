"""Every state change of a case, one function each.

Each transition: lock the case row, check the move against states.MOVES and
the actor's role and department scope, write the new state and milestones,
append a CaseEvent. The JSON API, the console and Open311 all call these.
Every function takes an explicit `now` so tests control time.
"""

import hashlib
import hmac
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.catalog.selectors import route
from suishoupai.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound
from suishoupai.notify import services as notify
from suishoupai.org.models import Department, Role, User, hash_token
from suishoupai.photos.models import PhotoKind
from suishoupai.photos.services import CheckedPhoto, store_photos
from suishoupai.places.coords import to_wgs84
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.selectors import locate
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import Stage
from suishoupai.timelimits.selectors import stage_limit

from . import selectors
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


# ---------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update().get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def _check(case: Case, action: str, actor: User | None) -> None:
    """Role and scope first (403), then the state table (409)."""
    move = MOVES[action]
    if actor is not None:
        if not (actor.is_active and (actor.role in move.roles or actor.is_superuser)):
            raise NotAllowed(_("Your role may not do this."))
        handler = actor.role == Role.HANDLER and not actor.is_superuser
        if handler and case.department_id not in actor.department_scope:
            raise NotAllowed(_("This case is not assigned to your department."))
    if case.state not in move.sources:
        raise IllegalTransition(
            _("The case is “%(state)s”: you cannot %(action)s now.")
            % {"state": State(case.state).label, "action": ACTION_LABELS.get(action, action)}
        )


def _record(
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
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        action=code,
        actor=actor,
        actor_role=actor.role if actor else actor_role,
        actor_label=str(actor) if actor else "",
        from_state=from_state,
        to_state=case.state,
        department=department,
        note=note,
        data=data or {},
        visibility=visibility,
    )
    notify.on_event(event)  # messages are created after commit, never inside the transition
    return event


def _move(case: Case, target: str | None, now: datetime, **fields) -> str:
    """Apply a state change and milestone fields; returns the state before."""
    before = case.state
    if target is not None:
        case.state = target
    for name, value in fields.items():
        setattr(case, name, value)
    if "due_at" in fields:
        case.is_overdue = False
    case.updated_at = now
    case.save()
    return before


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


@contextmanager
def _files_removed_on_error():
    """Photos are written to storage inside the transaction; if it rolls back,
    remove the files too so nothing half-created is left behind."""
    saved: list = []
    try:
        yield saved
    except BaseException:
        for photo in saved:
            photo.original.storage.delete(photo.original.name)
        raise


def _attach(case, checked, kind, event, now, saved) -> None:
    if checked:
        store_photos(case, checked, kind=kind, event=event, now=now, written=saved)


# Names of the moves as a person would say them, for "cannot … now" messages.
ACTION_LABELS = {
    "accept": gettext_lazy("file the case"),
    "reject": gettext_lazy("decline the report"),
    "merge": gettext_lazy("merge the case"),
    "dispatch": gettext_lazy("dispatch the case"),
    "redispatch": gettext_lazy("re-dispatch the case"),
    "dispatch_on": gettext_lazy("pass the case on to a unit"),
    "take": gettext_lazy("sign for the case"),
    "feedback": gettext_lazy("report the handling"),
    "request_return": gettext_lazy("ask to return the case"),
    "approve_return": gettext_lazy("approve the return"),
    "deny_return": gettext_lazy("deny the return"),
    "request_extension": gettext_lazy("ask for an extension"),
    "approve_extension": gettext_lazy("approve the extension"),
    "deny_extension": gettext_lazy("deny the extension"),
    "request_suspension": gettext_lazy("ask to suspend the case"),
    "approve_suspension": gettext_lazy("approve the suspension"),
    "deny_suspension": gettext_lazy("deny the suspension"),
    "request_appeal": gettext_lazy("appeal the overdue mark"),
    "approve_appeal": gettext_lazy("approve the appeal"),
    "deny_appeal": gettext_lazy("deny the appeal"),
    "resume": gettext_lazy("resume the case"),
    "verify_pass": gettext_lazy("pass the verification"),
    "verify_fail": gettext_lazy("send the case back for rework"),
    "close": gettext_lazy("close the case"),
    "void": gettext_lazy("void the case"),
    "urge": gettext_lazy("urge the department"),
    "callback": gettext_lazy("record a call-back"),
    "reopen": gettext_lazy("reopen the case"),
    "rate": gettext_lazy("rate the case"),
}


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


def _next_number(now: datetime) -> str:
    # Must run inside the creating transaction: the UPDATE takes the day row's
    # lock, so concurrent submissions queue here and never share a number. It is
    # held until commit: take it last (see _create).
    day = timezone.localdate(now)
    CaseNumberCounter.objects.get_or_create(day=day)
    CaseNumberCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = CaseNumberCounter.objects.values_list("last", flat=True).get(day=day)
    return f"{day:%Y%m%d}-{last:0{settings.CASE_NUMBER_DIGITS}d}"


def resolve_category(code: str, sub_code: str | None) -> tuple[Category, Subcategory | None]:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise InvalidInput(_("Unknown category “%(c)s”.") % {"c": code}, field="category")
    if not sub_code:
        return category, None
    sub = category.subcategories.filter(code=sub_code, active=True).first()
    if sub is None:
        raise InvalidInput(
            _("Unknown subcategory “%(c)s” for this category.") % {"c": sub_code},
            field="subcategory",
        )
    return category, sub


def in_service(location) -> bool:
    """Inside a district in service (or no district is marked at all: a fresh install)."""
    served = Area.objects.filter(level=AreaLevel.DISTRICT, in_service=True)
    if location.district is not None and location.district.in_service:
        return True
    return not served.exists()


def outside_message() -> str:
    return _("This place is outside the area we serve. Please check the location.")


def _place(report: Report):
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


def _already_submitted(client_ref: str | None) -> Case | None:
    if not client_ref:
        return None
    return Case.objects.filter(client_ref=hash_token(client_ref)).first()


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
    existing = _already_submitted(client_ref)
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
        existing = _already_submitted(client_ref)
        if existing is None:
            raise
        return existing, token
    return case, token


def _create(report, photos, now, reporter_user, client_ref, token, kind, place) -> Case:
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
            reporter_user=reporter_user,
            tracking_token_hash=hash_token(token),
            is_anonymous=report.is_anonymous,
            is_public=report.is_public,
            suggested_department=route(category, sub, location.district),
            created_at=now,
            updated_at=now,
            due_at=_stage_due(Stage.ACCEPT, now),
        )
        event = _record(
            case, "case.submitted", None, now, actor_role=CITIZEN, data={"channel": report.channel}
        )
        _attach(case, photos, PhotoKind.REPORT, event, now, saved)
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
    case, actor: User, *, condition: str | None = None, note: str = "", now: datetime | None = None
) -> Case:
    """立案: file the report as a case under a filing condition."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "accept", actor)
        cond = _condition_for(case, condition)
        sub = cond.subcategory
        district = Area.objects.defer("geometry").filter(pk=case.district_id).first()
        department = route(sub.category, sub, district) or cond.default_department
        before = _move(
            case,
            State.FILED,
            now,
            condition=cond,
            subcategory=sub,
            category=sub.category,
            suggested_department=department,
            filed_at=now,
            due_at=_stage_due(Stage.DISPATCH, now),
        )
        _record(
            case,
            "case.filed",
            actor,
            now,
            from_state=before,
            note=note,
            data={"condition": cond.code},
        )
    return case


def reject(case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """不予立案, with the reason the reporter will read."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason for declining."))
    with transaction.atomic():
        case = _lock(case)
        _check(case, "reject", actor)
        before = _move(case, State.REJECTED, now, due_at=None, closed_at=now)
        _record(
            case,
            "case.rejected",
            actor,
            now,
            from_state=before,
            note=reason,
            visibility=Visibility.REPORTER,
        )
    return case


def merge(case, actor: User, *, into: str, note: str = "", now: datetime | None = None) -> Case:
    """Merge a duplicate into an open case; its reporter then follows that one."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "merge", actor)
        primary = Case.objects.select_for_update().filter(number=into).first()
        if primary is None:
            raise InvalidInput(_("No case numbered %(n)s.") % {"n": into}, field="into")
        if primary.pk == case.pk or FAMILY[primary.state] == Family.CLOSED:
            raise IllegalTransition(_("A case can only be merged into another open case."))
        before = _move(case, State.MERGED, now, merged_into=primary, due_at=None, closed_at=now)
        _record(
            case,
            "case.merged",
            actor,
            now,
            from_state=before,
            note=note,
            data={"into": primary.number},
            visibility=Visibility.REPORTER,
        )
        _record(
            primary,
            "case.merge_received",
            actor,
            now,
            from_state=primary.state,
            data={"from": case.number},
            visibility=Visibility.INTERNAL,
        )
    return case


def _department(pk: int | None, field: str = "department") -> Department:
    dept = Department.objects.filter(pk=pk, active=True).first() if pk else None
    if dept is None:
        raise InvalidInput(_("Please choose an active department."), field=field)
    return dept


def dispatch(
    case, actor: User, *, department: int | None = None, note: str = "", now: datetime | None = None
) -> Case:
    """派遣 from the centre, or 转派 to a unit below by the department holding the case.

    The handling clock starts at the centre's dispatch and keeps running when
    a department passes the case down a level.
    """
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        if actor.role == Role.HANDLER:
            return _dispatch_on(case, actor, department, note, now)
        return _dispatch_from_centre(case, actor, "dispatch", department, note, now)


def redispatch(
    case, actor: User, *, department: int | None = None, note: str = "", now: datetime | None = None
) -> Case:
    """改派: the centre sends a case nobody has signed for yet to another department.

    Separate from dispatch so that two dispatchers acting on one filed case at
    once end with one dispatch and one 409, not two silent dispatches.
    """
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        return _dispatch_from_centre(case, actor, "redispatch", department, note, now)


def _dispatch_from_centre(case: Case, actor: User, action: str, department, note, now) -> Case:
    _check(case, action, actor)
    dept = _department(department or case.suggested_department_id)
    due = _handling_due(case, now)
    before = _move(
        case,
        State.DISPATCHED,
        now,
        department=dept,
        first_department=dept,
        dispatched_at=now,
        taken_at=None,
        handle_due_at=due,
        due_at=_sign_for_due(now, due),
    )
    _record(
        case,
        f"case.{action}ed",
        actor,
        now,
        from_state=before,
        department=dept,
        note=note,
        data={"level": 1},
    )
    return case


def _dispatch_on(case: Case, actor: User, department: int | None, note: str, now) -> Case:
    _check(case, "dispatch_on", actor)
    dept = _department(department)
    below = case.department.descendant_ids() if case.department else set()
    if dept.pk == case.department_id or dept.pk not in below:
        raise InvalidInput(
            _("A case can only be passed on to a unit below its department."), field="department"
        )
    before = _move(
        case,
        State.DISPATCHED,
        now,
        department=dept,
        taken_at=None,
        due_at=_sign_for_due(now, case.handle_due_at),
    )
    _record(
        case,
        "case.dispatched_on",
        actor,
        now,
        from_state=before,
        department=dept,
        note=note,
        data={"level": 2, "from_department": actor.department_id},
    )
    return case


# ---------------------------------------------------------------- departments


def take(case, actor: User, *, now: datetime | None = None) -> Case:
    """签收: the department confirms it has the case and starts work."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "take", actor)
        before = _move(case, State.IN_PROGRESS, now, taken_at=now, due_at=case.handle_due_at)
        _record(case, "case.taken", actor, now, from_state=before, department=case.department)
    return case


def feedback(
    case,
    actor: User,
    *,
    note: str,
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    """处置反馈: what was done, with photos of the result."""
    now = _now(now)
    note = _require(note, "note", _("Please describe what was done."))
    with _files_removed_on_error() as saved, transaction.atomic():
        case = _lock(case)
        _check(case, "feedback", actor)
        on_time = case.handle_due_at is None or now <= case.handle_due_at
        before = _move(
            case, State.RESOLVED, now, resolved_at=now, due_at=_stage_due(Stage.VERIFY, now)
        )
        event = _record(
            case,
            "case.resolved",
            actor,
            now,
            from_state=before,
            department=case.department,
            note=note,
            data={"on_time": on_time, "due_at": _iso(case.handle_due_at)},
        )
        _attach(case, photos, PhotoKind.FEEDBACK, event, now, saved)
    return case


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _open_request(
    case: Case, kind: str, actor: User, reason: str, now, amount=None, mark=None
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


def _decide(req: CaseRequest, decision: str, actor: User | None, note: str, now) -> None:
    req.decision, req.decided_by, req.decided_at, req.decision_note = decision, actor, now, note
    req.save()


def _cancel_pending(case: Case, now: datetime) -> None:
    case.requests.filter(decision=Decision.PENDING).update(
        decision=Decision.CANCELLED, decided_at=now
    )


def _request(case, actor: User, kind: str, reason: str, now, amount=None) -> CaseRequest:
    """A department's request awaiting a shift lead: a row of its own; the case
    state and deadlines do not change until it is approved."""
    reason = _require(reason, "reason", _("Please give the reason."))
    with transaction.atomic():
        case = _lock(case)
        _check(case, f"request_{kind}", actor)
        mark = _appealable_mark(case, actor) if kind == RequestKind.APPEAL else None
        req = _open_request(case, kind, actor, reason, now, amount, mark)
        data = {"request": req.pk} | ({"amount": str(amount)} if amount is not None else {})
        if mark is not None:
            data |= {"mark": mark.pk, "due_at": mark.data.get("due_at")}
        _record(
            case,
            f"case.{kind}_requested",
            actor,
            now,
            from_state=case.state,
            department=case.department,
            note=reason,
            visibility=Visibility.INTERNAL,
            data=data,
        )
    return req


def request_return(case, actor: User, *, reason: str, now: datetime | None = None) -> CaseRequest:
    """回退: "not ours" — back to the centre once a shift lead agrees."""
    return _request(case, actor, RequestKind.RETURN, reason, _now(now))


def request_extension(
    case, actor: User, *, reason: str, amount: Decimal, now: datetime | None = None
) -> CaseRequest:
    """延期: more time, in the unit of the case's time limit."""
    if amount is None or Decimal(amount) <= 0:
        raise InvalidInput(_("Please ask for a positive amount of time."), field="amount")
    return _request(case, actor, RequestKind.EXTENSION, reason, _now(now), Decimal(amount))


def request_suspension(
    case, actor: User, *, reason: str, now: datetime | None = None
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


def request_appeal(case, actor: User, *, reason: str, now: datetime | None = None) -> CaseRequest:
    """超期申诉: the department disputes an overdue mark (the report was wrong, the
    site was inaccessible, the dispatch came late) and a shift lead decides."""
    return _request(case, actor, RequestKind.APPEAL, reason, _now(now))


def approve_appeal(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    """The mark is waived: the case no longer counts as late for that deadline.

    The event keeps which mark and which deadline were waived, so statistics
    count the stage as on time. If that deadline is still the current one, the
    flag is cleared and the deadline remembered, so the next periodic scan does
    not mark the case again for it; a later deadline (an extension, a rework)
    can still be marked.
    """
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "approve_appeal", actor)
        req = _pending(case, RequestKind.APPEAL)
        _decide(req, Decision.APPROVED, actor, note, now)
        mark = req.overdue_mark
        raw = mark.data.get("due_at") if mark else None
        waived = datetime.fromisoformat(raw) if raw else None
        current = case.is_overdue and waived is not None and case.due_at == waived
        fields = {"is_overdue": False, "waived_due_at": waived} if current else {}
        _move(case, None, now, **fields)
        _record(
            case,
            "case.overdue_waived",
            actor,
            now,
            from_state=case.state,
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
    return case


def deny_appeal(case, actor: User, *, note: str = "", now: datetime | None = None) -> CaseRequest:
    """The mark stands."""
    return _deny(case, actor, "deny_appeal", RequestKind.APPEAL, note, _now(now))


def approve_return(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "approve_return", actor)
        req = _pending(case, RequestKind.RETURN)
        _decide(req, Decision.APPROVED, actor, note, now)
        _cancel_pending(case, now)
        returned_from = case.department
        before = _move(
            case,
            State.FILED,
            now,
            department=None,
            taken_at=None,
            handle_due_at=None,
            due_at=_stage_due(Stage.DISPATCH, now),
        )
        _record(
            case,
            "case.returned",
            actor,
            now,
            from_state=before,
            department=returned_from,
            note=note or req.reason,
            data={"request": req.pk},
        )
    return case


def _deny(case, actor: User, action: str, kind: str, note: str, now) -> CaseRequest:
    with transaction.atomic():
        case = _lock(case)
        _check(case, action, actor)
        req = _pending(case, kind)
        _decide(req, Decision.DENIED, actor, note, now)
        _record(
            case,
            f"case.{kind}_denied",
            actor,
            now,
            from_state=case.state,
            department=case.department,
            note=note,
            visibility=Visibility.INTERNAL,
            data={"request": req.pk},
        )
    return req


def deny_return(case, actor: User, *, note: str = "", now: datetime | None = None) -> CaseRequest:
    return _deny(case, actor, "deny_return", RequestKind.RETURN, note, _now(now))


def deny_extension(
    case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    return _deny(case, actor, "deny_extension", RequestKind.EXTENSION, note, _now(now))


def deny_suspension(
    case, actor: User, *, note: str = "", now: datetime | None = None
) -> CaseRequest:
    return _deny(case, actor, "deny_suspension", RequestKind.SUSPENSION, note, _now(now))


def approve_extension(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    """The handling deadline moves by the requested amount, counted in the
    case's own unit from the current deadline."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "approve_extension", actor)
        req = _pending(case, RequestKind.EXTENSION)
        _decide(req, Decision.APPROVED, actor, note, now)
        old = case.handle_due_at or now
        unit = case.condition.limit_unit if case.condition else "working_days"
        new = clock.add(old, req.amount or Decimal(0), unit)
        # Awaiting sign-for, the (earlier) sign-for deadline stays the stage's.
        due = new if case.state == State.IN_PROGRESS else min(case.due_at or new, new)
        _move(case, None, now, handle_due_at=new, due_at=due)
        _record(
            case,
            "case.extended",
            actor,
            now,
            from_state=case.state,
            department=case.department,
            note=note,
            data={"request": req.pk, "from": _iso(old), "to": _iso(new)},
        )
    return case


def approve_suspension(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    """The clock stops: the counted time left is kept until resume."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "approve_suspension", actor)
        req = _pending(case, RequestKind.SUSPENSION)
        _decide(req, Decision.APPROVED, actor, note, now)
        remaining = _remaining(case, now)
        before = _move(case, State.SUSPENDED, now, due_at=None, paused_remaining_minutes=remaining)
        _record(
            case,
            "case.suspended",
            actor,
            now,
            from_state=before,
            department=case.department,
            note=note or req.reason,
            data={"request": req.pk, "remaining_minutes": remaining},
        )
    return case


def _unit(case: Case) -> str:
    return case.condition.limit_unit if case.condition else "working_hours"


def _remaining(case: Case, now: datetime) -> int | None:
    if case.handle_due_at is None:
        return None
    return clock.counted_minutes(now, case.handle_due_at, _unit(case))


def resume(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "resume", actor)
        remaining = case.paused_remaining_minutes
        due = case.handle_due_at
        if remaining is not None:
            # Negative when it was already late: it stays late by the same amount.
            due = clock.add_minutes(now, remaining, _unit(case))
        before = _move(
            case,
            State.IN_PROGRESS,
            now,
            handle_due_at=due,
            due_at=due,
            paused_remaining_minutes=None,
        )
        _record(
            case,
            "case.resumed",
            actor,
            now,
            from_state=before,
            department=case.department,
            note=note,
        )
    return case


# ---------------------------------------------------------------- verification and close


def verify_pass(
    case,
    actor: User,
    *,
    note: str = "",
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    now = _now(now)
    with _files_removed_on_error() as saved, transaction.atomic():
        case = _lock(case)
        _check(case, "verify_pass", actor)
        before = _move(
            case, State.VERIFIED, now, verified_at=now, due_at=_stage_due(Stage.CLOSE, now)
        )
        event = _record(case, "case.verified", actor, now, from_state=before, note=note)
        _attach(case, photos, PhotoKind.VERIFICATION, event, now, saved)
    return case


def verify_fail(
    case,
    actor: User,
    *,
    note: str,
    photos: list[CheckedPhoto] | None = None,
    now: datetime | None = None,
) -> Case:
    """返工: the handling is not done; back to the same department with a fresh limit."""
    now = _now(now)
    note = _require(note, "note", _("Please say what is still wrong."))
    with _files_removed_on_error() as saved, transaction.atomic():
        case = _lock(case)
        _check(case, "verify_fail", actor)
        due = _handling_due(case, now)
        before = _move(
            case,
            State.IN_PROGRESS,
            now,
            resolved_at=None,
            handle_due_at=due,
            due_at=due,
            rework_count=case.rework_count + 1,
        )
        event = _record(
            case,
            "case.rework",
            actor,
            now,
            from_state=before,
            department=case.department,
            note=note,
        )
        _attach(case, photos, PhotoKind.VERIFICATION, event, now, saved)
    return case


def close(case, actor: User, *, note: str = "", now: datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "close", actor)
        before = _move(case, State.CLOSED, now, closed_at=now, due_at=None)
        _record(case, "case.closed", actor, now, from_state=before, note=note)
    return case


def void(case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """作废: a shift lead ends a case that should never have been one."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason."))
    with transaction.atomic():
        case = _lock(case)
        _check(case, "void", actor)
        _cancel_pending(case, now)
        before = _move(case, State.VOIDED, now, closed_at=now, due_at=None)
        _record(
            case,
            "case.voided",
            actor,
            now,
            from_state=before,
            note=reason,
            visibility=Visibility.REPORTER,
        )
    return case


def reopen(case, actor: User, *, reason: str, now: datetime | None = None) -> Case:
    """After an unsatisfied rating, the shift lead may send the case round again."""
    now = _now(now)
    reason = _require(reason, "reason", _("Please give the reason."))
    with transaction.atomic():
        case = _lock(case)
        _check(case, "reopen", actor)
        before = _move(
            case,
            State.FILED,
            now,
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
        _record(case, "case.reopened", actor, now, from_state=before, note=reason)
    return case


# ---------------------------------------------------------------- supervision


def urge(case, actor: User | None, *, note: str = "", now: datetime | None = None) -> Case:
    """督办: a supervisor presses the department holding the case."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _check(case, "urge", actor)
        _move(case, None, now, urge_count=case.urge_count + 1)
        _record(
            case,
            "case.urged",
            actor,
            now,
            from_state=case.state,
            department=case.department,
            note=note,
            visibility=Visibility.INTERNAL,
        )
    return case


def mark_overdue(now: datetime | None = None) -> list[str]:
    """Periodic: flag open cases past their stage deadline once, with an automatic urge.

    Idempotent: a case already flagged is skipped, so overlapping runs or a
    restart never double-count.
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
        with transaction.atomic():
            case = _lock(pk)
            if case.is_overdue or case.due_at is None or case.due_at >= now:
                continue
            if case.waived_due_at is not None and case.due_at == case.waived_due_at:
                continue  # this very deadline's mark was waived on appeal
            case.is_overdue = True
            case.urge_count += 1
            case.updated_at = now
            case.save(update_fields=["is_overdue", "urge_count", "updated_at"])
            _record(
                case,
                "case.urged",
                None,
                now,
                from_state=case.state,
                department=case.department,
                actor_role=SYSTEM,
                visibility=Visibility.INTERNAL,
                data={"automatic": True, "reason": "overdue", "due_at": _iso(case.due_at)},
            )
            marked.append(case.number)
    return marked


CALLBACK_RESULTS = {"satisfied", "basically_satisfied", "unsatisfied", "unreachable", "declined"}


def callback(
    case,
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
    with transaction.atomic():
        case = _lock(case)
        _check(case, "callback", actor)
        _move(case, None, now)
        _record(
            case,
            "case.callback",
            actor,
            now,
            from_state=case.state,
            note=note,
            data={"result": result, "contact": contact},
            visibility=Visibility.INTERNAL,
        )
    return case


# ---------------------------------------------------------------- the reporter


def rate(
    case, *, rating: str, stars: int | None = None, comment: str = "", now: datetime | None = None
) -> Case:
    """The reporter's satisfaction with a closed case; changeable for a while."""
    now = _now(now)
    if rating not in ReporterRating.values:
        raise InvalidInput(
            _("Please choose satisfied, basically satisfied or unsatisfied."), field="rating"
        )
    if stars is not None and not 1 <= stars <= 5:
        raise InvalidInput(_("Stars must be between 1 and 5."), field="stars")
    with transaction.atomic():
        case = _lock(case)
        _check(case, "rate", None)
        window = timedelta(days=settings.RATING_CHANGE_WINDOW_DAYS)
        if case.rated_at and now - case.rated_at > window:
            raise IllegalTransition(_("The rating can no longer be changed."))
        code = "case.rating_changed" if case.rated_at else "case.rated"
        _move(
            case,
            None,
            now,
            rating=rating,
            rating_stars=stars,
            rating_comment=comment.strip()[:500],
            rated_at=now,
        )
        _record(
            case,
            code,
            None,
            now,
            from_state=case.state,
            actor_role=CITIZEN,
            note=case.rating_comment,
            data={"rating": rating, "stars": stars},
        )
    return case


def support(
    case, *, device: str, phone: str = "", now: datetime | None = None
) -> tuple[Case, bool]:
    """附议: "me too" on an open public case, once per device; False if already counted.

    Not in states.MOVES: no staff role is involved and the state never changes;
    only open public cases (the ones shown as 已有人反映) can be supported.
    """
    now = _now(now)
    device = _require(device, "device", _("This device could not be recognised."))
    fingerprint = hashlib.sha256(f"support:{device}".encode()).hexdigest()
    with transaction.atomic():
        case = _lock(case)
        if FAMILY[case.state] != Family.OPEN or not case.is_public:
            raise IllegalTransition(_("Only open public cases can be supported."))
        if CaseSupport.objects.filter(case=case, fingerprint=fingerprint).exists():
            return case, False
        CaseSupport.objects.create(
            case=case, created_at=now, phone=phone.strip(), fingerprint=fingerprint
        )
        _move(case, None, now, support_count=case.support_count + 1)
        _record(
            case,
            "case.supported",
            None,
            now,
            from_state=case.state,
            actor_role=CITIZEN,
            data={"count": case.support_count},
            visibility=Visibility.REPORTER,
        )
    return case, True


# ---------------------------------------------------------------- external systems


def external_update(
    case,
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
    with transaction.atomic():
        case = _lock(case)
        _move(case, None, now)
        return CaseEvent.objects.create(
            case=case,
            at=now,
            action="case.external_update",
            actor_role="external",
            actor_label=client_label[:64],
            from_state=case.state,
            to_state=case.state,
            department=case.department,
            note=note,
            data=data or {},
            visibility=Visibility.REPORTER,
        )
