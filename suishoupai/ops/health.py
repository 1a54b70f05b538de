"""Readiness at /readyz: which dependency is down, checked with django-health-check.

`/healthz` stays what it was (the process answers and the database runs
`SELECT 1`); `/readyz` checks every dependency a request may need and names the
failing ones: {"status": "unavailable", "failing": ["database"], "checks": {...}}
with 503, or 200 and "ready". The task consumer's heartbeat is reported too but
does not fail readiness: the web serves without it, tasks only wait.
"""

import asyncio
import dataclasses
import time

from django.core.cache import cache
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from . import readiness

HEARTBEAT_KEY = "suishoupai:task-consumer-heartbeat"
# The consumer beats every minute; three missed beats is worth saying.
HEARTBEAT_STALE_SECONDS = 180


@dataclasses.dataclass
class Database(HealthCheck):
    # Its own short connection (not the pool): a down database answers in seconds.
    def run(self) -> None:
        problem = readiness.database_problem()
        if problem:
            raise ServiceUnavailable(problem)


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    def run(self) -> None:
        from huey.contrib.djhuey import HUEY

        try:
            HUEY.pending_count()
        except Exception as exc:
            raise ServiceUnavailable(f"{type(exc).__name__}: {exc}") from exc


CHECKS = {
    "database": (Database, {}),
    "cache": (Cache, {"alias": "default"}),
    "task_queue": (TaskQueue, {}),
    "storage": (Storage, {"alias": "photos"}),
}


def _age(seen) -> float | None:
    return None if seen is None else max(0.0, time.time() - float(seen))


def consumer_last_seen() -> float | None:
    try:
        return _age(cache.get(HEARTBEAT_KEY))
    except Exception:  # the cache check reports the cache itself
        return None


async def consumer_last_seen_async() -> float | None:
    # The database cache must not be used from the event loop's thread directly.
    try:
        return _age(await cache.aget(HEARTBEAT_KEY))
    except Exception:
        return None


class ReadinessView(HealthCheckView):
    checks = tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        checks = {
            name: "ok" if result.error is None else str(result.error)
            for name, result in zip(CHECKS, results, strict=True)
        }
        failing = [name for name, result in zip(CHECKS, results, strict=True) if result.error]
        age = await consumer_last_seen_async()
        if age is None:
            consumer = "not seen yet"
        elif age > HEARTBEAT_STALE_SECONDS:
            consumer = f"last seen {age:.0f} s ago"
        else:
            consumer = "ok"
        body = {
            "status": "unavailable" if failing else "ready",
            "failing": failing,
            "checks": checks,
            "task_consumer": consumer,
        }
        return JsonResponse(body, status=503 if failing else 200)
