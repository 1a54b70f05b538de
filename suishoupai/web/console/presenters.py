"""What the console templates show of a case: list rows and the whole case page."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suishoupai.cases import policy, selectors
from suishoupai.cases.events import EVENT_LABELS
from suishoupai.cases.models import Case, CaseEvent, Decision
from suishoupai.cases.states import MOVES, State
from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.catalog.selectors import reply_templates
from suishoupai.org.models import Department, DepartmentKind, Role, User
from suishoupai.photos import selectors as photo_selectors
from suishoupai.photos.models import DerivativeStatus, Photo
from suishoupai.places.models import Area
from suishoupai.timelimits.models import LimitUnit
from suishoupai.triage import selectors as triage

from .actions import allowed_actions, subunits

CALLBACK_RESULTS = [
    ("satisfied", gettext_lazy("Satisfied")),
    ("basically_satisfied", gettext_lazy("Basically satisfied")),
    ("unsatisfied", gettext_lazy("Unsatisfied")),
    ("unreachable", gettext_lazy("Could not be reached")),
    ("declined", gettext_lazy("Declined to answer")),
]
# Events that move or stop a deadline: the deadline history on the case page.
DEADLINE_EVENTS = {
    "case.submitted",
    "case.filed",
    "case.dispatched",
    "case.redispatched",
    "case.dispatched_on",
    "case.taken",
    "case.extended",
    "case.suspended",
    "case.resumed",
    "case.rework",
    "case.returned",
    "case.resolved",
    "case.verified",
    "case.reopened",
}


def _hide_phone(case: Case, events: list[CaseEvent], requests: list, phone: str) -> None:
    """The page's copies of the case, its events and requests as someone who may not see
    the reporter's phone gets them (cases.policy). Shown only, never saved: this is a
    read-only page."""
    case.description = policy.mask(case.description, phone)
    case.address = policy.mask(case.address, phone)
    case.rating_comment = policy.mask(case.rating_comment, phone)
    for event in events:
        event.note = policy.mask(event.note, phone)
        event.data = policy.masked(event.data or {}, phone)
    for request in requests:
        request.reason = policy.mask(request.reason, phone)
        request.decision_note = policy.mask(request.decision_note, phone)


def overdue_waived(case: Case) -> bool:
    """The current deadline's overdue mark was waived on appeal (超期申诉)."""
    return case.due_at is not None and case.due_at == case.waived_due_at


def row(case: Case, now: datetime) -> dict:
    late = case.due_at is not None and case.due_at < now and not overdue_waived(case)
    return {"case": case, "overdue": case.is_overdue or late}


def dispatch_departments() -> QuerySet[Department]:
    """Where the centre can send a case: every active department but the centre itself."""
    return (
        Department.objects.filter(active=True)
        .exclude(kind=DepartmentKind.CENTRE)
        .select_related("parent")
        .order_by("parent__code", "code")
    )


def _actor(event: CaseEvent) -> str:
    if event.actor_role == "citizen":
        return _("Reporter")
    if event.actor_role == "system":
        return _("System")
    role = Role(event.actor_role).label if event.actor_role in Role.values else ""
    return f"{role} {event.actor_label}".strip()


def _iso(value: str | None) -> str:
    # Stored as ISO 8601 with the zone; minutes are enough to read.
    return (value or "")[:16].replace("T", " ")


def _event(event: CaseEvent, conditions: dict[str, str]) -> dict:
    data = event.data or {}
    results = dict(CALLBACK_RESULTS)
    details = []
    if event.action == "case.extended":
        details.append(
            _("deadline %(from)s → %(to)s")
            % {"from": _iso(data.get("from")), "to": _iso(data.get("to"))}
        )
    if event.action == "case.callback":
        details.append(
            _("called %(contact)s: %(result)s")
            % {
                "contact": data.get("contact") or "—",
                "result": results.get(str(data.get("result")), ""),
            }
        )
    if event.action == "case.merged":
        details.append(_("into %(n)s") % {"n": data.get("into", "")})
    if event.action == "case.merge_received":
        details.append(_("from %(n)s") % {"n": data.get("from", "")})
    if event.action == "case.filed" and data.get("condition"):
        details.append(conditions.get(data["condition"], data["condition"]))
    if event.action == "photo.redacted":
        count = len(data.get("boxes") or [])
        details.append(_("boxes blurred: %(n)d") % {"n": count})
    if data.get("automatic"):
        details.append(_("automatic, past the deadline"))
    return {
        "event": event,
        "label": EVENT_LABELS.get(event.action, event.action),
        "actor": _actor(event),
        "details": details,
        # The state after the event, when it moved: "Filed → awaiting dispatch".
        "to_state": State(event.to_state).label
        if event.to_state in State.values
        and event.to_state != event.from_state
        and not event.action.startswith("photo.")  # about a photo, the case did not move
        else "",
        "photos": list(event.photos.all()),
    }


def _conditions(case: Case, suggested: str = "") -> list[FilingCondition]:
    """Filing conditions of the case's kind, the likeliest first (as services.accept picks);
    when triage suggests another subcategory, its conditions come first."""
    qs = FilingCondition.objects.filter(active=True, subcategory__active=True).select_related(
        "subcategory"
    )
    order = ("subcategory__sort_order", "sort_order", "code")
    if case.subcategory_id:
        own = qs.filter(subcategory_id=case.subcategory_id)
    else:
        own = qs.filter(subcategory__category_id=case.category_id)
    first = list(qs.filter(subcategory__code=suggested).order_by(*order)) if suggested else []
    return first + [c for c in own.order_by(*order) if c not in first]


def _triage(case: Case) -> dict:
    """The suggestion, the out-of-scope warning, urgency and duplicate candidates."""
    view = triage.case_view(case)
    names = dict(Subcategory.objects.values_list("code", "name"))
    top = view.triage.suggestions[0] if view.triage.suggestions else None
    return {
        "suggestions": [
            {
                "category": str(categories_by_code().get(s.category, s.category)),
                "subcategory": names.get(s.subcategory, s.subcategory),
                "code": s.subcategory,
                "score": s.score,
            }
            for s in view.triage.suggestions
        ],
        "top_code": top.subcategory if top and not view.triage.flagged else "",
        "differs": bool(
            top and top.subcategory != (case.subcategory.code if case.subcategory else "")
        ),
        "flagged": view.triage.flagged,
        "out_of_scope": view.triage.out_of_scope,
        "reason": view.triage.reason,
        "urgent": view.urgent,
        "duplicates": view.duplicates,
        "likely": triage.LIKELY_DUPLICATE,
    }


def categories_by_code() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


def _district_outline(case: Case) -> dict | None:
    if not case.district_id:
        return None
    geometry = Area.objects.filter(pk=case.district_id).values_list("geometry", flat=True).first()
    return {"type": "Feature", "geometry": geometry, "properties": {}} if geometry else None


def _nearby(case: Case) -> list[dict]:
    found = selectors.nearby_open_cases(case.lat, case.lng, 500, limit=8)
    return [{"case": c, "distance": round(d)} for c, d in found if c.pk != case.pk]


def _next_report(case: Case, user: User) -> str | None:
    """The operator's next report after this one (the `n` key)."""
    queue = selectors.staff_queue(user, selectors.CaseFilter(state=State.SUBMITTED))
    return queue.exclude(pk=case.pk).values_list("number", flat=True).first()


def _unit(case: Case) -> str:
    return case.condition.limit_unit if case.condition else LimitUnit.WORKING_HOURS


# What staff read about a photo's public copy (the public only ever sees it or a placeholder).
COPY_STATUS: dict[str, Promise] = {
    DerivativeStatus.PENDING: gettext_lazy("Public copy not made yet"),
    DerivativeStatus.READY: gettext_lazy("Public copy made"),
    DerivativeStatus.FAILED: gettext_lazy("Public copy failed"),
}


def photo_cards(photos: list[Photo], user: User) -> list[dict]:
    """Each photo with its public copy's health and whether this person may manage it."""
    # The photo moves of the move table decide who may redact, hide or retry; the
    # same roles make all four, in any state of the case.
    may = bool(photos) and policy.may(user, MOVES["redact_photo"])
    cards = []
    for p in photos:
        current = photo_selectors.has_current_copy(p)
        status = str(p.status)
        if status == DerivativeStatus.READY and not current:
            status = DerivativeStatus.PENDING  # redacted again, the new copy is on its way
        cards.append(
            {
                "photo": p,
                "current": current,
                "status": status,
                "status_label": COPY_STATUS.get(status, status),
                "may_manage": may,
            }
        )
    return cards


def case_page(case: Case, user: User) -> dict:
    timeline = list(selectors.timeline(case, "staff"))
    requests = list(case.requests.select_related("department", "requested_by", "decided_by"))
    if not policy.may_see_phone(user):
        _hide_phone(case, timeline, requests, case.reporter_phone)
    codes = {e.data.get("condition") for e in timeline if e.action == "case.filed"}
    conditions = dict(
        FilingCondition.objects.filter(code__in=codes).values_list("code", "description")
    )
    events = [_event(e, conditions) for e in timeline]
    allowed = allowed_actions(case, user)
    names = {a.name for a in allowed}
    forms = []
    for action in allowed:
        kind = action.templates
        forms.append(
            {
                "action": action,
                "templates": reply_templates(kind, user.department) if kind else [],
            }
        )
    photos = list(case.photos.all())
    # Triage is for intake: a new report, before it is filed.
    triaged = _triage(case) if case.state == State.SUBMITTED and names & {"accept"} else None
    return {
        "case": case,
        "events": events,
        "deadline_events": [e for e in events if e["event"].action in DEADLINE_EVENTS],
        "forms": forms,
        "pending": [r for r in requests if r.decision == Decision.PENDING],
        "requests": requests,
        "report_photos": [p for p in photos if p.kind == "report"],
        "later_photos": [p for p in photos if p.kind != "report"],
        "report_cards": photo_cards([p for p in photos if p.kind == "report"], user),
        "later_cards": photo_cards([p for p in photos if p.kind != "report"], user),
        "show_phone": policy.may_see_phone(user),
        "triage": triaged,
        "conditions": _conditions(case, triaged["top_code"] if triaged else "")
        if "accept" in names
        else [],
        "departments": dispatch_departments() if names & {"dispatch", "redispatch"} else [],
        "subunits": subunits(case) if "dispatch_on" in names else [],
        "nearby": _nearby(case) if names & {"accept", "merge"} else [],
        "next_report": _next_report(case, user) if "accept" in names else None,
        "callback_results": CALLBACK_RESULTS,
        "unit_label": str(LimitUnit(_unit(case)).label),
        "limit_unit": _unit(case),
        "outline": _district_outline(case),
        "is_overdue": row(case, timezone.now())["overdue"],
        "overdue_waived": overdue_waived(case),
    }
