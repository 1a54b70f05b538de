from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import InboundMessage

# WeChat retries a delivery within about 15 seconds; a day is plenty to recognise one.
KEEP = timedelta(days=1)


@db_periodic_task(crontab(minute="17"))
def forget_old_deliveries() -> int:
    deleted, _kinds = InboundMessage.objects.filter(received_at__lt=timezone.now() - KEEP).delete()
    return deleted
