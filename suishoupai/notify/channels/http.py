"""A small JSON-over-HTTP client on urllib for the webhook and SMS channels."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from .base import PermanentError

# Worth retrying: the receiver may be fine again in a minute.
TRANSIENT_STATUS = {408, 425, 429}


def request(url: str, *, body: bytes | None = None, headers: dict | None = None) -> bytes:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    if body is not None:
        req.add_header("Content-Type", "application/json; charset=utf-8")
    try:
        with urllib.request.urlopen(req, timeout=settings.NOTIFY_HTTP_TIMEOUT) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        detail = f"HTTP {exc.code} from {_host(url)}"
        if 400 <= exc.code < 500 and exc.code not in TRANSIENT_STATUS:
            raise PermanentError(detail) from None
        raise ConnectionError(detail) from None


def post_json(url: str, data: dict, headers: dict | None = None) -> bytes:
    return request(url, body=encode(data), headers=headers)


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _host(url: str) -> str:
    # Errors are shown in the admin: never echo query strings (they may carry keys).
    return urlsplit(url).netloc
