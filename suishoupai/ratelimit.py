"""Fixed-window rate limits shared by every web process.

Counters live in Django's cache: the database cache by default (one table, no
extra service, shared by all granian workers), Redis when CACHE_REDIS_URL is set.
A window is a whole number of seconds; the counter's key names the window, so
an old window simply expires.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from suishoupai.errors import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def hit(scope: str, key: str, limit: int, window_seconds: int, *, now: float | None = None) -> bool:
    """Count one use of `scope` by `key`; False once `limit` uses in this window are spent."""
    limit *= settings.RATE_LIMIT_FACTOR
    window = int((time.time() if now is None else now) // window_seconds)
    # Hash the key: it may be a phone number or an address, and cache keys are logged.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"rl:{scope}:{digest}:{window}"
    if cache.add(name, 1, timeout=window_seconds * 2):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit


def check(scope: str, key: str, limit: int, window_seconds: int, message: str | None = None):
    """Raise RateLimited (HTTP 429, a message a person understands) past the limit."""
    if not hit(scope, key, limit, window_seconds):
        raise RateLimited(
            message or _("Too many requests. Please wait a little and try again."), field=None
        )


def client_ip(request) -> str:
    # Behind our one TLS proxy the client is the LAST X-Forwarded-For hop: the one the
    # proxy appended. Earlier hops come from the client and can be forged to dodge limits.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
