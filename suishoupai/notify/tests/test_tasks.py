from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from suishoupai.notify import services, tasks
from suishoupai.notify.models import ChannelCode, Message, Status
from suishoupai.officialaccount import client as oa


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
def test_a_stale_wechat_token_is_replaced_and_the_send_retried_at_once(settings, wechat_on):
    settings.NOTIFY_LIVE = True
    # Another worker cached a token that WeChat has since forgotten.
    oa.shared("access_token", lambda: ("old-token", 7200))
    message = wechat_message()
    assert services.deliver(message.pk) == Status.SENT
    assert wechat_on.calls["message/template/send"] == 2 and wechat_on.calls["token"] == 1
    assert oa.cached_value("access_token") not in (None, "old-token")
    [sent] = wechat_on.templates
    assert sent["touser"] == "openid-9" and sent["url"] == "http://x/m/cases/20261125-0009"


@pytest.mark.django_db
def test_a_token_refused_even_after_a_refresh_is_retried_later(settings, wechat_on):
    settings.NOTIFY_LIVE = True
    wechat_on.valid_tokens = _Refusing()
    message = wechat_message()
    now = timezone.now()
    assert services.deliver(message.pk, now) == Status.QUEUED
    message.refresh_from_db()
    assert message.last_error.startswith("ConnectionError: WeChat errcode 40001")
    assert "token-" not in message.last_error  # the token itself is never shown
    wechat_on.valid_tokens = set()
    cache.clear()
    assert services.deliver(message.pk, now + timedelta(minutes=5)) == Status.SENT


class _Refusing(set):
    def add(self, item):
        pass


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
