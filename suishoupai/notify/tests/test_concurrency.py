"""Real concurrent workers on PostgreSQL: one message, one send."""

from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.notify import services
from suishoupai.notify.models import ChannelCode, Message, Status
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

from .conftest import contact

pytestmark = POSTGRES_ONLY


def test_the_sweep_and_the_task_racing_send_a_message_once(settings, city, http_receiver):
    settings.NOTIFY_LIVE = True
    hook = contact(city.city_sanitation, ChannelCode.WEBHOOK, f"{http_receiver.url}/h", "k")
    messages = [
        Message.objects.create(
            channel=ChannelCode.WEBHOOK,
            address=hook.address,
            audience="department",
            kind="department.dispatched",
            body=f"新案件{i}",
            contact=hook,
            dedup_key=f"race:{i}",
            created_at=WEDNESDAY_9AM,
        )
        for i in range(20)
    ]
    later = WEDNESDAY_9AM.replace(hour=10)
    results = race(
        lambda: services.sweep(later),
        lambda: services.sweep(later),
        lambda: [services.deliver(m.pk, later) for m in messages],
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert Message.objects.filter(status=Status.SENT).count() == 20
    bodies = sorted(r.json()["text"] for r in http_receiver.requests)
    assert bodies == sorted(m.body for m in messages)  # each exactly once
