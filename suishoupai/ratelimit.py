"""Fixed-window rate limits shared by every web process.

Counters live in Django's cache: the database cache by default (one table, no
extra service, shared by all granian workers), Redis when CACHE_REDIS_URL is set.
A window is a whole number of seconds; the counter's key names the window, so
an old window simply expires.

On the database cache a counter is one statement (`_db_count`: an upsert that
returns the new count, in the cache's own table under keys Django's cache never
reads), where the cache API took eleven (add, then get and set, each with its own
transaction and a COUNT(*) for culling): on the Open311 reads that was most of
their SQL.
"""

import hashlib
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
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
    if _db_cache_table():
        return _db_count(name, window_seconds) <= limit
    if cache.add(name, 1, timeout=window_seconds * 2):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit


# Counter rows in the database cache's table: a prefix no key Django's cache makes can have
# (those start with ":<version>:"), so cache.get never unpickles one.
DB_PREFIX = "ratelimit|"


def _db_cache_table() -> str | None:
    conf = settings.CACHES["default"]
    if conf["BACKEND"] != "django.core.cache.backends.db.DatabaseCache":
        return None
    return conf["LOCATION"]


def _db_count(name: str, window_seconds: int) -> int:
    """Count one use in the cache table: one upsert that returns the new count."""
    table = connection.ops.quote_name(_db_cache_table() or "")
    expires = connection.ops.adapt_datetimefield_value(
        timezone.now() + timedelta(seconds=window_seconds * 2)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, '1', %s) "
            f"ON CONFLICT (cache_key) DO UPDATE SET "
            f"value = CAST(CAST({table}.value AS INTEGER) + 1 AS TEXT) RETURNING value",
            [DB_PREFIX + name, expires],
        )
        count = int(cursor.fetchone()[0])
        if random.random() < 0.001:  # now and then, drop the counters of past windows
            cursor.execute(
                f"DELETE FROM {table} WHERE cache_key LIKE %s AND expires < %s",
                [DB_PREFIX + "%", connection.ops.adapt_datetimefield_value(timezone.now())],
            )
    return count


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
