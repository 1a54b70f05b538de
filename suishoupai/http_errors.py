"""Errors raised around a view, in the format of the interface the request was for.

A view answers its own errors (the API's JSON, Open311's error list). But some are
raised before any view runs or outside it: the request guard (oversized or
malformed bodies, control characters, over-long addresses), Django's upload
parser, the URL resolver (404), an unexpected exception (500). Those come here,
and every interface answers them in its own format, whatever layer raised them.

Each interface names its renderer for its URL prefix in `settings.ERROR_FORMATS`
(imported lazily: the core never imports an interface). Pages get Django's own
error pages.
"""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults

# renderer(request, status, message, code, field) -> HttpResponse
Renderer = Callable[[HttpRequest, int, str, str, str | None], HttpResponse]


@cache
def _renderers() -> list[tuple[str, Renderer]]:
    return [(prefix, import_string(path)) for prefix, path in settings.ERROR_FORMATS.items()]


def renderer_for(request: HttpRequest) -> Renderer | None:
    path = request.path_info
    return next((r for prefix, r in _renderers() if path.startswith(prefix)), None)


def respond(
    request: HttpRequest, status: int, message: str, code: str, field: str | None = None
) -> HttpResponse | None:
    """The interface's own error response, or None for a page (Django's page then)."""
    render = renderer_for(request)
    return render(request, status, message, code, field) if render else None


def plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# ------------------------------------------------------------------ Django's handlers
# Wired in suishoupai/urls.py (handler400 …). Django calls these for exceptions that
# reach the top: SuspiciousOperation (400), PermissionDenied (403), Http404 and an
# unmatched URL (404), anything else (500).


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _("The request could not be understood.")
    return respond(request, 400, message, "bad_request") or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _("You may not do this.")
    return respond(request, 403, message, "forbidden") or defaults.permission_denied(
        request, exception
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _("There is nothing at this address.")
    return respond(request, 404, message, "not_found") or defaults.page_not_found(
        request, exception
    )


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side. Please try again later.")
    return respond(request, 500, message, "server_error") or defaults.server_error(request)
