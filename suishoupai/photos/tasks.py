import threading

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from . import services


# Ids, not objects: the row is read fresh when the worker gets to it. huey retries
# twice a minute apart (a storage hiccup); after that the periodic task below
# keeps trying every few minutes up to PHOTO_DERIVE_MAX_ATTEMPTS.
@db_task(retries=2, retry_delay=60)
def derive_photo(photo_id: int) -> str | None:
    photo = services.derive(photo_id)
    return photo.status if photo else None


@db_periodic_task(crontab(minute="*"))
def requeue_photos() -> list[int]:
    # Failed copies with attempts left, and pending ones whose task was lost
    # (a worker restarted mid-way): nothing waits for ever without staff seeing it.
    return services.requeue()


@db_periodic_task(crontab(minute="17", hour="4"))
def sweep_orphan_files() -> int:
    # Files left by a process killed between writing a photo and committing its row.
    return len(services.sweep_orphan_files())


_started = threading.Lock()


@HUEY.on_startup()
def requeue_after_a_restart() -> None:
    """A consumer starting again after a crash: the copies it was making when it died
    are pending, their tasks gone with it. Queue again every copy pending since before
    this start at once, instead of waiting PHOTO_DERIVE_STUCK_MINUTES for the periodic
    requeue (issue 17: they waited 9-12 minutes). A copy another consumer is making
    meanwhile is made once all the same: `derive` switches the row under a lock and
    leaves a current copy alone. Once per process (each worker thread runs this)."""
    if _started.acquire(blocking=False):
        services.requeue(lost_before=timezone.now())
