"""Who a citizen is inside WeChat: their openid, learnt silently by OAuth
(snsapi_base) and kept in a signed, HttpOnly cookie on their own phone.

A core module so that every interface reads it the same way (the citizen pages
for "my reports", the report API to link a new case to the follower) without
importing one another. The openid is personal data: it is never put in a page,
a URL, a log line or an export.
"""

import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from suishoupai.errors import InvalidInput

from .config import api_base, enabled

if TYPE_CHECKING:
    from wechatpy.oauth import WeChatOAuth

OPENID_COOKIE = "ssp_wx"
OPENID_SALT = "officialaccount.openid"
OPENID_MAX_AGE = 90 * 24 * 3600
# The OAuth round trip: the state sent to WeChat and the page to come back to.
STATE_COOKIE = "ssp_wx_state"
STATE_SALT = "officialaccount.oauth-state"
STATE_MAX_AGE = 600
# After a failed round trip, pages stop bouncing to WeChat for a while (no loop).
TRIED_COOKIE = "ssp_wx_tried"
TRIED_MAX_AGE = 600


def in_wechat(request: HttpRequest) -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def openid(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(
        OPENID_COOKIE, default=None, salt=OPENID_SALT, max_age=OPENID_MAX_AGE
    )
    return value or None


def remember(response: HttpResponse, value: str) -> None:
    response.set_signed_cookie(
        OPENID_COOKIE,
        value,
        salt=OPENID_SALT,
        max_age=OPENID_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(OPENID_COOKIE, samesite="Lax")


def wants_oauth(request: HttpRequest) -> bool:
    """Inside WeChat, with the account configured, not known yet, not just failed."""
    return (
        enabled()
        and in_wechat(request)
        and openid(request) is None
        and TRIED_COOKIE not in request.COOKIES
    )


def gave_up(response: HttpResponse) -> HttpResponse:
    """The round trip failed: the pages work without identity for a while."""
    response.set_cookie(TRIED_COOKIE, "1", max_age=TRIED_MAX_AGE, httponly=True, samesite="Lax")
    response.delete_cookie(STATE_COOKIE, samesite="Lax")
    return response


# ---------------------------------------------------------------- OAuth (snsapi_base)


def _oauth(redirect_uri: str, state: str = "") -> "WeChatOAuth":
    # wechatpy is imported when WeChat is asked, not when a web worker starts.
    from wechatpy.oauth import WeChatOAuth

    from .client import TimeoutSession

    oauth = WeChatOAuth(
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET, redirect_uri, "snsapi_base", state
    )
    oauth.API_BASE_URL = f"{api_base()}/"
    oauth._http = TimeoutSession()
    return oauth


def safe_next(path: str, default: str) -> str:
    """Only a path on this site: never an open redirect."""
    parts = urlsplit(path or "")
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return default
    return path


def start(redirect_uri: str, next_path: str) -> HttpResponseRedirect:
    """Send the browser to WeChat's silent authorisation; it comes back to
    `redirect_uri` with ?code=&state=. The state is kept in a short-lived signed
    cookie with the page to return to, and checked on the way back."""
    state = secrets.token_urlsafe(16)
    response = HttpResponseRedirect(_oauth(redirect_uri, state).authorize_url)
    response.set_signed_cookie(
        STATE_COOKIE,
        f"{state}|{next_path}",
        salt=STATE_SALT,
        max_age=STATE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def finish(request: HttpRequest, redirect_uri: str) -> tuple[str, str]:
    """(openid, next path) after WeChat's redirect back. InvalidInput when the
    state does not match the one this browser was sent with, or WeChat refuses
    the code (used twice, expired)."""
    kept = request.get_signed_cookie(
        STATE_COOKIE, default="", salt=STATE_SALT, max_age=STATE_MAX_AGE
    )
    state, _sep, next_path = (kept or "").partition("|")
    given = request.GET.get("state", "")
    failed = _("Signing in with WeChat did not work. Please open the page again.")
    if not state or not hmac.compare_digest(state, given):
        raise InvalidInput(failed, code="oauth_state")
    code = request.GET.get("code", "")
    if not code:
        raise InvalidInput(failed, code="oauth_denied")
    from wechatpy.exceptions import WeChatOAuthException

    try:
        answer = _oauth(redirect_uri).fetch_access_token(code)
    except WeChatOAuthException:
        raise InvalidInput(failed, code="oauth_code") from None
    return answer["openid"], next_path


def finished(response: HttpResponse, value: str) -> HttpResponse:
    remember(response, value)
    response.delete_cookie(STATE_COOKIE, samesite="Lax")
    return response
