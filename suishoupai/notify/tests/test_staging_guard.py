"""The staging guard: with NOTIFY_LIVE off nothing leaves the machine, even with
every channel configured; with it on, each channel really sends (and signs)."""

import hashlib
import hmac
import time

import pytest

from suishoupai.notify import services
from suishoupai.notify.models import Audience, ChannelCode, Message, Status

from .conftest import contact


def queue(channel, address, *, contact=None, payload=None):
    return Message.objects.create(
        channel=channel,
        address=address,
        audience=Audience.DEPARTMENT,
        kind="department.dispatched",
        subject="新案件 20261125-0001",
        body="新案件20261125-0001派至市环卫中心。",
        payload=payload or {"case": "20261125-0001", "link": "http://x/m/cases/20261125-0001"},
        contact=contact,
        dedup_key=f"test:{channel}:{address}",
        created_at=services.timezone.now(),
    )


@pytest.fixture
def one_of_each(city, every_channel_configured):
    http, _smtp = every_channel_configured
    hook = contact(city.city_sanitation, ChannelCode.WEBHOOK, f"{http.url}/hook", "s3cret")
    return [
        queue(ChannelCode.WEBHOOK, hook.address, contact=hook),
        queue(ChannelCode.SMS, "13800000001"),
        queue(ChannelCode.WECHAT, "openid-1"),
        queue(ChannelCode.EMAIL, "carl@example.gov.cn"),
    ]


@pytest.mark.django_db
def test_with_the_guard_on_no_channel_opens_a_connection(
    settings, one_of_each, every_channel_configured
):
    settings.NOTIFY_LIVE = False
    http, smtp = every_channel_configured
    for message in one_of_each:
        assert services.deliver(message.pk) == Status.SUPPRESSED
    assert http.connections == 0 and http.requests == []
    assert smtp.connections == 0
    for message in Message.objects.all():
        assert message.status == Status.SUPPRESSED
        assert message.last_error.startswith("staging guard")
        assert message.sent_at is None


@pytest.mark.django_db
def test_the_guard_is_on_unless_notify_live_is_set():
    from django.conf import settings

    assert settings.NOTIFY_LIVE is False


@pytest.mark.django_db
def test_the_console_channel_still_delivers_behind_the_guard(settings, caplog):
    settings.NOTIFY_LIVE = False
    message = queue(ChannelCode.CONSOLE, "市环卫中心值班台")
    with caplog.at_level("INFO", logger="suishoupai.notify.console"):
        assert services.deliver(message.pk) == Status.SENT
    assert "新案件20261125-0001派至市环卫中心" in caplog.text


@pytest.mark.django_db
def test_a_suppressed_sms_shows_on_the_console_log_for_the_demo(settings, caplog):
    settings.NOTIFY_LIVE = False
    message = services.send_to_phone("13800000002", "验证码 246810", kind="phone.confirm")
    with caplog.at_level("INFO", logger="suishoupai.notify.console"):
        services.deliver(message.pk)
    assert "验证码 246810" in caplog.text and "staging guard" in caplog.text


@pytest.mark.django_db
def test_with_the_guard_off_the_webhook_receives_a_signed_post(
    settings, one_of_each, every_channel_configured
):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    hook = one_of_each[0]
    assert services.deliver(hook.pk) == Status.SENT
    [request] = http.requests
    assert request.method == "POST" and request.path == "/hook"
    timestamp = request.headers["X-Suishoupai-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert hmac.compare_digest(
        request.headers["X-Suishoupai-Signature"], "sha256=" + expected.hexdigest()
    )
    assert request.headers["X-Suishoupai-Message-Id"] == str(hook.pk)
    body = request.json()
    assert body["case"] == "20261125-0001" and body["text"] == hook.body


@pytest.mark.django_db
def test_a_tampered_body_does_not_match_the_signature(
    settings, one_of_each, every_channel_configured
):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    services.deliver(one_of_each[0].pk)
    [request] = http.requests
    timestamp = request.headers["X-Suishoupai-Timestamp"]
    forged = request.body.replace(b"20261125-0001", b"20261125-0002")
    mac = hmac.new(b"s3cret", timestamp.encode() + b"." + forged, hashlib.sha256)
    assert request.headers["X-Suishoupai-Signature"] != "sha256=" + mac.hexdigest()


@pytest.mark.django_db
def test_with_the_guard_off_the_sms_gateway_gets_the_signed_text(
    settings, one_of_each, every_channel_configured
):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    assert services.deliver(one_of_each[1].pk) == Status.SENT
    [request] = http.requests
    assert request.path == "/sms"
    assert request.headers["Authorization"] == "Bearer sms-key"
    assert request.json() == {
        "phone": "13800000001",
        "text": "【随手拍】新案件20261125-0001派至市环卫中心。",
        "id": str(one_of_each[1].pk),
    }


@pytest.mark.django_db
def test_with_the_guard_off_wechat_gets_a_token_then_the_template_message(
    settings, one_of_each, every_channel_configured
):
    settings.NOTIFY_LIVE = True
    http, _ = every_channel_configured
    assert services.deliver(one_of_each[2].pk) == Status.SENT
    token, send = http.requests
    assert token.method == "GET" and "appid=wx-test" in token.path
    assert send.path == "/wechat/cgi-bin/message/template/send?access_token=tok-1"
    sent = send.json()
    assert sent["touser"] == "openid-1" and sent["template_id"] == "tpl-1"
    assert sent["url"] == "http://x/m/cases/20261125-0001"
    assert sent["data"]["keyword1"]["value"] == "20261125-0001"


@pytest.mark.django_db
def test_with_the_guard_off_email_goes_over_smtp(settings, one_of_each, every_channel_configured):
    settings.NOTIFY_LIVE = True
    _, smtp = every_channel_configured
    assert services.deliver(one_of_each[3].pk) == Status.SENT
    [mail] = smtp.messages
    assert "carl@example.gov.cn" in mail["to"][0]
    assert "X-Suishoupai-Message-Id" in mail["data"].decode()


@pytest.mark.django_db
def test_an_unconfigured_channel_suppresses_with_its_reason(settings):
    settings.NOTIFY_LIVE = True
    settings.SMS_GATEWAY_URL = ""
    message = services.send_to_phone("13800000003", "验证码 111111", kind="phone.confirm")
    assert services.deliver(message.pk) == Status.SUPPRESSED
    message.refresh_from_db()
    assert message.last_error == "SMS is not configured (SMS_GATEWAY_URL is empty)"


@pytest.mark.django_db
def test_a_webhook_without_a_secret_is_never_sent_unsigned(settings, city, http_receiver):
    settings.NOTIFY_LIVE = True
    hook = contact(city.city_sanitation, ChannelCode.WEBHOOK, f"{http_receiver.url}/hook")
    message = queue(ChannelCode.WEBHOOK, hook.address, contact=hook)
    assert services.deliver(message.pk) == Status.SUPPRESSED
    assert http_receiver.connections == 0
