"""Permissions-Policy: which browser features a page may use.

Every response refuses the camera, the position and the rest; a view that needs one
says so with `allow_features` (the citizens' report page: camera and position; the
inspector's verify list: position). Core, not an interface: every interface's views
use it (the layering test keeps interfaces from importing each other).
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

# Browser features no page needs: refused for every page unless its view allows one.
FEATURES = ("camera", "geolocation", "microphone", "payment", "usb", "serial", "bluetooth")


def allow_features(*features: str) -> Callable:
    """A view that needs the camera or the position (the report page) says so."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.headers["Permissions-Policy"] = permissions_policy(set(features))
            return response

        return wrapper

    return decorate


def permissions_policy(allowed: set[str]) -> str:
    return ", ".join(f"{f}=(self)" if f in allowed else f"{f}=()" for f in FEATURES)


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response; only views marked `allow_features` open any."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", permissions_policy(set()))
        return response
