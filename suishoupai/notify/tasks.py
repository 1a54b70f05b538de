from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def deliver_message(message_id: int) -> str | None:
    # Receives an id, never an object: the row is the truth, and delivering an
    # already-sent message is a no-op (the claim fails), so repeats are harmless.
    return services.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict[str, int]:
    # Every minute: retries whose backoff has passed, messages whose worker died
    # mid-send, and anything whose on-commit enqueue was lost.
    return services.sweep()


@db_periodic_task(crontab(minute="41", hour="3"))
def purge_outbox() -> dict[str, int]:
    # Nightly: finished messages older than NOTIFY_KEEP_DAYS (personal data) go.
    return services.purge()
