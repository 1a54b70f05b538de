"""Cached answers of the Open311 search (`GET requests.json|xml`): the same search by
the same reader, in the same language, is answered from Django's cache (shared by every
process: the database table, or Redis) instead of presenting up to 1,000 cases again.

Every answer carries a generation: a case event (cases.signals.event_committed), a saved
case or a saved photo (its public copy made, redacted, hidden) starts a new one once
committed, in every process, so the next search is presented afresh (an answer computed
from the old state is stored under the old generation, which nobody reads any more).
What moves without either, the window's edge (cases leaving the default last 90 days)
and a catalogue name changed in the admin, shows within OPEN311_CACHE_SECONDS. 0 (the
tests) turns the cache off.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

GENERATION = "open311:generation"


def new_generation(**_kwargs: Any) -> None:
    """Receiver: what a search answers may have changed; a new generation once the
    transaction commits (an answer computed before that is stored under the old one)."""
    if settings.OPEN311_CACHE_SECONDS:
        transaction.on_commit(lambda: cache.set(GENERATION, uuid.uuid4().hex, None))


def _generation() -> str:
    current = cache.get(GENERATION)
    if current is None:
        cache.add(GENERATION, uuid.uuid4().hex, None)
        current = cache.get(GENERATION) or "none"
    return current


def cached(parts: Iterable[Any], compute: Callable[[], bytes]) -> bytes:
    """The body for these key `parts` (format, reader, query, …), computed when absent."""
    seconds = settings.OPEN311_CACHE_SECONDS
    if not seconds:
        return compute()
    digest = hashlib.sha256(repr((*parts, get_language())).encode()).hexdigest()
    key = f"open311:answer:{_generation()}:{digest}"
    body = cache.get(key)
    if body is None:
        body = compute()
        cache.set(key, body, seconds)
    return body
