from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
