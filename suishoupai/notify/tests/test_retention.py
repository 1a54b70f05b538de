"""The outbox forgets people after the city's retention: finished messages older than
NOTIFY_KEEP_DAYS go, nightly; anything still waiting to be sent stays, however old."""

from datetime import timedelta

import pytest
from django.utils import timezone

from suishoupai.cases import services as cases
from suishoupai.cases.tests.journeys import report
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.notify import services, tasks
from suishoupai.notify.models import ChannelCode, EventFanOut, Message, Status

T0 = WEDNESDAY_9AM

pytestmark = pytest.mark.django_db


def message(key: str, status: str, days_old: float) -> Message:
    return Message.objects.create(
        channel=ChannelCode.SMS,
        address="13800000021",
        audience="reporter",
        kind="reporter.filed",
        body="您反映的问题已立案",
        dedup_key=key,
        status=status,
        created_at=timezone.now() - timedelta(days=days_old),
    )


def test_old_finished_messages_are_deleted_and_waiting_or_recent_ones_kept(settings):
    settings.NOTIFY_KEEP_DAYS = 30
    old_sent = message("a", Status.SENT, 31)
    old_failed = message("b", Status.FAILED, 40)
    old_suppressed = message("c", Status.SUPPRESSED, 400)
    old_queued = message("d", Status.QUEUED, 90)  # stuck, staff still need to see it
    recent = message("e", Status.SENT, 29)

    assert services.purge(batch=2) == {"messages": 3, "fan_outs": 0}

    left = set(Message.objects.values_list("pk", flat=True))
    assert left == {old_queued.pk, recent.pk}
    assert not {old_sent.pk, old_failed.pk, old_suppressed.pk} & left


def test_zero_keeps_everything_and_the_nightly_task_runs_the_purge(settings):
    message("a", Status.SENT, 4000)
    settings.NOTIFY_KEEP_DAYS = 0
    assert tasks.purge_outbox.call_local() == {"messages": 0, "fan_outs": 0}
    assert Message.objects.count() == 1
    settings.NOTIFY_KEEP_DAYS = 365
    assert tasks.purge_outbox.call_local() == {"messages": 1, "fan_outs": 0}
    assert not Message.objects.exists()


def test_a_case_told_a_year_ago_loses_its_messages_and_fan_out_marks_but_not_its_events(
    settings, city, people
):
    settings.NOTIFY_KEEP_DAYS = 365
    now = T0 + timedelta(minutes=5)
    case = report(city, phone="13800000005")
    cases.accept(case, people["olga"], now=now)
    services.sweep(now + timedelta(minutes=2))  # fans out and suppresses (not live)
    assert Message.objects.filter(case=case).count() == 1
    events = case.events.count()

    assert services.purge(now + timedelta(days=364)) == {"messages": 0, "fan_outs": 0}
    assert services.purge(now + timedelta(days=366)) == {"messages": 1, "fan_outs": 1}
    assert not EventFanOut.objects.filter(event__case=case).exists()
    assert case.events.count() == events
    # The recovery never re-sends what was purged: its window is the last hour.
    assert services.sweep(now + timedelta(days=366))["recovered"] == 0
