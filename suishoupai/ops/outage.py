"""While the database is down: answer 503 at once instead of hanging and failing with a 500.

A request that fails with a database error (OperationalError, InterfaceError:
a refused connection, the pool's timeout) makes the gate probe the database with
its own short connection (readiness.database_problem). If the probe fails too,
the database is down: this request and every request after it get a 503 with
Retry-After straight away, in the format of the interface asked (JSON for the
APIs, Open311's error list, a short page for people), and a background thread
probes every second until the database answers again. If the probe succeeds the
error was the query's own and the 500 stands: a bug is not an outage.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from suishoupai import http_errors

from . import readiness

log = logging.getLogger("suishoupai.ops")

PROBE_INTERVAL_SECONDS = 1.0


class DatabaseGate:
    def __init__(self, probe: Callable[[], str | None] = readiness.database_problem):
        self.probe = probe
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._prober: threading.Thread | None = None

    @property
    def retry_after(self) -> int:
        return settings.DB_OUTAGE_RETRY_AFTER

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def confirm_outage(self) -> bool:
        """After a database error: is the database really unreachable? Opens the gate if so."""
        problem = self.probe()
        if problem is None:
            return False
        with self._lock:
            if not self.is_down():
                log.error("%s; answering 503 until it is back", problem)
            self._down_until = time.monotonic() + self.retry_after
            if self._prober is None or not self._prober.is_alive():
                self._prober = threading.Thread(target=self._watch, name="db-outage", daemon=True)
                self._prober.start()
        return True

    def _watch(self) -> None:
        while True:
            time.sleep(PROBE_INTERVAL_SECONDS)
            if self.probe() is None:
                with self._lock:
                    self._down_until = 0.0
                log.warning("the database answers again")
                return
            with self._lock:
                self._down_until = time.monotonic() + self.retry_after

    def reset(self) -> None:
        with self._lock:
            self._down_until = 0.0


gate = DatabaseGate()

_DB_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:  # the pool's own timeout, when psycopg's pool is installed
    from psycopg_pool import PoolTimeout

    _DB_ERRORS += (PoolTimeout,)
except ImportError:  # pragma: no cover - psycopg[pool] is a runtime dependency
    pass


@receiver(got_request_exception)
def _remember_database_errors(sender, request=None, **kwargs) -> None:
    import sys

    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, _DB_ERRORS):
        request.database_error = True  # type: ignore[attr-defined]


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if gate.is_down():
            return unavailable(request)
        response = self.get_response(request)
        if (
            response.status_code == 500
            and getattr(request, "database_error", False)
            and gate.confirm_outage()
        ):
            return unavailable(request)
        return response


def unavailable(request: HttpRequest) -> HttpResponse:
    # Maybe before the language middleware ran: the same choice it makes, cheaply.
    lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not lang and request.path.startswith("/api/"):
        lang = translation.get_language_from_request(request)
    if lang not in {code for code, _name in settings.LANGUAGES}:
        lang = settings.LANGUAGE_CODE
    with translation.override(lang):
        response = _render(request)
    response["Retry-After"] = str(gate.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _render(request: HttpRequest) -> HttpResponse:
    message = _("The service is temporarily unavailable: the database cannot be reached.")
    if request.path in ("/healthz", "/readyz", "/metrics"):
        return JsonResponse({"status": "unavailable", "failing": ["database"]}, status=503)
    # Each interface's own error format (settings.ERROR_FORMATS), as for every error raised
    # outside a view; a short page for people.
    answer = http_errors.respond(request, 503, message, "unavailable")
    if answer is not None:
        return answer
    html = render_to_string("ops/503.html", {"message": message})
    return HttpResponse(html, status=503)
