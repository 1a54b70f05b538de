"""The server URL as WeChat's servers use it: the URL check, plaintext and
encrypted messages, retries of one delivery, and forgeries refused quietly."""

import logging

import pytest

from suishoupai.officialaccount.models import Draft, DraftPhoto
from suishoupai.tests import fake_wechat as wx
from suishoupai.wechat.models import InboundMessage

ALICE = "oAlice0123456789abcdefghijk"  # a follower's openid


@pytest.fixture
def sender(client, wechat_on):
    return wx.WeChatSender(client)


@pytest.fixture
def safe_sender(client, wechat_on):
    return wx.WeChatSender(client, encrypted=True)


@pytest.mark.django_db
def test_the_url_check_answers_echostr_when_the_signature_matches(client, sender):
    query = sender.query("1764032400", "8812", echostr="5839201938475")
    response = client.get("/wechat/", query)
    assert response.status_code == 200
    assert response.content == b"5839201938475"


@pytest.mark.django_db
def test_the_url_check_with_a_wrong_signature_is_refused(client, wechat_on):
    forged = wx.WeChatSender(client, token="not-our-token")
    response = client.get("/wechat/", forged.query("1764032400", "8812", echostr="123"))
    assert response.status_code == 403
    assert b"123" not in response.content


@pytest.mark.django_db
def test_without_the_account_configured_the_url_does_not_exist(client, settings):
    settings.WECHAT_TOKEN = ""
    response = client.get("/wechat/", wx.WeChatSender(client).query("1", "2", echostr="3"))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_plaintext_text_message_starts_a_draft_and_the_reply_links_to_it(sender, settings):
    response = sender.post(wx.text(ALICE, "井盖丢了，很危险", 1001))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    reply = sender.reply_text(response)
    draft = Draft.objects.get(openid=ALICE)
    assert draft.text == "井盖丢了，很危险"
    assert f"{settings.SITE_URL}/m/#d={draft.key}-" in reply
    assert "照片" in reply and "位置" in reply  # what is still missing
    xml = response.content.decode()
    assert f"<ToUserName><![CDATA[{ALICE}]]></ToUserName>" in xml
    assert f"<FromUserName><![CDATA[{wx.ACCOUNT}]]></FromUserName>" in xml


@pytest.mark.django_db
def test_an_encrypted_message_is_read_and_answered_encrypted(safe_sender):
    response = safe_sender.post(wx.text(ALICE, "路面塌了一个坑", 1002))
    assert response.status_code == 200
    xml = response.content.decode()
    assert "<Encrypt>" in xml and "路面" not in xml and ALICE not in xml
    assert "描述" in safe_sender.reply_text(response)
    assert Draft.objects.get(openid=ALICE).text == "路面塌了一个坑"


@pytest.mark.django_db
def test_an_encrypted_message_with_a_wrong_msg_signature_is_refused(client, wechat_on):
    sealed = wx.WeChatSender(client, encrypted=True)
    good = sealed.post(wx.text(ALICE, "第一条", 1003))
    assert good.status_code == 200
    forged_key = wx.WeChatSender(client, encrypted=True)
    forged_key.token = wx.TOKEN  # right URL signature ...
    response = client.post(
        "/wechat/?"
        + "&".join(
            f"{k}={v}"
            for k, v in forged_key.query(
                "1764032400", "77", encrypt_type="aes", msg_signature="0" * 40
            ).items()
        ),
        data=b"<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>",
        content_type="text/xml",
    )
    assert response.status_code == 403  # ... but not the message's
    assert Draft.objects.get(openid=ALICE).text == "第一条"


@pytest.mark.django_db
def test_a_forged_message_is_refused_and_leaves_no_trace(client, wechat_on, caplog):
    forger = wx.WeChatSender(client, token="guessed-token")
    with caplog.at_level(logging.DEBUG):
        response = forger.post(wx.text(ALICE, "秘密内容不该进日志", 1004))
    assert response.status_code == 403
    assert not Draft.objects.exists() and not InboundMessage.objects.exists()
    assert "秘密内容" not in caplog.text and ALICE not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>broken",
        b"not xml at all",
        b"<xml><FromUserName><![CDATA[x]]></FromUserName></xml>",
        b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><xml><Content>&a;</Content></xml>",
    ],
)
def test_malformed_xml_is_refused_without_logging_it(client, sender, body, caplog):
    query = sender.query("1764032400", "99", openid=ALICE)
    path = "/wechat/?" + "&".join(f"{k}={v}" for k, v in query.items())
    with caplog.at_level(logging.DEBUG):
        response = client.post(path, data=body, content_type="text/xml")
    assert response.status_code == 400
    assert body.decode(errors="ignore")[:12] not in caplog.text
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_garbage_in_safe_mode_is_refused(client, safe_sender):
    timestamp, nonce = "1764032400", "55"
    encrypt = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    query = safe_sender.query(
        timestamp,
        nonce,
        encrypt_type="aes",
        msg_signature=wx.sign(wx.TOKEN, timestamp, nonce, encrypt),
    )
    path = "/wechat/?" + "&".join(f"{k}={v}" for k, v in query.items())
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    response = client.post(path, data=body, content_type="text/xml")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("encrypted", [False, True])
def test_wechat_retrying_one_message_three_times_is_handled_once(client, wechat_on, encrypted):
    sender = wx.WeChatSender(client, encrypted=encrypted)
    replies = [sender.reply_text(sender.post(wx.text(ALICE, "垃圾没人清", 2001))) for _ in range(4)]
    assert Draft.objects.get(openid=ALICE).text == "垃圾没人清"  # not four times
    assert len(set(replies)) == 1
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_retried_subscribe_event_is_welcomed_once(sender):
    first = sender.post(wx.event(ALICE, "subscribe", at=1764032500))
    again = sender.post(wx.event(ALICE, "subscribe", at=1764032500))
    assert sender.reply_text(first) == sender.reply_text(again)
    assert InboundMessage.objects.count() == 1
    later = sender.post(wx.event(ALICE, "subscribe", at=1764032999))
    assert later.status_code == 200 and InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_an_event_with_nothing_to_say_answers_success(sender):
    response = sender.post(wx.event(ALICE, "VIEW", key="http://x/m/"))
    assert response.content == b"success"


@pytest.mark.django_db
def test_a_photo_is_answered_at_once_and_fetched_by_the_queue(
    sender, wechat_on, django_capture_on_commit_callbacks
):
    wechat_on.media["media-1"] = ("image/jpeg", wx.photo_bytes())
    with django_capture_on_commit_callbacks() as queued:
        response = sender.post(wx.image(ALICE, "media-1", 3001))
        # The reply left before anything was asked of WeChat's media API.
        assert response.status_code == 200 and wechat_on.calls["media/get"] == 0
    assert "照片" in sender.reply_text(response)
    photo = DraftPhoto.objects.get()
    assert photo.status == "pending" and not photo.file
    for callback in queued:
        callback()  # what the huey worker does next
    photo.refresh_from_db()
    assert wechat_on.calls["media/get"] == 1
    assert photo.status == "ready" and photo.content_type == "image/jpeg"
    assert photo.file.name.startswith("drafts/")


def test_the_domain_check_file_is_served_for_its_code_only(client, settings):
    settings.WECHAT_DOMAIN_VERIFY = "Xk3mQ9aZ"
    found = client.get("/MP_verify_Xk3mQ9aZ.txt")
    assert found.status_code == 200 and found.content == b"Xk3mQ9aZ"
    assert client.get("/MP_verify_other.txt").status_code == 404
    settings.WECHAT_DOMAIN_VERIFY = ""
    assert client.get("/MP_verify_.txt").status_code == 404
