from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


# An id, not an object; a photo already fetched is left alone, so repeats are harmless.
# huey retries a network failure a few times; the sweep below catches lost tasks.
@db_task(retries=3, retry_delay=20)
def fetch_draft_photo(photo_id: int) -> str | None:
    return services.fetch_photo(photo_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_drafts() -> dict[str, int]:
    return {
        "requeued": len(services.requeue_pending()),
        "purged": services.purge(),
    }
