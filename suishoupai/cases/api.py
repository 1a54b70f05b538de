"""Citizen and staff JSON endpoints. Thin: parse, call a service or selector, present."""

import json
import math
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status
from pydantic import Field, ValidationError

from suishoupai import ratelimit
from suishoupai.catalog.selectors import route
from suishoupai.errors import InvalidInput, NotAllowed, NotFound
from suishoupai.org.auth import BearerToken
from suishoupai.org.models import Role, User
from suishoupai.photos import selectors as photo_selectors
from suishoupai.photos.models import Photo
from suishoupai.photos.services import check_uploads
from suishoupai.photos.views import original_response
from suishoupai.places.coords import CoordSystem, to_wgs84
from suishoupai.places.selectors import locate

from . import privacy, selectors, services
from .models import Case, CaseEvent, Channel
from .schemas import (
    AcceptIn,
    CallbackIn,
    CaseCreatedOut,
    CasePrivateOut,
    CasePublicDetailOut,
    CaseStaffDetailOut,
    DispatchIn,
    ExtensionIn,
    MergeIn,
    NearbyOut,
    NoteIn,
    PreviewOut,
    PreviewQuery,
    PublicPage,
    RatingIn,
    ReasonIn,
    ReportIn,
    RequiredNoteIn,
    StaffPage,
    SupportIn,
    SupportOut,
)
from .states import FAMILY, Family, State

citizen = Router(tags=["citizen"])
staff = Router(tags=["staff"], auth=BearerToken())

MAX_PAGE_SIZE = 100
CENTRE_ROLES = privacy.CENTRE_ROLES

# ------------------------------------------------------------------ input


def read_payload(request: HttpRequest) -> tuple[dict[str, Any], list]:
    """JSON body, or multipart form with photos in the repeatable field `photos`."""
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        data = {k: v for k, v in request.POST.items()}
        files = [(f.name, f.read()) for f in request.FILES.getlist("photos")]
        return data, files
    if not request.body:
        return {}, []
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return data, []


T = TypeVar("T", bound=Schema)


def validate(schema: type[T], data: dict) -> T:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(exc) from None


class SchemaError(Exception):
    def __init__(self, exc: ValidationError):
        self.errors = exc.errors(include_url=False, include_context=False, include_input=False)


def body_doc(schema: type[Schema], photos: bool = False) -> dict:
    """OpenAPI request body for endpoints that read JSON or multipart themselves."""
    json_schema = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    content: dict[str, Any] = {"application/json": {"schema": json_schema}}
    if photos:
        form = json.loads(json.dumps(json_schema))
        form.setdefault("properties", {})["photos"] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": _("Up to %(n)d photos (JPEG, PNG, WebP, HEIC)")
            % {"n": settings.PHOTO_MAX_COUNT},
        }
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"content": content, "required": True}}


# ------------------------------------------------------------------ output


def _ref(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj else None


def _photo(photo: Photo, staff_view: bool, reporter: bool = False) -> dict:
    # The public and reporters get the privacy-safe copy once it is ready; only
    # staff get the original, through an authenticated endpoint, never a public URL.
    # The reporter also sees it before the case is public, by a signed link.
    if reporter:
        return photo_selectors.present_to_reporter(photo)
    return photo_selectors.present(photo, staff_view)


def _actor(event: CaseEvent, staff_view: bool) -> str:
    if event.actor_role in ("citizen", "system"):
        return {"citizen": _("Reporter"), "system": _("System")}[event.actor_role]
    if event.actor_role == "external":
        # A partner system (12345 hotline, an Open311 client) by its registered name.
        return event.actor_label or _("Partner system")
    role = Role(event.actor_role).label if event.actor_role in Role.values else ""
    # The public and the reporter see the post, staff see the person too.
    return f"{role} {event.actor_label}".strip() if staff_view else str(role)


def _event(
    event: CaseEvent, staff_view: bool, reporter: bool = False, hide_phone: str | None = None
) -> dict:
    """One event; with `hide_phone` (the reporter's number) as someone who may not see
    it gets the event (cases.privacy)."""
    data = event.data if staff_view else {k: v for k, v in event.data.items() if k != "request"}
    note = event.note
    if hide_phone is not None:
        data, note = privacy.masked(data, hide_phone), privacy.mask(note, hide_phone)
    return {
        "at": event.at,
        "action": event.action,
        "label": str(EVENT_LABELS.get(event.action, event.action)),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": _actor(event, staff_view),
        "department": event.department.name if event.department else None,
        "note": note,
        "data": data,
        "photos": [
            _photo(p, staff_view, reporter)
            for p in event.photos.all()
            if staff_view or not p.hidden
        ],
    }


def present_public(case: Case, phone_hidden: bool = True) -> dict:
    hide = case.reporter_phone if phone_hidden else None
    shown = (lambda text: privacy.mask(text, hide)) if hide is not None else (lambda text: text)
    return {
        "number": case.number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "family": FAMILY[case.state],
        "channel": case.channel,
        "category": _ref(case.category),
        "subcategory": _ref(case.subcategory),
        "district": _ref(case.district),
        "address": shown(case.address),
        "lat": case.lat,
        "lng": case.lng,
        "description": shown(case.description),
        "department": case.department.name if case.department else None,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "rating": case.rating or None,
        "support_count": case.support_count,
    }


def present_private(case: Case) -> dict:
    events = selectors.timeline(case, "reporter")
    primary = case.merged_into
    return {
        **present_public(case, phone_hidden=False),
        "timeline": [_event(e, False, reporter=True) for e in events],
        "phone": case.reporter_phone,
        "anonymous": case.is_anonymous,
        "public": case.is_public,
        "due_at": case.due_at,
        "merged_into": primary.number if primary else None,
        # A merged reporter follows the case theirs was merged into.
        "merged_into_timeline": [
            _event(e, False, hide_phone=primary.reporter_phone)
            for e in selectors.timeline(primary, "public")
        ]
        if primary
        else [],
        "rating_stars": case.rating_stars,
        "rating_comment": case.rating_comment,
        "rated_at": case.rated_at,
        "photos": [_photo(p, False, reporter=True) for p in case.photos.all()],
    }


def present_staff(case: Case, user: User) -> dict:
    return {
        **present_public(case, phone_hidden=not privacy.may_see_phone(user)),
        "condition": {"code": case.condition.code, "name": case.condition.description}
        if case.condition
        else None,
        "suggested_department": case.suggested_department.name
        if case.suggested_department
        else None,
        "suggested_department_id": case.suggested_department_id,
        "department_id": case.department_id,
        # Departments get the problem, not the person: contact stays with the centre.
        "phone": case.reporter_phone if privacy.may_see_phone(user) else None,
        "anonymous": case.is_anonymous,
        "public": case.is_public,
        "due_at": case.due_at,
        "handle_due_at": case.handle_due_at,
        "is_overdue": case.is_overdue,
        "rework_count": case.rework_count,
        "urge_count": case.urge_count,
        "filed_at": case.filed_at,
        "dispatched_at": case.dispatched_at,
        "resolved_at": case.resolved_at,
        "merged_into": case.merged_into.number if case.merged_into else None,
    }


def present_staff_detail(case: Case, user: User) -> dict:
    requests = case.requests.select_related("department", "requested_by", "decided_by")
    hide = None if privacy.may_see_phone(user) else case.reporter_phone
    shown = (lambda text: privacy.mask(text, hide)) if hide is not None else (lambda text: text)
    return {
        **present_staff(case, user),
        "timeline": [_event(e, True, hide_phone=hide) for e in selectors.timeline(case, "staff")],
        "requests": [
            {
                "id": r.pk,
                "kind": r.kind,
                "reason": shown(r.reason),
                "amount": r.amount,
                "department": r.department.name,
                "requested_by": str(r.requested_by),
                "requested_at": r.requested_at,
                "decision": r.decision,
                "decided_by": str(r.decided_by) if r.decided_by else None,
                "decided_at": r.decided_at,
                "decision_note": shown(r.decision_note),
            }
            for r in requests
        ],
        "photos": [_photo(p, True) for p in case.photos.all()],
    }


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
    # Written by photos.services (staff only, the public never sees these events).
    "photo.redacted": gettext_lazy("Photo blurred further"),
    "photo.hidden": gettext_lazy("Photo hidden from the public"),
    "photo.shown": gettext_lazy("Photo shown to the public again"),
}


def page_of(qs, page: int, page_size: int, present: Callable) -> dict:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    start = (page - 1) * page_size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": [present(c) for c in qs[start : start + page_size]],
    }


# ------------------------------------------------------------------ citizen


# Dates and pages are bounded so no query can overflow a datetime or an offset.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class ListQuery(Schema):
    family: Family | None = None
    state: State | None = None
    category: str | None = Field(default=None, max_length=64)
    district: str | None = Field(default=None, max_length=32)
    bbox: str | None = Field(default=None, max_length=100)
    since: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    until: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        min_lng, min_lat, max_lng, max_lat = (float(x) for x in raw.split(","))
    except ValueError:
        raise InvalidInput(
            _("bbox must be four numbers: min_lng,min_lat,max_lng,max_lat."), field="bbox"
        ) from None
    if not all(math.isfinite(v) for v in (min_lng, min_lat, max_lng, max_lat)):
        raise InvalidInput(
            _("bbox must be four numbers: min_lng,min_lat,max_lng,max_lat."), field="bbox"
        )
    if min_lng > max_lng or min_lat > max_lat:
        raise InvalidInput(_("bbox minimum is larger than its maximum."), field="bbox")
    return min_lng, min_lat, max_lng, max_lat


def _filter(q: ListQuery, **extra) -> selectors.CaseFilter:
    return selectors.CaseFilter(
        family=q.family,
        state=q.state,
        category=q.category,
        district=q.district,
        bbox=_bbox(q.bbox),
        since=q.since,
        until=q.until,
        **extra,
    )


@citizen.post(
    "/cases",
    response={201: CaseCreatedOut},
    summary="Report a problem",
    openapi_extra=body_doc(ReportIn, photos=True),
)
def create_case(request: HttpRequest):
    _limit(request, "report")
    data, files = read_payload(request)
    if data.pop(HONEYPOT, ""):
        # Only a robot fills the hidden field; it learns nothing and nothing is stored.
        raise InvalidInput(_("The report could not be accepted."))
    report_in = validate(ReportIn, data)
    if report_in.phone:
        _limit(request, "report_phone", report_in.phone)
    photos = check_uploads(files)
    report = services.Report(
        category=report_in.category,
        subcategory=report_in.subcategory,
        description=report_in.description,
        lat=report_in.lat,
        lng=report_in.lng,
        coord_system=report_in.coord_system.value,
        address=report_in.address,
        phone=report_in.phone,
        is_anonymous=report_in.anonymous,
        is_public=report_in.public,
    )
    key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or None
    case, token = services.submit(report, photos, client_ref=key)
    return Status(
        201,
        {
            "number": case.number,
            "tracking_token": token,
            "state": case.state,
            "state_label": str(State(case.state).label),
            "suggested_department": case.suggested_department.name
            if case.suggested_department
            else None,
            "due_at": case.due_at,
            "private_url": f"/api/v1/cases/{case.number}/private",
            "follow_url": f"/m/cases/{case.number}#t={token}",
        },
    )


# Citizen rate limits: (uses, window in seconds) per client IP, or per phone number.
CITIZEN_LIMITS = {
    "report": (20, 3600),
    "report_phone": (10, 86400),
    "support": (60, 3600),
    "support_phone": (30, 3600),
    "rating": (30, 3600),
}
HONEYPOT = "website"


def _limit(request: HttpRequest, scope: str, key: str | None = None) -> None:
    uses, window = CITIZEN_LIMITS[scope]
    ratelimit.check(
        f"citizen.{scope}",
        key or ratelimit.client_ip(request),
        uses,
        window,
        _("Too many requests from here in a short time. Please try again later."),
    )


@citizen.get("/cases", response=PublicPage, summary="Public list of cases")
def list_cases(request: HttpRequest, q: Query[ListQuery]):
    if q.state and FAMILY[q.state] == Family.NEW:
        return {"count": 0, "page": 1, "page_size": q.page_size, "results": []}
    return page_of(selectors.public_cases(_filter(q)), q.page, q.page_size, present_public)


class NearbyQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    coord_system: CoordSystem = CoordSystem("wgs84")
    radius: float = Field(default=300, gt=0, le=5000, description="metres")
    category: str | None = Field(default=None, max_length=64)


@citizen.get(
    "/cases/nearby",
    response=list[NearbyOut],
    summary="Open public cases near a point (已有人反映), nearest first",
)
def nearby_cases(request: HttpRequest, q: Query[NearbyQuery]):
    lat, lng = to_wgs84(q.lat, q.lng, q.coord_system.value)
    found = selectors.nearby_open_cases(lat, lng, q.radius, q.category)
    return [
        {**present_public(c), "distance_m": round(d, 1), "photo": _first_photo(c)} for c, d in found
    ]


def _first_photo(case: Case) -> dict | None:
    photo = case.photos.filter(kind="report", hidden=False).order_by("pk").first()
    return _photo(photo, False) if photo else None


@citizen.get(
    "/cases/preview",
    response=PreviewOut,
    summary="Before sending: is the place served, and which department will receive it",
)
def preview_case(request: HttpRequest, q: Query[PreviewQuery]):
    category, sub = (
        services.resolve_category(q.category, q.subcategory) if q.category else (None, None)
    )
    lat, lng = to_wgs84(q.lat, q.lng, q.coord_system.value)
    where = locate(lat, lng)
    served = services.in_service(where)
    department = route(category, sub, where.district) if served and category else None
    return {
        "in_service": served,
        "message": "" if served else services.outside_message(),
        "district": _ref(where.district),
        "street": _ref(where.street),
        "department": department.name if department else None,
        "lat": lat,
        "lng": lng,
    }


@citizen.get("/cases/{number}", response=CasePublicDetailOut, summary="Public view of a case")
def get_case(request: HttpRequest, number: str):
    case = selectors.public_case(number)
    return {
        **present_public(case),
        "timeline": [
            _event(e, False, hide_phone=case.reporter_phone)
            for e in selectors.timeline(case, "public")
        ],
    }


def _token(request: HttpRequest) -> str | None:
    return request.headers.get("X-Case-Token")


@citizen.get("/cases/{number}/private", response=CasePrivateOut, summary="The reporter's own view")
def get_private_case(request: HttpRequest, number: str):
    return present_private(selectors.reporter_case(number, _token(request)))


@citizen.post("/cases/{number}/rating", response=CasePrivateOut, summary="Rate a closed case")
def rate_case(request: HttpRequest, number: str, body: RatingIn):
    _limit(request, "rating")
    case = selectors.reporter_case(number, _token(request))
    services.rate(case, rating=body.rating, stars=body.stars, comment=body.comment)
    return present_private(selectors.reporter_case(number, _token(request)))


@citizen.post(
    "/cases/{number}/support", response=SupportOut, summary="Me too (附议) on an open case"
)
def support_case(request: HttpRequest, number: str, body: SupportIn):
    _limit(request, "support")
    if body.phone:
        _limit(request, "support_phone", body.phone)
    case, counted = services.support(
        selectors.public_case(number), device=body.device, phone=body.phone
    )
    return {"number": case.number, "support_count": case.support_count, "counted": counted}


# ------------------------------------------------------------------ staff


class StaffListQuery(ListQuery):
    todo: bool = Field(default=False, description="Only what my post has to act on next")
    department: int | None = Field(default=None, ge=1, le=2**31 - 1)
    overdue: bool | None = None
    channel: Channel | None = None


@staff.get("/cases", response=StaffPage, summary="My queue (scoped to my role and department)")
def staff_cases(request: HttpRequest, q: Query[StaffListQuery]):
    user = _user(request)
    filters = _filter(q, department=q.department, overdue=q.overdue, channel=q.channel)
    qs = selectors.staff_queue(user, filters, todo=q.todo)
    return page_of(qs, q.page, q.page_size, lambda c: present_staff(c, user))


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by BearerToken


def _staff_case(user: User, number: str) -> Case:
    """Unknown number → 404; a case this user may not see → 403."""
    if not Case.objects.filter(number=number).exists():
        raise NotFound(_("No such case."))
    case = Case.objects.visible_to(user).filter(number=number).first()
    if case is None:
        raise NotAllowed(_("You may not see this case."))
    return case


@staff.get("/cases/{number}", response=CaseStaffDetailOut, summary="Everything about a case")
def staff_case(request: HttpRequest, number: str):
    user = _user(request)
    _staff_case(user, number)
    return present_staff_detail(selectors.staff_case(user, number), user)


@staff.get("/photos/{uuid}", summary="An original photo (staff only)")
def staff_photo(request: HttpRequest, uuid: UUID):
    photo = Photo.objects.filter(uuid=uuid).select_related("case").first()
    if photo is None:
        raise NotFound(_("No such photo."))
    _staff_case(_user(request), photo.case.number)
    return original_response(photo)


def _register(action: str, schema: type[Schema] | None, call: Callable, photos: bool = False):
    """One POST endpoint per transition, named after it, all calling the service."""

    def endpoint(request: HttpRequest, number: str):
        user = _user(request)
        case = _staff_case(user, number)
        data, files = read_payload(request)
        body = validate(schema, data) if schema else None
        kwargs = {"photos": check_uploads(files)} if photos else {}
        call(case, user, body, **kwargs)
        return present_staff_detail(selectors.staff_case(user, number), user)

    endpoint.__name__ = f"action_{action.replace('-', '_')}"
    extra = body_doc(schema, photos) if schema else {}
    staff.post(
        f"/cases/{{number}}/{action}",
        response=CaseStaffDetailOut,
        summary=str(ACTION_SUMMARIES[action]),
        openapi_extra=extra,
        operation_id=endpoint.__name__,
    )(endpoint)


S = services
ACTION_SUMMARIES = {
    "accept": gettext_lazy("File the report as a case (立案)"),
    "reject": gettext_lazy("Decline to file (不予立案)"),
    "merge": gettext_lazy("Merge into another case"),
    "dispatch": gettext_lazy("Dispatch (派遣), or pass on to a sub-unit (转派)"),
    "redispatch": gettext_lazy("Re-dispatch a case not yet signed for (改派)"),
    "take": gettext_lazy("Sign for (签收)"),
    "feedback": gettext_lazy("Report the handling (处置反馈)"),
    "request-return": gettext_lazy("Ask to return the case (回退)"),
    "approve-return": gettext_lazy("Approve a return"),
    "deny-return": gettext_lazy("Deny a return"),
    "request-extension": gettext_lazy("Ask for more time (延期)"),
    "approve-extension": gettext_lazy("Approve an extension"),
    "deny-extension": gettext_lazy("Deny an extension"),
    "request-suspension": gettext_lazy("Ask to suspend (挂账)"),
    "approve-suspension": gettext_lazy("Approve a suspension"),
    "deny-suspension": gettext_lazy("Deny a suspension"),
    "request-appeal": gettext_lazy("Appeal an overdue mark (超期申诉)"),
    "approve-appeal": gettext_lazy("Approve an appeal: waive the overdue mark"),
    "deny-appeal": gettext_lazy("Deny an appeal"),
    "resume": gettext_lazy("Resume a suspended case"),
    "verify-pass": gettext_lazy("Verification passed (核查通过)"),
    "verify-fail": gettext_lazy("Verification failed: rework (返工)"),
    "close": gettext_lazy("Close (结案)"),
    "void": gettext_lazy("Void (作废)"),
    "urge": gettext_lazy("Urge (督办)"),
    "callback": gettext_lazy("Record a call-back (回访)"),
    "reopen": gettext_lazy("Reopen after an unsatisfied rating"),
}

_register("accept", AcceptIn, lambda c, u, b: S.accept(c, u, condition=b.condition, note=b.note))
_register("reject", ReasonIn, lambda c, u, b: S.reject(c, u, reason=b.reason))
_register("merge", MergeIn, lambda c, u, b: S.merge(c, u, into=b.into, note=b.note))
_register(
    "dispatch", DispatchIn, lambda c, u, b: S.dispatch(c, u, department=b.department, note=b.note)
)
_register(
    "redispatch",
    DispatchIn,
    lambda c, u, b: S.redispatch(c, u, department=b.department, note=b.note),
)
_register("take", None, lambda c, u, b: S.take(c, u))
_register(
    "feedback",
    RequiredNoteIn,
    lambda c, u, b, photos: S.feedback(c, u, note=b.note, photos=photos),
    photos=True,
)
_register("request-return", ReasonIn, lambda c, u, b: S.request_return(c, u, reason=b.reason))
_register("approve-return", NoteIn, lambda c, u, b: S.approve_return(c, u, note=b.note))
_register("deny-return", NoteIn, lambda c, u, b: S.deny_return(c, u, note=b.note))
_register(
    "request-extension",
    ExtensionIn,
    lambda c, u, b: S.request_extension(c, u, reason=b.reason, amount=b.amount),
)
_register("approve-extension", NoteIn, lambda c, u, b: S.approve_extension(c, u, note=b.note))
_register("deny-extension", NoteIn, lambda c, u, b: S.deny_extension(c, u, note=b.note))
_register(
    "request-suspension", ReasonIn, lambda c, u, b: S.request_suspension(c, u, reason=b.reason)
)
_register("approve-suspension", NoteIn, lambda c, u, b: S.approve_suspension(c, u, note=b.note))
_register("deny-suspension", NoteIn, lambda c, u, b: S.deny_suspension(c, u, note=b.note))
_register("request-appeal", ReasonIn, lambda c, u, b: S.request_appeal(c, u, reason=b.reason))
_register("approve-appeal", NoteIn, lambda c, u, b: S.approve_appeal(c, u, note=b.note))
_register("deny-appeal", NoteIn, lambda c, u, b: S.deny_appeal(c, u, note=b.note))
_register("resume", NoteIn, lambda c, u, b: S.resume(c, u, note=b.note))
_register(
    "verify-pass",
    NoteIn,
    lambda c, u, b, photos: S.verify_pass(c, u, note=b.note, photos=photos),
    photos=True,
)
_register(
    "verify-fail",
    RequiredNoteIn,
    lambda c, u, b, photos: S.verify_fail(c, u, note=b.note, photos=photos),
    photos=True,
)
_register("close", NoteIn, lambda c, u, b: S.close(c, u, note=b.note))
_register("void", ReasonIn, lambda c, u, b: S.void(c, u, reason=b.reason))
_register("urge", NoteIn, lambda c, u, b: S.urge(c, u, note=b.note))
_register(
    "callback",
    CallbackIn,
    lambda c, u, b: S.callback(c, u, result=b.result, contact=b.contact, note=b.note),
)
_register("reopen", ReasonIn, lambda c, u, b: S.reopen(c, u, reason=b.reason))
