"""In-process copies of small reference tables that nearly every request reads.

Categories, departments, routing rules and stage limits are tens of rows that change a
few times a year (in the admin), yet a report read them with six queries and every
list joined them. A `Table` loads its rows once and keeps them until a save or delete of
one of its models in this process (post_save/post_delete, after the commit), or until
REFERENCE_CACHE_SECONDS have passed: other web workers see an admin's change within
that time. With REFERENCE_CACHE_SECONDS = 0 (the tests) every call reads the database.

The rows handed out are shared by every thread of the process: read them, never change
them.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
TABLES: list["Table"] = []


def invalidate_all() -> None:
    for table in TABLES:
        table.invalidate()


class Table(Generic[T]):
    def __init__(self, load: Callable[[], T], *watched: type[models.Model]) -> None:
        self._load = load
        self._value: T | None = None
        self._loaded_at = 0.0
        self._generation = 0
        self._lock = threading.Lock()
        TABLES.append(self)
        for model in watched:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)

    def _changed(self, **_kwargs: Any) -> None:
        self.invalidate()
        # Again once the change is committed: a reload in between read the old rows.
        transaction.on_commit(self.invalidate)

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
            self._generation += 1

    def get(self) -> T:
        ttl = settings.REFERENCE_CACHE_SECONDS
        value = self._value
        if value is not None and 0 <= time.time() - self._loaded_at < ttl:
            return value
        generation = self._generation
        value = self._load()
        if ttl > 0:
            with self._lock:
                if generation == self._generation:  # nothing changed while loading
                    self._value, self._loaded_at = value, time.time()
        return value
