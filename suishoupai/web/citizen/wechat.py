"""The citizen pages inside WeChat: who the citizen is (OAuth snsapi_base), the
JS-SDK config of the report page, and the draft a chat or the JS-SDK filled.

Everything WeChat-specific the pages need comes from the core app
`officialaccount`; this module only turns it into responses. With the account
not configured none of it is reached: pages render as in any browser.
"""

import json

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suishoupai import ratelimit
from suishoupai.errors import InvalidInput, NotAllowed, NotFound
from suishoupai.officialaccount import identity, jssdk, selectors, services
from suishoupai.officialaccount.config import enabled
from suishoupai.officialaccount.models import Draft, DraftPhotoStatus

OAUTH_PATH = "/m/oauth"
JSSDK_DOWN = "wechat:jssdk:unavailable"
JSSDK_RETRY_SECONDS = 60
PHOTO_LIMIT = (60, 3600)  # JS-SDK photos registered per client IP and hour


def _callback() -> str:
    return settings.SITE_URL.rstrip("/") + OAUTH_PATH


# ------------------------------------------------------------------ identity


def oauth_bounce(request: HttpRequest) -> HttpResponse | None:
    """Inside WeChat and not known yet: a tiny page that goes through WeChat's
    silent sign-in first, keeping the whole address (#fragment too)."""
    if request.method != "GET" or not identity.wants_oauth(request):
        return None
    response = render(request, "citizen/oauth.html", {"start": f"{OAUTH_PATH}/start"})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def oauth_start(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    next_path = identity.safe_next(request.GET.get("next", ""), "/m/")
    return identity.start(_callback(), next_path)


@require_GET
def oauth_done(request: HttpRequest) -> HttpResponse:
    """WeChat's redirect back: ?code=&state=. Whatever happens the citizen lands on
    the page they opened; a failure only means the pages do without identity."""
    if not enabled():
        raise Http404
    try:
        openid, next_path = identity.finish(request, _callback())
    except InvalidInput:
        return identity.gave_up(HttpResponseRedirect("/m/"))
    response = HttpResponseRedirect(identity.safe_next(next_path, "/m/"))
    return identity.finished(response, openid)


def jssdk_config(request: HttpRequest) -> dict | None:
    """wx.config for this page, signed for the address WeChat shows (SITE_URL + path)."""
    if not (enabled() and identity.in_wechat(request)):
        return None
    if cache.get(JSSDK_DOWN):
        return None
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    try:
        return jssdk.config(url)
    except Exception:
        # WeChat unreachable or refusing: the page works with the browser's own path,
        # and the next pages do not wait for WeChat again for a minute.
        cache.set(JSSDK_DOWN, True, JSSDK_RETRY_SECONDS)
        return None


# ------------------------------------------------------------------ the draft


def _draft(request: HttpRequest) -> Draft:
    return services.draft_for_token(request.headers.get("X-Draft-Token", ""))


def _json(data, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def draft(request: HttpRequest) -> HttpResponse:
    return _json(selectors.draft_for_page(_draft(request)))


@require_GET
def draft_photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """The citizen's own chat photo, for the page's thumbnail: only with the draft's token."""
    photo = _draft(request).photos.filter(pk=photo_id, status=DraftPhotoStatus.READY).first()
    if photo is None or not photo.file:
        raise NotFound(_("No such photo."))
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def draft_add_photo(request: HttpRequest) -> HttpResponse:
    """A photo the page took with wx.chooseImage and sent to WeChat with wx.uploadImage:
    the server fetches it by its media id, like a chat photo."""
    openid = identity.openid(request)
    if not (enabled() and openid):
        raise NotAllowed(_("Open this page in WeChat to send photos this way."))
    ratelimit.check("citizen.wechat_photo", ratelimit.client_ip(request), *PHOTO_LIMIT)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise InvalidInput(_("The request body is not valid JSON.")) from None
    media_id = str(body.get("media_id") or "") if isinstance(body, dict) else ""
    token = request.headers.get("X-Draft-Token", "")
    target = services.draft_for_token(token) if token else None
    photo = services.add_page_photo(openid, media_id, draft=target)
    return _json(
        {
            "token": services.token_for(photo.draft),
            "photo": {"id": photo.pk, "status": photo.status, "error": photo.error},
        }
    )
