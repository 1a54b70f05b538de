import time

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .health import HEARTBEAT_KEY


@db_periodic_task(crontab(minute="*"))
def consumer_heartbeat() -> None:
    # Readiness and the metrics say when the consumer last ran a periodic task.
    cache.set(HEARTBEAT_KEY, time.time(), 24 * 3600)
