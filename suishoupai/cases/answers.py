"""Public answers about one case, kept in Django's cache (shared by every process: the
database table, or Redis) so that a case read a hundred times a minute is presented once.

An interface caches the bytes it answers for a public case under the case's number, the
language and the case's current version (`cached`). The case's next event
(signals.event_committed), a save of the case or of one of its photos (a public copy
made, redacted, hidden) gives it a new version once committed, in every process, so the
next read presents it afresh; an answer computed from the old state can only be stored
under the old version, which nobody reads any more. What changes without either (a
catalogue name edited in the admin) shows within PUBLIC_ANSWER_CACHE_SECONDS. 0 (the
tests) turns it off.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language


def _version_key(number: str) -> str:
    return f"case:public:version:{number}"


def cached(number: str, kind: str, compute: Callable[[], bytes]) -> bytes:
    """The public answer of `kind` (e.g. "api") for case `number`, computed when absent."""
    seconds = settings.PUBLIC_ANSWER_CACHE_SECONDS
    if not seconds:
        return compute()
    version = cache.get(_version_key(number))
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_version_key(number), version, None)
        version = cache.get(_version_key(number), version)
    key = f"case:public:{kind}:{number}:{get_language() or settings.LANGUAGE_CODE}:{version}"
    body = cache.get(key)
    if body is None:
        body = compute()
        cache.set(key, body, seconds)
    return body


def forget(number: str) -> None:
    """The case's public answers are out of date, once the current transaction commits."""
    if settings.PUBLIC_ANSWER_CACHE_SECONDS and number:
        key = _version_key(number)
        transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def on_event(event: Any, **_kwargs: Any) -> None:
    forget(event.case.number)


def on_case_saved(instance: Any, **_kwargs: Any) -> None:
    forget(instance.number)


def on_photo_saved(instance: Any, **_kwargs: Any) -> None:
    if settings.PUBLIC_ANSWER_CACHE_SECONDS and instance.case_id:
        forget(instance.case.number)
