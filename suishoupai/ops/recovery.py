"""Work a dead task consumer left behind, queued again as soon as it restarts.

huey takes a task off the queue before running it, so a consumer killed mid-way
loses the tasks it held. Photo copies record that they are pending in their row;
the periodic sweep (photos.tasks.requeue_photos) finds them only after
PHOTO_DERIVE_STUCK_MINUTES (10) and at most every 5 minutes, which left copies
waiting 9-12 minutes after a crash. When `serve` starts the consumer it calls
this first: at that moment no consumer runs, so a pending copy queued before the
consumer died whose task is neither in the queue nor scheduled for a retry has
lost its task. Those, and only those, are queued again (nothing runs twice; and
photos.services.derive is idempotent should a duplicate ever slip through).
"""

import logging
import time
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone

log = logging.getLogger("suishoupai.serve")

# A photo saved this recently may still be on its way into the queue (its task is
# enqueued on commit): leave it to its own enqueue.
IN_FLIGHT_SECONDS = 5.0


def queued_photo_ids(huey) -> set[int]:
    from suishoupai.photos.tasks import derive_photo

    name = huey._registry.task_to_string(derive_photo.task_class)
    raw = list(huey.storage.enqueued_items()) + list(huey.storage.scheduled_items())
    # Read the messages without huey's task registry: this process has not imported
    # every app's tasks, and only the photo copies matter here.
    messages = (huey.serializer.deserialize(item) for item in raw)
    return {m.args[0] for m in messages if m.name == name and m.args}


def requeue_lost_photo_copies(
    *, consumer_died_at: float | None, huey=None, now: datetime | None = None
) -> list[int]:
    from huey.contrib.djhuey import HUEY

    from suishoupai.photos.models import DerivativeStatus, Photo
    from suishoupai.photos.tasks import derive_photo

    huey = huey or HUEY
    now = now or timezone.now()
    lost_before = min(consumer_died_at or time.time(), now.timestamp() - IN_FLIGHT_SECONDS)
    queued = queued_photo_ids(huey)
    # Never queued at all (a restore marks copies to be made again that way) counts too.
    before = Q(queued_at__isnull=True) | Q(
        queued_at__lte=datetime.fromtimestamp(lost_before, tz=UTC)
    )
    ids = list(
        Photo.objects.filter(before, status=DerivativeStatus.PENDING)
        .exclude(pk__in=queued)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        Photo.objects.filter(pk__in=ids).update(queued_at=now)
        for pk in ids:
            huey.enqueue(derive_photo.s(pk))
        log.warning("queued %d photo copies again that a stopped consumer held", len(ids))
    return ids
