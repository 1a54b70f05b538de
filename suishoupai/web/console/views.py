"""The staff console's workflow pages: one queue per post, the case page, actions.

Views are thin: they read through cases.selectors (scoped by Case.objects.visible_to),
decide the buttons with actions.allowed_actions and write through cases.services via
actions.perform. Every view requires a signed-in member of staff; role checks here only
choose which page someone sees, the services decide what they may do.
"""

import json
import math
from collections.abc import Callable
from functools import wraps
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Case as DbCase
from django.db.models import F, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from suishoupai.cases import policy, selectors
from suishoupai.cases import services as case_services
from suishoupai.cases.models import Case, CaseRequest, Decision, RequestKind
from suishoupai.cases.selectors import CaseFilter
from suishoupai.cases.states import MOVES, State
from suishoupai.errors import DomainError, InvalidInput, NotAllowed, NotFound
from suishoupai.features import allow_features
from suishoupai.org.models import User
from suishoupai.photos import selectors as photo_selectors
from suishoupai.photos.files import STAFF_COPY_CACHE, copy_response, original_response
from suishoupai.photos.models import Photo
from suishoupai.places.selectors import distance_m
from suishoupai.triage import selectors as triage

from . import actions, presenters
from .navigation import home_url


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "console/403.html", {"message": message}, status=403)


def staff_view(roles: frozenset[str] = policy.STAFF) -> Callable:
    """Signed in, with a staff role (a citizen account has none), and one of `roles`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            assert isinstance(user, User)
            if not user.is_active or not policy.has_post(user, policy.STAFF):
                return forbidden(request, _("This console is for city staff only."))
            if not policy.has_post(user, roles):
                return forbidden(request, _("This page is not part of your post's work."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url(_user(request)))


# ------------------------------------------------------------------ queues


def _rows(cases) -> list[dict]:
    now = timezone.now()
    return [presenters.row(c, now) for c in cases]


@require_GET
@staff_view(policy.INTAKE)
def intake(request: HttpRequest) -> HttpResponse:
    return render(request, "console/intake.html", _intake_context(request))


@require_GET
@staff_view(policy.INTAKE)
def intake_rows(request: HttpRequest) -> HttpResponse:
    # Polled by htmx every few seconds: new reports appear without a reload.
    return render(request, "console/_intake_rows.html", _intake_context(request))


def _intake_context(request: HttpRequest) -> dict:
    cases = selectors.staff_queue(_user(request), CaseFilter(state=State.SUBMITTED))
    # Danger and anger (triage's urgency) first, then the queue's own order.
    raised = When(triage__urgency__gte=triage.URGENT, then=Value(0))
    ordered = cases.select_related("triage").order_by(
        DbCase(raised, default=Value(1)), F("due_at").asc(nulls_last=True), "created_at", "pk"
    )
    rows = _rows(ordered[:200])
    names = presenters.categories_by_code()
    for r in rows:
        stored = getattr(r["case"], "triage", None)
        if stored is not None and stored.suggestions:
            r["suggested"] = names.get(stored.suggestions[0]["category"], "")
    return {"rows": rows, "count": cases.count()}


@require_GET
@staff_view(policy.DISPATCHERS)
def dispatch(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filed = selectors.staff_queue(user, CaseFilter(state=State.FILED)).select_related(
        "suggested_department"
    )
    waiting = selectors.staff_queue(user, CaseFilter(state=State.DISPATCHED))
    returns = _pending_requests(user, RequestKind.RETURN)
    context = {
        "filed": _rows(filed[:200]),
        "waiting": _rows(waiting[:200]),
        "returns": returns,
        "departments": presenters.dispatch_departments(),
        "may_decide": policy.may(user, MOVES["approve_return"]),
    }
    return render(request, "console/dispatch.html", context)


def _pending_requests(user: User, kind: str | None = None):
    qs = CaseRequest.objects.filter(
        decision=Decision.PENDING, case__in=Case.objects.visible_to(user)
    ).select_related("case", "department", "requested_by", "case__condition", "overdue_mark")
    return qs.filter(kind=kind) if kind else qs


@require_GET
@staff_view(policy.DEPARTMENTS)
def department(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    todo = selectors.staff_queue(user, CaseFilter(), todo=True)
    suspended = selectors.staff_queue(user, CaseFilter(state=State.SUSPENDED)).filter(
        department_id__in=user.department_scope
    )
    context = {"todo": _rows(todo[:300]), "suspended": _rows(suspended[:100])}
    return render(request, "console/department.html", context)


@require_GET
@staff_view(policy.LEADS)
def lead(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    todo = selectors.staff_queue(user, CaseFilter(), todo=True)
    context = {
        "requests": _pending_requests(user).order_by("requested_at"),
        "verified": _rows(todo.filter(state=State.VERIFIED)[:200]),
        "unsatisfied": _rows(todo.filter(state=State.CLOSED)[:200]),
    }
    return render(request, "console/lead.html", context)


def _position(request: HttpRequest) -> tuple[float, float] | None:
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return None
    ok = math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180
    return (lat, lng) if ok else None


@require_GET
@staff_view(policy.INSPECTORS)
# The inspector's phone lists the nearest cases first: it needs the position.
@allow_features("geolocation")
def verify(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.staff_queue(_user(request), CaseFilter(state=State.RESOLVED))[:300])
    rows = _rows(cases)
    here = _position(request)
    if here:
        for row in rows:
            row["distance_m"] = distance_m(here[0], here[1], row["case"].lat, row["case"].lng)
        rows.sort(key=lambda r: r["distance_m"])
    htmx = request.headers.get("HX-Request") == "true"
    template = "console/_verify_list.html" if htmx else "console/verify.html"
    return render(request, template, {"rows": rows, "here": here})


@require_GET
@staff_view(policy.SUPERVISORS)
def overdue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = selectors.staff_queue(user, CaseFilter(family="open", overdue=True))
    rows = _rows(cases[:300])
    for row in rows:
        row["may_urge"] = actions.may_urge(row["case"], user)
    return render(request, "console/overdue.html", {"rows": rows})


# ------------------------------------------------------------------ one case


def _visible_case(user: User, number: str) -> Case:
    """Unknown number → 404 page; a case this user may not see → NotAllowed (403)."""
    try:
        return selectors.staff_case(user, number)
    except NotFound:
        raise Http404(_("No such case.")) from None
    except NotAllowed:
        raise NotAllowed(_("This case is not assigned to your department.")) from None


@require_GET
@staff_view()
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    try:
        case = _visible_case(user, number)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    return render(request, "console/case.html", presenters.case_page(case, user))


# Where a form may send the person afterwards: a queue, the case, or the next report.
AFTER = {
    "intake": "console:intake",
    "dispatch": "console:dispatch",
    "department": "console:department",
    "lead": "console:lead",
    "verify": "console:verify",
    "overdue": "console:overdue",
}


@require_POST
@staff_view()
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = _user(request)
    try:
        case = _visible_case(user, number)
        actions.perform(case, user, action, request.POST, request.FILES)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        # Nothing was written (the service's transaction rolled back): show the
        # case again with the message, the status saying why, and the form as it
        # was typed (a refused photo must not cost the person their note).
        fresh = _visible_case(user, number)
        context = presenters.case_page(fresh, user) | {
            "error": exc.message,
            "failed": action,
            "kept": request.POST,
            "photos_dropped": bool(request.FILES),
        }
        return render(request, "console/case.html", context, status=exc.status)
    label = actions.ACTIONS[action].label
    messages.success(
        request, _("%(action)s: done for case %(n)s.") % {"action": label, "n": number}
    )
    return redirect(_after(request, user, number))


def _after(request: HttpRequest, user: User, number: str) -> str:
    then = request.POST.get("then", "")
    if then == "next":
        # The operator's common path: file or decline, then straight to the next report.
        nxt = (
            selectors.staff_queue(user, CaseFilter(state=State.SUBMITTED))
            .exclude(number=number)
            .first()
        )
        return reverse("console:case", args=[nxt.number]) if nxt else reverse("console:intake")
    if then in AFTER:
        return reverse(AFTER[then])
    return reverse("console:case", args=[number])


def _visible_photo(user: User, uuid: UUID) -> Photo:
    """Unknown photo → 404 page; a photo of a case this user may not see → NotAllowed (403)."""
    try:
        return selectors.staff_photo(user, uuid)
    except NotFound:
        raise Http404(_("No such photo.")) from None


@require_GET
@staff_view()
def photo(request: HttpRequest, uuid: UUID) -> HttpResponse | FileResponse:
    """The original photo, for staff who may see its case (session-authenticated)."""
    try:
        found = _visible_photo(_user(request), uuid)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    return original_response(found)


@require_GET
@staff_view()
def photo_copy(request: HttpRequest, uuid: UUID) -> HttpResponse | FileResponse:
    """The current public copy, also while the case is not public: staff draw boxes on it."""
    try:
        found = _visible_photo(_user(request), uuid)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    if not photo_selectors.has_current_copy(found):
        raise Http404(_("The public copy of this photo is not made yet."))
    return copy_response(found, thumb=False, cache=STAFF_COPY_CACHE)


@require_GET
@staff_view()
def photo_card(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One photo's card on the case page, polled by htmx while its public copy is being made."""
    user = _user(request)
    try:
        found = _visible_photo(user, uuid)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    (card,) = presenters.photo_cards([found], user)
    return render(request, "console/_photo_card.html", {"c": card})


PHOTO_DONE = {
    "redact": gettext_lazy("The boxes are saved; the public copy is blurred again."),
    "hide": gettext_lazy("The photo is hidden from the public."),
    "show": gettext_lazy("The photo is shown to the public again."),
    "retry": gettext_lazy("The public copy is being made again."),
}
MAX_BOXES_FIELD = 10_000  # characters of JSON: 20 boxes need a few hundred


def _boxes(raw: str) -> list:
    """The boxes the page drew, as JSON in the form field; the service checks each one."""
    try:
        boxes = json.loads(raw) if len(raw) <= MAX_BOXES_FIELD else None
    except ValueError:
        boxes = None
    if not isinstance(boxes, list):
        raise InvalidInput(_("The boxes could not be read. Please draw them again."), field="boxes")
    return boxes


@require_POST
@staff_view()
def photo_action(request: HttpRequest, uuid: UUID, op: str) -> HttpResponse:
    """Redact, hide, show or retry one photo through the case services, which decide who may."""
    if op not in PHOTO_DONE:
        raise Http404(_("No such action."))
    user = _user(request)
    try:
        found = _visible_photo(user, uuid)
        note = request.POST.get("note", "").strip()[:500]
        if op == "redact":
            boxes = _boxes(request.POST.get("boxes", ""))
            case_services.redact_photo(found, user, boxes, note=note)
        elif op == "hide":
            case_services.hide_photo(found, user, note=note)
        elif op == "show":
            case_services.show_photo(found, user, note=note)
        else:
            case_services.retry_photo(found, user)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        # The service wrote nothing: the case page again, with the message.
        case = _visible_case(user, found.case.number)
        context = presenters.case_page(case, user) | {"error": exc.message, "failed": op}
        return render(request, "console/case.html", context, status=exc.status)
    messages.success(request, str(PHOTO_DONE[op]))
    return redirect(reverse("console:case", args=[found.case.number]) + f"#photo-{found.uuid}")
