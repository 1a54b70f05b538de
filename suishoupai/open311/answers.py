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
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from suishoupai.cases.answers import current_version, forget_on_commit, get_or_compute

GENERATION = "open311:generation"


def new_generation(**_kwargs: Any) -> None:
    """Receiver: what a search answers may have changed; a new generation once the
    transaction commits (an answer computed before that is stored under the old one)."""
    if settings.OPEN311_CACHE_SECONDS:
        forget_on_commit(GENERATION)


def cached(parts: Iterable[Any], compute: Callable[[], bytes]) -> bytes:
    """The body for these key `parts` (format, reader, query, …), computed when absent."""
    seconds = settings.OPEN311_CACHE_SECONDS
    if not seconds:
        return compute()
    digest = hashlib.sha256(repr((*parts, get_language())).encode()).hexdigest()
    key = f"open311:answer:{current_version(GENERATION, None)}:{digest}"
    return get_or_compute(key, seconds, compute)
