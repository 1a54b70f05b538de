"""Public answers about one case, kept in Django's cache (shared by every process: the
database table, or Redis) so that a case read a hundred times a minute is presented once.

The counts of the public lists (selectors.count_capped) are kept the same way under one
version for all cases, which any case's change removes.

An interface caches the bytes it answers for a public case under the case's number, the
language and the case's current version (`cached`). The case's next event
(signals.event_committed), a save of the case or of one of its photos (a public copy
made, redacted, hidden) removes its version once committed, in every process, so the
next read starts a new one and presents it afresh; an answer computed from the old state
can only be stored under the old version, which nobody reads any more. What changes
without either (a catalogue name edited in the admin) shows within
PUBLIC_ANSWER_CACHE_SECONDS. 0 (the tests) turns it off.
"""

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

# A version lives this long without a change; then the case's answers are made afresh.
VERSION_SECONDS = 24 * 3600


def _version_key(number: str) -> str:
    return f"case:public:version:{number}"


def cached(number: str, kind: str, compute: Callable[[], bytes]) -> bytes:
    """The public answer of `kind` (e.g. "api") for case `number`, computed when absent."""
    seconds = settings.PUBLIC_ANSWER_CACHE_SECONDS
    if not seconds:
        return compute()
    version = current_version(_version_key(number), VERSION_SECONDS)
    key = f"case:public:{kind}:{number}:{get_language() or settings.LANGUAGE_CODE}:{version}"
    return get_or_compute(key, seconds, compute)


# Threads of one process that miss the same answer at once wait for the first one's
# instead of each presenting it (eight readers of a new Open311 search made eight copies
# of a thousand cases in memory). Striped: a fixed number of locks for any number of keys.
_LOCKS = [threading.Lock() for _ in range(32)]


def get_or_compute(key: str, seconds: int, compute: Callable[[], bytes]) -> bytes:
    """The cached bytes under `key`, else computed (once per process at a time) and kept."""
    body = cache.get(key)
    if body is not None:
        return body
    with _LOCKS[hash(key) % len(_LOCKS)]:
        body = cache.get(key)
        if body is None:
            body = compute()
            cache.set(key, body, seconds)
    return body


def current_version(key: str, timeout: int | None) -> str:
    """The token under `key`, a new one when there is none (forget_on_commit removed it)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout)
        version = cache.get(key) or "none"
    return version


class _Forget:
    """The version keys to remove once the transaction commits, all at once."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        cache.delete_many(sorted(self.keys))


def forget_on_commit(key: str) -> None:
    """Remove a version key once the current transaction commits (at once outside one):
    the answers stored under it are no longer read; one that a read computed from the
    state before the commit can only be stored under the old version. A report writes
    several events and saves: its keys are removed together, each once."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        here = set(connection.savepoint_ids)
        for savepoints, func, _robust in connection.run_on_commit:
            if isinstance(func, _Forget) and not func.done and savepoints == here:
                func.keys.add(key)
                return
    forget = _Forget()
    forget.keys.add(key)
    transaction.on_commit(forget)


# The version of what public lists count (selectors.count_capped): any case's change.
LISTS = "case:lists:version"


def lists_version() -> str:
    return current_version(LISTS, None)


def forget(number: str) -> None:
    """The case's public answers and the lists' counts are out of date, once the current
    transaction commits."""
    if settings.PUBLIC_ANSWER_CACHE_SECONDS and number:
        forget_on_commit(LISTS)
        if not number.startswith("~"):  # a number not given yet: nothing cached under it
            forget_on_commit(_version_key(number))


def on_event(event: Any, **_kwargs: Any) -> None:
    forget(event.case.number)


def on_case_saved(instance: Any, **_kwargs: Any) -> None:
    forget(instance.number)


def on_photo_saved(instance: Any, **_kwargs: Any) -> None:
    if settings.PUBLIC_ANSWER_CACHE_SECONDS and instance.case_id:
        forget(instance.case.number)
