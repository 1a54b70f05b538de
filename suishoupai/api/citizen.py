"""The citizen JSON API: reports, public cases, the reporter's own view, ratings, me-too.

Thin: parse, call a service or selector, present (cases.presenters, shared with
the citizen pages).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from suishoupai import ratelimit
from suishoupai.cases import answers, presenters, selectors, services
from suishoupai.cases.models import Case, Channel
from suishoupai.cases.presenters import present_private, present_public, present_public_detail
from suishoupai.cases.states import FAMILY, Family, State
from suishoupai.catalog.selectors import route
from suishoupai.errors import InvalidInput
from suishoupai.officialaccount import identity
from suishoupai.officialaccount import services as drafts
from suishoupai.officialaccount.models import Draft
from suishoupai.photos.services import CheckedPhoto, check_uploads
from suishoupai.places.coords import to_wgs84
from suishoupai.places.selectors import locate

from .payload import body_doc, read_payload, validate
from .presenters import public_page_of
from .schemas import (
    CaseCreatedOut,
    CasePrivateOut,
    CasePublicDetailOut,
    NearbyOut,
    NearbyQuery,
    PreviewOut,
    PreviewQuery,
    PublicListQuery,
    PublicPage,
    RatingIn,
    ReportIn,
    SupportIn,
    SupportOut,
)

router = Router(tags=["citizen"])


@router.post(
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
    key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or None
    draft, kept = _draft(report_in, key)
    if len(photos) + len(kept) > settings.PHOTO_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)d photos can be sent at once.") % {"n": settings.PHOTO_MAX_COUNT},
            field="photos",
        )
    # The follower: the one these pages know inside WeChat, or the chat's sender.
    openid = identity.openid(request) or (draft.openid if draft else "")
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
        openid=openid,
        # Sent from inside WeChat (its pages or a chat's draft): counted as that channel.
        channel=Channel.WECHAT if openid else Channel.CITIZEN,
    )
    case, token = services.submit(report, photos + kept, client_ref=key)
    if draft is not None:
        drafts.close(draft, case)
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


def _draft(report_in: ReportIn, key: str | None) -> tuple[Draft | None, list[CheckedPhoto]]:
    """A report sent from a WeChat draft brings the draft's photos (those kept)."""
    if not report_in.draft:
        return None, []
    ids = [int(i) for i in report_in.draft_photos.split(",") if i]
    return drafts.sending(report_in.draft, ids, key)


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


@router.get("/cases", response=PublicPage, summary="Public list of cases")
def list_cases(request: HttpRequest, q: Query[PublicListQuery]):
    if q.state and FAMILY[q.state] == Family.NEW:
        return {
            "count": 0,
            "count_exact": True,
            "page": None if q.cursor else q.page,
            "page_size": q.page_size,
            "next": None,
            "results": [],
        }
    qs = selectors.public_list(q.case_filter())
    return public_page_of(request, qs, q.page, q.page_size, q.cursor, present_public)


@router.get(
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
    return presenters.photo(photo, False) if photo else None


@router.get(
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
        "district": presenters.ref(where.district),
        "street": presenters.ref(where.street),
        "department": department.name if department else None,
        "department_en": department.name_en if department else None,
        "lat": lat,
        "lng": lng,
    }


@router.get("/cases/{number}", response=CasePublicDetailOut, summary="Public view of a case")
def get_case(request: HttpRequest, number: str):
    # The same bytes ninja would answer, kept until the case changes (cases.answers).
    from .api import api

    def render() -> bytes:
        data = CasePublicDetailOut.model_validate(
            present_public_detail(selectors.public_case(number))
        ).model_dump()
        return api.create_response(request, data, status=200).content

    body = answers.cached(number, "api", render)
    return HttpResponse(body, content_type=api.get_content_type())


def _token(request: HttpRequest) -> str | None:
    return request.headers.get("X-Case-Token")


@router.get("/cases/{number}/private", response=CasePrivateOut, summary="The reporter's own view")
def get_private_case(request: HttpRequest, number: str):
    return present_private(selectors.reporter_case(number, _token(request)))


@router.post("/cases/{number}/rating", response=CasePrivateOut, summary="Rate a closed case")
def rate_case(request: HttpRequest, number: str, body: RatingIn):
    _limit(request, "rating")
    case = selectors.reporter_case(number, _token(request))
    services.rate(case, rating=body.rating, stars=body.stars, comment=body.comment)
    return present_private(selectors.reporter_case(number, _token(request)))


@router.post(
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
