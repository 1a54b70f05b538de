"""Structured logs: one JSON object per line, and one line per request.

Behind settings: LOG_FORMAT=json switches every log line to JSON (for a log
shipper); LOG_REQUESTS (on by default with JSON) adds one line per request with
its method, path, status, duration and user id. Nothing that identifies a
citizen or grants access is written: no query string at all (tokens travel
there), token path segments are masked, and as a last guard every JSON line has
mobile numbers and bearer/query tokens masked whatever logged them.
"""

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

request_log = logging.getLogger("suishoupai.request")

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',]+")
_QUERY_SECRET = re.compile(r"(?i)\b(token|t|key|api_key|code)=[^&\s\"']+")
_TOKEN_SEGMENT = re.compile(r"(/tokens/)[^/]+")

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    text = _MOBILE.sub(r"\1****\2", text)
    text = _BEARER.sub(r"\1[redacted]", text)
    return _QUERY_SECRET.sub(r"\1=[redacted]", text)


def safe_path(path: str) -> str:
    return redact(_TOKEN_SEGMENT.sub(r"\1[redacted]", path))


class TextFormatter(logging.Formatter):
    """The default plain lines, masked the same way: the demo's console channel and any
    other logger may name a citizen's phone."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _user_id(request: HttpRequest) -> int | None:
    # Only a user the request already looked up: logging must not cost a query.
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = request.__dict__.get("_cached_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.enabled = settings.LOG_REQUESTS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = safe_path(request.path)
        request_log.info(
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
            },
        )
        return response
