from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def compact_cells() -> int:
    # Every five minutes: the day's changes, a row each, merged into one row per key.
    return services.compact()
