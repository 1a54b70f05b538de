"""A follower's openid is personal data: the outbox's log lines and the admin show
“微信用户”, never the openid itself."""

import pytest
from django.test import Client

from suishoupai.notify import services
from suishoupai.notify.models import Audience, ChannelCode, Message
from suishoupai.org.models import User

OPENID = "oAlice0123456789abcdefghijk"


def reporter_message():
    return Message.objects.create(
        channel=ChannelCode.WECHAT,
        address=OPENID,
        audience=Audience.REPORTER,
        kind="reporter.filed",
        body="您反映的问题已立案",
        payload={"case": "20261125-0001"},
        dedup_key="privacy:1",
        created_at=services.timezone.now(),
    )


@pytest.mark.django_db
def test_a_guarded_wechat_message_is_logged_without_the_openid(settings, caplog):
    settings.NOTIFY_LIVE = False
    message = reporter_message()
    with caplog.at_level("DEBUG"):
        services.deliver(message.pk)
    assert "您反映的问题已立案" in caplog.text and "微信用户" in caplog.text
    assert OPENID not in caplog.text


@pytest.mark.django_db
def test_the_admin_shows_a_wechat_user_not_the_openid(settings):
    settings.NOTIFY_LIVE = False
    message = reporter_message()
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="correct-horse-battery"))
    listing = client.get("/admin/notify/message/").content.decode()
    detail = client.get(f"/admin/notify/message/{message.pk}/change/").content.decode()
    for page in (listing, detail):
        assert "微信用户" in page and OPENID not in page
