from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from suishoupai.notify import services, tasks
from suishoupai.notify.channels.wechat import TOKEN_KEY
from suishoupai.notify.models import ChannelCode, Message, Status


def wechat_message():
    return Message.objects.create(
        channel=ChannelCode.WECHAT,
        address="openid-9",
        audience="reporter",
        kind="reporter.filed",
        body="您反映的问题已立案",
        payload={"case": "20261125-0009", "link": "http://x/m/cases/20261125-0009"},
        dedup_key="tasks:wechat",
        created_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_delivery_task_sends_by_id_and_a_repeat_does_nothing(settings, caplog):
    settings.NOTIFY_LIVE = False
    message = services.send_to_phone("13800000010", "验证码 135790", kind="phone.confirm")
    assert tasks.deliver_message.call_local(message.pk) == Status.SUPPRESSED
    assert tasks.deliver_message.call_local(message.pk) is None


@pytest.mark.django_db
def test_the_periodic_sweep_sends_what_is_due(settings):
    settings.NOTIFY_LIVE = False
    services.send_to_phone("13800000011", "验证码 1", kind="phone.confirm")
    services.send_to_phone("13800000012", "验证码 2", kind="phone.confirm")
    assert tasks.sweep_outbox.call_local() == {"recovered": 0, "suppressed": 2}
    assert tasks.sweep_outbox.call_local() == {"recovered": 0}


@pytest.mark.django_db
def test_send_to_phone_refuses_an_empty_number():
    from suishoupai.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.send_to_phone("  ", "验证码", kind="phone.confirm")
    assert error.value.field == "phone"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_stale_wechat_token_is_dropped_and_the_message_retried(
    settings, every_channel_configured
):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    cache.set(TOKEN_KEY, "old-token", 600)
    http.answers = {
        "/wechat/cgi-bin/token": {"access_token": "new-token", "expires_in": 7200},
        "/wechat/cgi-bin/message": {"errcode": 42001, "errmsg": "access_token expired"},
    }
    message = wechat_message()
    now = timezone.now()
    assert services.deliver(message.pk, now) == Status.QUEUED
    assert cache.get(TOKEN_KEY) is None
    http.answers["/wechat/cgi-bin/message"] = {"errcode": 0, "errmsg": "ok"}
    assert services.deliver(message.pk, now + timedelta(minutes=5)) == Status.SENT
    paths = [r.path for r in http.requests]
    assert paths[0].endswith("access_token=old-token")
    assert paths[-1].endswith("access_token=new-token")


@pytest.mark.django_db
def test_a_wechat_refusal_fails_without_retry(settings, every_channel_configured):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    http.answers["/wechat/cgi-bin/message"] = {"errcode": 43004, "errmsg": "require subscribe"}
    message = wechat_message()
    assert services.deliver(message.pk) == Status.FAILED
    message.refresh_from_db()
    assert message.last_error == "WeChat errcode 43004: require subscribe"


@pytest.mark.django_db
def test_send_to_phone_with_a_key_sends_once(settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_LIVE = False
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        first = services.send_to_phone("13800000013", "验证码 1", kind="phone.confirm", key="s1")
        again = services.send_to_phone("13800000013", "验证码 2", kind="phone.confirm", key="s1")
    assert again.pk == first.pk and len(hooks) == 1
    assert Message.objects.get().body == "验证码 1"
