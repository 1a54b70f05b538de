from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


# Ids, not objects: the row is read fresh when the worker gets to it. huey retries
# twice a minute apart (a storage hiccup); after that the periodic task below
# keeps trying every few minutes up to PHOTO_DERIVE_MAX_ATTEMPTS.
@db_task(retries=2, retry_delay=60)
def derive_photo(photo_id: int) -> str | None:
    photo = services.derive(photo_id)
    return photo.status if photo else None


@db_periodic_task(crontab(minute="*/5"))
def requeue_photos() -> list[int]:
    # Failed copies with attempts left, and pending ones whose task was lost
    # (a worker restarted mid-way): nothing waits for ever without staff seeing it.
    return services.requeue()
