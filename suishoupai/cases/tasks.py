from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def mark_overdue_cases() -> list[str]:
    # Every minute: the scan is one indexed query on due_at and the service is
    # idempotent, so overlapping or repeated runs flag each case once.
    return services.mark_overdue()
