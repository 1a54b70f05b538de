"""The citizen's H5 pages (WeChat menu, QR codes) and the few JSON views behind them.

Reports, nearby cases, me-too and the route preview go through the public JSON API
(/api/v1); what is only for these pages lives here: the reporter's own cases by
token or confirmed phone, phone codes, district outlines, the QR code of a link.
The case views they show are the API's too (cases.presenters), never imported from it.
"""

import json
import math
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from suishoupai import ratelimit
from suishoupai.cases import selectors as case_selectors
from suishoupai.cases import services as case_services
from suishoupai.cases.models import Case
from suishoupai.cases.presenters import present_private, present_public_detail
from suishoupai.cases.states import FAMILY, State
from suishoupai.catalog.models import Category, FilingCondition
from suishoupai.encoders import LocalTimeEncoder
from suishoupai.errors import DomainError, InvalidInput
from suishoupai.features import allow_features
from suishoupai.officialaccount import identity
from suishoupai.places.coords import to_wgs84
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.selectors import locate, nearest
from suishoupai.places.tiles import map_config
from suishoupai.timelimits.models import Stage
from suishoupai.timelimits.selectors import limit_order, limit_words, stage_limit

from . import selectors, services, wechat

PHONE_COOKIE = "ssp_phone"
PHONE_SALT = "citizen.phone"
PHONE_MAX_AGE = 90 * 24 * 3600
# (uses, window in seconds) per client IP or per phone.
LIMITS = {
    "code_ip": (10, 3600),
    "code_phone": (5, 3600),
    "confirm_ip": (30, 3600),
    "rating_ip": (30, 3600),
    "mine_ip": (120, 3600),
}

# The state of a case in plain words, for the person who reported it.
STATE_WORDS = {
    State.SUBMITTED: gettext_lazy("Received; the centre will check it soon"),
    State.FILED: gettext_lazy("Accepted; being sent to the department responsible"),
    State.DISPATCHED: gettext_lazy("Sent to the department responsible"),
    State.IN_PROGRESS: gettext_lazy("The department is working on it"),
    State.SUSPENDED: gettext_lazy("On hold for now (it cannot be done at the moment)"),
    State.RESOLVED: gettext_lazy("Handled; the centre is checking the result"),
    State.VERIFIED: gettext_lazy("Checked on site; about to be closed"),
    State.CLOSED: gettext_lazy("Done and closed"),
    State.REJECTED: gettext_lazy("Not taken up (see the reason)"),
    State.MERGED: gettext_lazy("Joined with an earlier report of the same problem"),
    State.VOIDED: pgettext_lazy("case state for the reporter", "Cancelled"),
}

# Strings the pages' scripts show, translated here ("%(name)s" is filled in by SSP.t).
JS_STRINGS = {
    "triage_auto": gettext_lazy("Chose “%(name)s” from your description; you can change it."),
    "triage_out": gettext_lazy(
        "This may not be a city-management problem. You can still send it; an operator will "
        "check it and tell you where it belongs."
    ),
    "triage_out_reason": gettext_lazy(
        "This may not be a city-management problem: it sounds like %(agency)s. You can still "
        "send it; an operator will check it and tell you where it belongs."
    ),
    "network": gettext_lazy("The network is not available. Please try again."),
    "server_error": gettext_lazy("Something went wrong on our side. Please try again later."),
    "date_format": gettext_lazy("%(m)s/%(d)s %(hh)s:%(mm)s"),
    "too_many_photos": gettext_lazy("At most %(n)s photos."),
    "not_a_photo": gettext_lazy(
        "%(names)s is not a photo: please choose a JPEG, PNG, WebP or HEIC picture."
    ),
    "list_sep": gettext_lazy(", "),
    "no_preview": gettext_lazy("Photo (no preview)"),
    "photo_too_big": gettext_lazy("This photo is larger than %(mb)s MB even after shrinking."),
    "remove_photo": gettext_lazy("Remove photo %(n)s"),
    "photo_n": gettext_lazy("Photo %(n)s"),
    "from_photo": gettext_lazy("Position taken from the photo. Drag the pin if it is not right."),
    "from_map": gettext_lazy("Position chosen on the map."),
    "from_gps": gettext_lazy("Your position. Drag the pin if it is not right."),
    "draft_filled": gettext_lazy(
        "Filled in with what you sent in the WeChat chat: choose the kind of problem and send."
    ),
    "from_chat": gettext_lazy(
        "The place you sent in the WeChat chat. Drag the pin if it is not right."
    ),
    "locating": gettext_lazy("Finding your position…"),
    "no_geolocation": gettext_lazy("This browser cannot find your position: tap the map."),
    "geolocation_failed": gettext_lazy(
        "Your position could not be found (is location allowed?). Tap the map instead."
    ),
    "limit_range": gettext_lazy("%(shortest)s to %(longest)s"),
    "centre_decides": gettext_lazy("The centre will decide"),
    "handle_within": gettext_lazy("handled within %(limit)s once filed"),
    "no_photo": gettext_lazy("No photo"),
    "photo_pending": gettext_lazy("Photo being prepared"),
    "photo_not_public": gettext_lazy("Photo not shown"),
    "not_yet": gettext_lazy("Not yet"),
    "me_too": gettext_lazy("Me too"),
    "metres": gettext_lazy("%(n)s m away"),
    "supports": gettext_lazy("%(n)s said me too"),
    "supports_now": gettext_lazy("%(n)s people have now reported this problem too."),
    "already_supported": gettext_lazy(
        "You had already said me too for this case (%(n)s in all). Thank you."
    ),
    "near_street": gettext_lazy("near %(name)s (%(m)s m)"),
    "outside_districts": gettext_lazy("Outside the districts we serve"),
    "address_other_district": gettext_lazy(
        "The address says %(address)s, but the pin is in %(pin)s. "
        "Please move the pin or correct the address."
    ),
    "need_place": gettext_lazy("Please choose the place on the map or use your position."),
    "outside": gettext_lazy("This place is outside the area we serve. Please check the location."),
    "need_category": gettext_lazy("Please choose the kind of problem."),
    "need_description": gettext_lazy("Please describe the problem."),
    "bad_phone": gettext_lazy("Please enter a valid phone number."),
    "photos_busy": gettext_lazy("The photos are still being prepared; a moment please."),
    "uploading": gettext_lazy("Sending…"),
    "retrying": gettext_lazy("Sending again (%(n)s of %(max)s)…"),
    "network_wait": gettext_lazy("Weak network: trying again in %(s)s s…"),
    "gave_up": gettext_lazy(
        "Sending failed: the network is too weak. Tap Send again when you have a signal; "
        "the report will not be filed twice."
    ),
    "accept_by": gettext_lazy("The centre will look at it by %(when)s"),
    "accept_within": gettext_lazy("The centre will look at it within %(limit)s"),
    "sentence_sep": gettext_lazy("; "),
    "due": gettext_lazy("Deadline: %(when)s"),
    "merged": gettext_lazy("Joined with case %(n)s: its progress is shown below."),
    "step_registered": pgettext_lazy("case step", "Registered"),
    "step_filed": pgettext_lazy("case step", "Filed"),
    "step_dispatched": pgettext_lazy("case step", "Dispatched"),
    "step_handled": pgettext_lazy("case step", "Handled"),
    "step_verified": pgettext_lazy("case step", "Verified"),
    "step_closed": pgettext_lazy("case step", "Closed"),
    "department": gettext_lazy("Department: %(name)s"),
    "dispatched_to": gettext_lazy("Dispatched to %(name)s"),
    "day_format": gettext_lazy("%(m)s/%(d)s"),
    "rated_satisfied": gettext_lazy("You rated: satisfied"),
    "rated_basically_satisfied": gettext_lazy("You rated: basically satisfied"),
    "rated_unsatisfied": gettext_lazy("You rated: unsatisfied"),
    "rating_change": gettext_lazy("You can change your rating within %(days)s days of giving it."),
    "need_rating": gettext_lazy("Please choose satisfied, basically satisfied or unsatisfied."),
    "thanks_rating": gettext_lazy("Thank you for your rating."),
    "code_sent": gettext_lazy("Code sent by SMS; valid for %(m)s minutes."),
    "resend_in": gettext_lazy("Resend in %(s)s s"),
    "resend": gettext_lazy("Send code again"),
    "link_expired": gettext_lazy(
        "This link has expired. Confirm your phone number below to open your report."
    ),
    "not_your_number": gettext_lazy(
        "This number was not given with this report. Try the number you reported with."
    ),
}

# ------------------------------------------------------------------ helpers


def _phone(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(
        PHONE_COOKIE, default=None, salt=PHONE_SALT, max_age=PHONE_MAX_AGE
    )


def _limit(request: HttpRequest, scope: str, key: str | None = None) -> None:
    uses, window = LIMITS[scope]
    ratelimit.check(
        f"citizen.{scope}",
        key or ratelimit.client_ip(request),
        uses,
        window,
        _("Too many attempts in a short time. Please wait a while and try again."),
    )


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return data


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        safe=False,
        encoder=LocalTimeEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


def error_for(
    request: HttpRequest, status: int, message: str, code: str, field: str | None = None
) -> JsonResponse:
    """Errors raised outside these views (suishoupai.http_errors) in their own shape."""
    errors = [{"field": field, "message": message}] if field else []
    return _json({"detail": message, "code": code, "errors": errors}, status=status)


def json_view(view: Callable) -> Callable:
    """Domain errors as the API's error shape: {detail, code, errors: [{field, message}]}."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
            body = {"detail": exc.message, "code": exc.code, "errors": errors}
            return _json(body, status=exc.status)

    return wrapper


def _catalogue() -> list[dict]:
    """Categories for the picker, with the handling time limits that apply to each."""
    conditions = FilingCondition.objects.filter(active=True, subcategory__active=True)
    # Each limit in words with a rough length, so the page can say "shortest to longest".
    limits: dict[int, list[dict]] = {}
    for cond in conditions.order_by("limit_unit", "limit_amount"):
        words = limit_words(cond.limit_amount, cond.limit_unit)
        order = limit_order(cond.limit_amount, cond.limit_unit)
        bucket = limits.setdefault(cond.subcategory_id, [])
        if all(limit["words"] != words for limit in bucket):
            bucket.append({"words": words, "order": order})
    cats = Category.objects.filter(active=True).prefetch_related("subcategories")
    return [
        {
            "code": c.code,
            "name": c.local_name,
            "icon": c.icon,
            "hint": c.local_hint,
            "subcategories": [
                {
                    "code": s.code,
                    "name": s.local_name,
                    "hint": s.hint,
                    "limits": limits.get(s.pk, []),
                }
                for s in c.subcategories.all()
                if s.active
            ],
        }
        for c in cats
    ]


def _accept_words() -> str:
    limit = stage_limit(Stage.ACCEPT)
    return limit_words(Decimal(limit[0]), limit[1]) if limit else ""


def _page(request: HttpRequest, template: str, **context) -> HttpResponse:
    strings = {k: str(v) for k, v in JS_STRINGS.items()}
    response = render(request, template, {"strings": strings, **context})
    # Pages carry no personal data (that comes by XHR), but the CSRF cookie is per person.
    response["Cache-Control"] = "private, no-cache"
    return response


def _strings() -> dict:
    return {str(k): str(v) for k, v in STATE_WORDS.items()}


# ------------------------------------------------------------------ pages


@require_GET
@ensure_csrf_cookie
@allow_features("camera", "geolocation")  # the photo and "use my position"
def report(request: HttpRequest) -> HttpResponse:
    if bounce := wechat.oauth_bounce(request):
        return bounce
    return _page(
        request,
        "citizen/report.html",
        active="report",
        config={
            "categories": _catalogue(),
            "map": map_config() | {"streets": selectors.has_streets()},
            "max_photos": settings.PHOTO_MAX_COUNT,
            "max_bytes": settings.PHOTO_MAX_BYTES,
            "accept_limit": _accept_words(),
            # Inside WeChat: wx.config for the JS-SDK (photos, position); None elsewhere.
            "wechat": wechat.jssdk_config(request),
        },
        max_mb=settings.PHOTO_MAX_BYTES // (1024 * 1024),
        max_photos=settings.PHOTO_MAX_COUNT,
    )


@require_GET
@ensure_csrf_cookie
def mine(request: HttpRequest) -> HttpResponse:
    if bounce := wechat.oauth_bounce(request):
        return bounce
    phone = _phone(request)
    return _page(
        request,
        "citizen/mine.html",
        active="mine",
        phone_masked=_mask(phone) if phone else "",
        wechat_known=identity.openid(request) is not None,
        config={"states": _strings()},
    )


@require_GET
@ensure_csrf_cookie
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    if bounce := wechat.oauth_bounce(request):
        return bounce
    return _page(
        request,
        "citizen/case.html",
        number=number,
        config={
            "number": number,
            "states": _strings(),
            "rating_days": settings.RATING_CHANGE_WINDOW_DAYS,
        },
    )


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


# ------------------------------------------------------------------ JSON


@require_GET
@cache_control(public=True, max_age=3600)
def districts(request: HttpRequest) -> JsonResponse:
    return _json(selectors.outlines(AreaLevel.DISTRICT))


@require_GET
@cache_control(public=True, max_age=3600)
def streets(request: HttpRequest) -> JsonResponse:
    return _json(selectors.outlines(AreaLevel.STREET))


# A pin this close to a street (街道) outline, outside every one, is said to be next to it.
STREET_NEAR_M = 300


def _point(request: HttpRequest) -> tuple[float, float]:
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        raise InvalidInput(_("The position is missing or not a number."), field="lat") from None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("The position is outside the map."), field="lat")
    try:
        return to_wgs84(lat, lng, request.GET.get("coord_system", "wgs84"))
    except ValueError:
        raise InvalidInput(_("Unknown coordinate system."), field="coord_system") from None


@require_GET
@json_view
def place(request: HttpRequest) -> JsonResponse:
    """Where the pin is, in names, asked again as it moves: the district and the street (街道)
    that hold it, or the street it is next to. Names only: no routing, no cases."""
    lat, lng = _point(request)
    where = locate(lat, lng)
    near = nearest(AreaLevel.STREET, lat, lng, STREET_NEAR_M)
    street = {**_area(near[0]), "distance_m": round(near[1])} if near else None
    district = _area(where.district) if where.district else None
    return _json(
        {"in_service": case_services.in_service(where), "district": district, "street": street}
    )


def _area(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "name_en": area.name_en}


def _token(request: HttpRequest) -> str | None:
    return request.headers.get("X-Case-Token") or None


def _grant(request: HttpRequest) -> str | None:
    # The signed link of a message (cases.links), passed on by case.js from the fragment.
    return request.headers.get("X-Case-Grant", "")[:100] or None


def _own(case: Case) -> dict:
    data = present_private(case)
    data["state_words"] = str(STATE_WORDS[State(case.state)])
    return data


def _reporter_case(request: HttpRequest, number: str) -> Case:
    """The case, if this browser holds its token, its message link, the confirmed phone
    it was sent with, or the WeChat follower who sent it."""
    return selectors.own_case(
        number,
        _token(request),
        _phone(request),
        openid=identity.openid(request),
        grant=_grant(request),
    )


@require_GET
@json_view
def own_case(request: HttpRequest, number: str) -> JsonResponse:
    case = _reporter_case(request, number)
    response = _json(_own(case))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@json_view
def public_case(request: HttpRequest, number: str) -> JsonResponse:
    """Anyone's view of a public case (受理、处置、评价全过程公开): the public timeline
    and its photos, no personal data. The page falls back to it without a token."""
    case = case_selectors.public_case(number)
    data = present_public_detail(case)
    data["state_words"] = str(STATE_WORDS[State(case.state)])
    data["photos"] = [p for event in data["timeline"] for p in event["photos"]]
    data["public_view"] = True
    return _json(data)


@require_POST
@json_view
def rate(request: HttpRequest, number: str) -> JsonResponse:
    _limit(request, "rating_ip")
    case = _reporter_case(request, number)
    data = _body(request)
    raw = data.get("stars")
    try:
        stars = int(str(raw)) if raw not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidInput(_("Stars must be between 1 and 5."), field="stars") from None
    # The rating's rules (values, stars, comment length) are the service's.
    comment = str(data.get("comment") or "")
    case_services.rate(case, rating=str(data.get("rating") or ""), stars=stars, comment=comment)
    return _json(_own(_reporter_case(request, number)))


@require_POST
@json_view
def mine_data(request: HttpRequest) -> JsonResponse:
    _limit(request, "mine_ip")
    items = _body(request).get("cases") or []
    pairs = [
        (str(i.get("number", ""))[:20], str(i.get("token", ""))[:64])
        for i in items
        if isinstance(i, dict)
    ]
    cases = selectors.mine(pairs, _phone(request), identity.openid(request))
    return _json(
        {
            "phone": _mask(p) if (p := _phone(request)) else None,
            "cases": [
                {
                    "number": c.number,
                    "category": c.category.local_name,
                    "address": c.address,
                    "state": c.state,
                    "state_label": str(State(c.state).label),
                    "family": FAMILY[c.state],
                    "state_words": str(STATE_WORDS[State(c.state)]),
                    "created_at": c.created_at,
                    "due_at": c.due_at,
                    "rating": c.rating or None,
                }
                for c in cases
            ],
        }
    )


@require_POST
@json_view
def phone_code(request: HttpRequest) -> JsonResponse:
    phone = services.normalise_phone(str(_body(request).get("phone") or ""))
    _limit(request, "code_ip")
    _limit(request, "code_phone", phone)
    services.send_code(phone)
    return _json({"sent": True, "minutes": settings.PHONE_CODE_MINUTES})


@require_POST
@json_view
def phone_confirm(request: HttpRequest) -> JsonResponse:
    _limit(request, "confirm_ip")
    data = _body(request)
    phone = services.confirm_code(str(data.get("phone") or ""), str(data.get("code") or ""))
    response = _json({"confirmed": True, "phone": _mask(phone)})
    response.set_signed_cookie(
        PHONE_COOKIE,
        phone,
        salt=PHONE_SALT,
        max_age=PHONE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_POST
def phone_forget(request: HttpRequest) -> JsonResponse:
    response = _json({"confirmed": False})
    response.delete_cookie(PHONE_COOKIE, samesite="Lax")
    return response


@require_POST
@json_view
def qr(request: HttpRequest) -> HttpResponse:
    """The QR code of a follow link, drawn here so no third-party service sees the link.

    POST, so the link (with its token) never lands in an access log.
    """
    text = str(_body(request).get("text") or "")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.path.startswith("/m/cases/"):
        raise InvalidInput(_("Only links to these pages can be drawn."), field="text")
    if len(text) > 300:
        raise InvalidInput(_("The link is too long."), field="text")
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#111")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
