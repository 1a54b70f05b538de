import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _

from suishoupai import http_errors
from suishoupai.text import has_forbidden

from .uploads import FileTooLarge

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """Simplified Chinese unless someone chose otherwise.

    Pages ignore the browser's Accept-Language (an intranet PC set up in English
    should still show the city's Chinese UI); a person switches with ?lang=en,
    remembered in a cookie. API clients choose with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.GET.get("lang")
        lang = chosen or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not lang and request.path.startswith("/api/"):
            lang = translation.get_language_from_request(request)
        if lang not in SUPPORTED:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        if chosen in SUPPORTED:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax", max_age=365 * 24 * 3600
            )
        return response


class RequestGuardMiddleware:
    """Refuse a request that cannot be served before anything reads it whole.

    First in the stack, so its answers are the earliest possible, and in the
    format of the interface the request was for (suishoupai.http_errors):
    - an address longer than REQUEST_MAX_URI_BYTES: 414;
    - a body larger than the limit its content type allows, by Content-Length,
      before a byte of it is read: 413 (multipart: REQUEST_MAX_BYTES, whose files
      stream to temporary files and stop at PHOTO_MAX_BYTES each, see
      web.uploads; anything else: DATA_UPLOAD_MAX_MEMORY_SIZE);
    - what Django's parser refuses (too many fields or files, a broken
      multipart body): 400;
    - text with invisible control characters (suishoupai.text, the one rule) in
      the path, the query string, form fields or any other body whatever its
      declared type: 400. Uploaded files are bytes and are not looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refusal = self._refusal(request)
        except RequestDataTooBig:
            refusal = (413, self._too_big(request), "too_large", None)
        except TooManyFieldsSent:
            refusal = (400, _("The request has too many fields."), "too_many_fields", None)
        except TooManyFilesSent:
            message = _("At most %(n)d photos can be sent at once.") % {
                "n": settings.PHOTO_MAX_COUNT
            }
            refusal = (400, message, "too_many_files", "photos")
        except FileTooLarge as exc:
            refusal = (400, exc.message, "invalid_input", "photos")
        except (MultiPartParserError, UnreadablePostError):
            message = _("The uploaded form could not be read. Please send it again.")
            refusal = (400, message, "malformed_body", None)
        if refusal is None:
            return self.get_response(request)
        status, message, code, field = refusal
        return http_errors.respond(request, status, message, code, field) or http_errors.plain(
            status, message
        )

    def _refusal(self, request: HttpRequest) -> tuple[int, str, str, str | None] | None:
        query = request.META.get("QUERY_STRING", "")
        if len(request.path) + len(query) > settings.REQUEST_MAX_URI_BYTES:
            message = _("The address is too long (at most %(n)d characters).") % {
                "n": settings.REQUEST_MAX_URI_BYTES
            }
            return 414, message, "uri_too_long", None
        limit = self._body_limit(request)
        if self._content_length(request) > limit:
            return 413, self._too_big(request), "too_large", None
        if self._has_forbidden(request):
            message = _(
                "The request contains an invisible control character (such as NUL). "
                "Please remove it."
            )
            return 400, message, "invalid_input", None
        return None

    @staticmethod
    def _content_length(request: HttpRequest) -> int:
        try:
            return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
        except ValueError:
            return 0

    @staticmethod
    def _body_limit(request: HttpRequest) -> int:
        if request.content_type == "multipart/form-data":
            return settings.REQUEST_MAX_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def _too_big(self, request: HttpRequest) -> str:
        mb = self._body_limit(request) / (1024 * 1024)
        return _("The request is too large (at most %(mb)s MB).") % {"mb": f"{mb:g}"}

    @staticmethod
    def _has_forbidden(request: HttpRequest) -> bool:
        if has_forbidden(request.path):
            return True
        if any(has_forbidden(k) or has_forbidden(v) for k, v in _items(request.GET)):
            return True
        if not RequestGuardMiddleware._content_length(request):
            return False
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            length = RequestGuardMiddleware._content_length(request)
            if length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                # Small: kept in memory first, so that a view may still read the raw
                # body (Ninja's JSON bodies) after the form was parsed from it. A larger
                # multipart body is parsed as it streams in (its files to temporary
                # files) and only the form is readable afterwards.
                request.body  # noqa: B018
            return any(has_forbidden(k) or has_forbidden(v) for k, v in _items(request.POST))
        return _body_has_forbidden(request.body)


def _items(query) -> Iterator[tuple[str, str]]:
    for key, values in query.lists():
        for value in values:
            yield key, value


def _body_has_forbidden(body: bytes) -> bool:
    """Any other body, whatever its declared type (the API reads JSON sent as text/plain):
    the raw text, and the strings of JSON, whose escapes (\\u0001, \\b) hide them."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return False  # not text: the view refuses what it cannot read
    if has_forbidden(text):
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return _json_has_forbidden(data)


def _json_has_forbidden(value: Any) -> bool:
    if isinstance(value, str):
        return has_forbidden(value)
    if isinstance(value, dict):
        return any(has_forbidden(k) or _json_has_forbidden(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_forbidden(v) for v in value)
    return False
