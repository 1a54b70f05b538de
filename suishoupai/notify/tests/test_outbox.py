"""Delivery from the outbox: retries with backoff, never twice, nothing lost."""

from datetime import timedelta

import pytest
from django.db import connection, transaction

from suishoupai.cases import services as cases
from suishoupai.cases.tests.journeys import report
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.notify import services
from suishoupai.notify.models import ChannelCode, EventFanOut, Message, Status

from .conftest import contact

T0 = WEDNESDAY_9AM


@pytest.fixture
def hook_message(settings, city, http_receiver):
    """One queued webhook message for 市环卫中心, with the guard off."""
    settings.NOTIFY_LIVE = True
    settings.NOTIFY_RETRY_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 600
    settings.NOTIFY_MAX_ATTEMPTS = 4
    hook = contact(city.city_sanitation, ChannelCode.WEBHOOK, f"{http_receiver.url}/hook", "k")
    case = report(city, now=T0)
    return Message.objects.create(
        channel=ChannelCode.WEBHOOK,
        address=hook.address,
        audience="department",
        kind="department.dispatched",
        body="新案件",
        contact=hook,
        case=case,
        dedup_key="test:hook",
        created_at=T0,
        next_attempt_at=T0,
    )


def reload(message):
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_doubling_delays_until_it_works(hook_message, http_receiver):
    http_receiver.statuses = [503, 502, 500]
    assert services.deliver(hook_message.pk, T0) == Status.QUEUED
    m = reload(hook_message)
    assert m.attempts == 1 and m.next_attempt_at == T0 + timedelta(seconds=60)
    assert m.last_error == "ConnectionError: HTTP 503 from " + http_receiver.url[7:]
    # Not due yet: the sweep leaves it alone.
    assert services.sweep(T0 + timedelta(seconds=59)) == {"recovered": 0}
    assert services.deliver(m.pk, T0 + timedelta(seconds=60)) == Status.QUEUED
    assert reload(m).next_attempt_at == T0 + timedelta(seconds=60 + 120)
    assert services.deliver(m.pk, T0 + timedelta(seconds=180)) == Status.QUEUED
    assert reload(m).next_attempt_at == T0 + timedelta(seconds=180 + 240)
    assert services.sweep(T0 + timedelta(seconds=420))["sent"] == 1
    m = reload(m)
    assert m.status == Status.SENT and m.attempts == 4 and m.last_error == ""
    assert m.sent_at == T0 + timedelta(seconds=420)
    assert len(http_receiver.requests) == 4


@pytest.mark.django_db
def test_the_backoff_is_capped(settings):
    settings.NOTIFY_RETRY_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 600
    assert [services.backoff(n).total_seconds() for n in range(1, 7)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_is_failed_with_the_error(hook_message, http_receiver):
    http_receiver.statuses = [500] * 10
    t = T0
    for _ in range(4):
        services.deliver(hook_message.pk, t)
        t += timedelta(hours=1)
    m = reload(hook_message)
    assert m.status == Status.FAILED and m.attempts == 4
    assert "HTTP 500" in m.last_error
    assert services.deliver(m.pk, t) is None  # failed is final until someone retries
    assert len(http_receiver.requests) == 4


@pytest.mark.django_db
def test_a_refusal_is_not_retried(hook_message, http_receiver):
    http_receiver.statuses = [410]
    assert services.deliver(hook_message.pk, T0) == Status.FAILED
    assert "HTTP 410" in reload(hook_message).last_error


@pytest.mark.django_db
def test_the_admin_retry_puts_a_failed_message_back_in_the_queue(
    hook_message, http_receiver, django_capture_on_commit_callbacks
):
    http_receiver.statuses = [404]
    services.deliver(hook_message.pk, T0)
    assert reload(hook_message).status == Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry(Message.objects.all()) == 1
    m = reload(hook_message)
    assert m.status == Status.SENT and m.attempts == 1
    assert len(http_receiver.requests) == 2


@pytest.mark.django_db
def test_a_message_is_sent_once_however_often_it_is_delivered(hook_message, http_receiver):
    # The on-commit task, the periodic sweep and a repeated task all try.
    assert services.deliver(hook_message.pk, T0) == Status.SENT
    assert services.deliver(hook_message.pk, T0) is None
    assert services.sweep(T0 + timedelta(minutes=1)) == {"recovered": 0}
    assert len(http_receiver.requests) == 1


@pytest.mark.django_db
def test_two_workers_cannot_both_claim_a_message(hook_message):
    first = services.claim(hook_message.pk, T0)
    second = services.claim(hook_message.pk, T0)
    assert first and second is None
    assert reload(hook_message).status == Status.SENDING


@pytest.mark.django_db
def test_a_message_left_sending_by_a_dead_worker_is_sent_after_its_lease(
    settings, hook_message, http_receiver
):
    settings.NOTIFY_LEASE_SECONDS = 300
    dead = services.claim(hook_message.pk, T0)  # the worker dies here, mid-send
    assert services.sweep(T0 + timedelta(seconds=299)) == {"recovered": 0}
    assert services.sweep(T0 + timedelta(seconds=301))["sent"] == 1
    m = reload(hook_message)
    assert m.status == Status.SENT and m.attempts == 2
    # Should the old worker wake up, it cannot overwrite the result.
    assert services._finish(m, dead, Status.FAILED, error="late") is None
    assert reload(m).status == Status.SENT
    assert len(http_receiver.requests) == 1


@pytest.mark.django_db
def test_the_same_event_fanned_out_twice_makes_one_message_each(
    city, people, django_capture_on_commit_callbacks
):
    case = report(city, phone="13800000004")
    with django_capture_on_commit_callbacks(execute=True):
        cases.accept(case, people["olga"], now=T0 + timedelta(minutes=5))
    event = case.events.get(action="case.filed")
    assert services.fan_out(event.pk) == []  # already delivered (suppressed), nothing new
    services.fan_out(event.pk)
    assert Message.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_an_event_whose_hook_never_ran_is_recovered_by_the_sweep(city, people):
    now = T0 + timedelta(minutes=5)
    case = report(city, phone="13800000005")
    cases.accept(case, people["olga"], now=now)  # on-commit hooks do not run here: "lost"
    assert not Message.objects.exists()
    assert services.sweep(now + timedelta(seconds=30))["recovered"] == 0  # hooks get a minute
    result = services.sweep(now + timedelta(minutes=2))
    assert result == {"recovered": 1, "suppressed": 1}
    assert Message.objects.get().kind == "reporter.filed"
    assert EventFanOut.objects.filter(event__case=case).count() == 1
    assert services.sweep(now + timedelta(minutes=3)) == {"recovered": 0}


@pytest.mark.django_db
def test_old_history_is_never_recovered(city, people):
    now = T0 + timedelta(minutes=5)
    cases.accept(report(city, phone="13800000006"), people["olga"], now=now)
    assert services.sweep(now + timedelta(days=2)) == {"recovered": 0}
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transition_that_rolls_back_leaves_no_message(city, people):
    case = report(city, phone="13800000007")
    with pytest.raises(RuntimeError), transaction.atomic():
        cases.accept(case, people["olga"], now=T0 + timedelta(minutes=5))
        raise RuntimeError("something after the transition failed")
    case.refresh_from_db()
    assert case.state == "submitted"
    assert not Message.objects.exists()
    # The same move committed does tell the reporter.
    cases.accept(case, people["olga"], now=T0 + timedelta(minutes=6))
    assert Message.objects.get().kind == "reporter.filed"


@pytest.mark.django_db(transaction=True)
def test_a_failing_fan_out_does_not_break_the_transition(city, people):
    case = report(city, phone="13800000008")
    # The outbox table is gone (a broken deploy): the case still moves.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE notify_message RENAME TO notify_message_away")
    try:
        cases.accept(case, people["olga"], now=T0 + timedelta(minutes=5))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE notify_message_away RENAME TO notify_message")
    case.refresh_from_db()
    assert case.state == "filed"
