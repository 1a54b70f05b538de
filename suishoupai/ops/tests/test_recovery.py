"""A consumer that died lost the photo copies it held: they are queued again at its restart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from suishoupai.ops.recovery import requeue_lost_photo_copies
from suishoupai.photos.models import DerivativeStatus, Photo
from suishoupai.photos.tasks import derive_photo

from .reports import report


@pytest.fixture
def queue(monkeypatch):
    """A real huey queue (in memory) that holds tasks instead of running them inline."""
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", MemoryStorage("ops-test"))
    return HUEY


@pytest.fixture
def pending_photos(city, queue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report(photos=3)  # on-commit callbacks do not run here: every copy stays pending
    photos = list(Photo.objects.order_by("pk"))
    assert {p.status for p in photos} == {DerivativeStatus.PENDING}
    return photos


def test_copies_whose_task_died_with_the_consumer_are_queued_again_at_once(pending_photos, queue):
    lost, queued, retrying = pending_photos
    now = timezone.now()
    queue.enqueue(derive_photo.s(queued.pk))
    retry = derive_photo.s(retrying.pk)
    retry.eta = now + timedelta(minutes=1)  # huey's retry a minute after a failure
    queue.add_schedule(retry)
    died_at = (now + timedelta(seconds=1)).timestamp()

    again = requeue_lost_photo_copies(
        consumer_died_at=died_at, huey=queue, now=now + timedelta(seconds=30)
    )

    # Only the lost one: the queued and the scheduled ones would otherwise run twice.
    assert again == [lost.pk]
    waiting = [task.args[0] for task in queue.pending()]
    assert sorted(waiting) == sorted([queued.pk, lost.pk])
    lost.refresh_from_db()
    assert lost.queued_at == now + timedelta(seconds=30)


def test_a_copy_saved_after_the_consumer_died_is_left_to_its_own_task(pending_photos, queue):
    now = timezone.now()
    died_long_ago = (now - timedelta(minutes=5)).timestamp()
    assert requeue_lost_photo_copies(consumer_died_at=died_long_ago, huey=queue, now=now) == []
    assert queue.pending_count() == 0


def test_a_copy_being_saved_right_now_is_not_taken_for_lost(pending_photos, queue):
    # First start (no known death): only copies older than a few seconds count as lost.
    now = timezone.now()
    assert requeue_lost_photo_copies(consumer_died_at=None, huey=queue, now=now) == []
    later = now + timedelta(seconds=10)
    assert len(requeue_lost_photo_copies(consumer_died_at=None, huey=queue, now=later)) == 3


def test_other_tasks_in_the_queue_are_left_alone_even_unknown_to_this_process(
    pending_photos, queue, caplog
):
    # serve's own process has not imported every app's tasks: reading the queue
    # must not need them (huey logs a traceback per task it cannot look up).
    from huey.registry import Message

    foreign = Message(
        "id-1",
        "suishoupai.elsewhere.tasks.unknown",
        None,
        0,
        0,
        None,
        (7,),
        {},
        None,
        None,
        None,
        None,
    )
    queue.storage.enqueue(queue.serializer.serialize(foreign))
    now = timezone.now() + timedelta(seconds=30)
    with caplog.at_level("ERROR"):
        again = requeue_lost_photo_copies(consumer_died_at=None, huey=queue, now=now)
    assert len(again) == 3
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert queue.pending_count() == 4


def test_a_copy_never_queued_is_queued_at_the_start(pending_photos, queue):
    # A restore marks copies missing from the backup to be made again, never queued.
    first = pending_photos[0]
    Photo.objects.filter(pk=first.pk).update(queued_at=None)
    now = timezone.now()
    assert requeue_lost_photo_copies(consumer_died_at=None, huey=queue, now=now) == [first.pk]
