from huey.contrib.djhuey import db_task

from . import services


# Ids, not objects; both are idempotent (update the case's one triage row).
@db_task(retries=2, retry_delay=30)
def triage_case(case_id: int) -> None:
    services.triage_case(case_id)


@db_task(retries=2, retry_delay=30)
def rate_comment(case_id: int) -> None:
    services.rate_comment(case_id)
