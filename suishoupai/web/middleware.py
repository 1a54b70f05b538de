from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

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


class RejectNulMiddleware:
    """Refuse text with a NUL character anywhere in a request's fields (400).

    No person types one, PostgreSQL cannot store one in a text column (the query
    fails with a DataError, a 500), and SQLite would store it silently. Checked
    once here instead of in every form and schema: query strings, form fields
    (not uploaded files, whose bytes are binary) and JSON bodies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = _("The request contains an invisible NUL character. Please remove it.")
            if request.path.startswith("/api/"):
                body = {"detail": message, "code": "invalid_input", "errors": []}
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            # A raw NUL byte, or the JSON escape that decodes to one.
            return b"\x00" in request.body or b"\\u0000" in request.body
        if request.method == "POST" and content_type in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            return any("\x00" in v for values in request.POST.lists() for v in values[1])
        return False
