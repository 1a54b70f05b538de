"""Reporting by chat: photo, location and text gathered into one draft; the
menu's words; what a follower is told."""

from datetime import timedelta

import pytest
import time_machine

from suishoupai import factories as f
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import report
from suishoupai.officialaccount import services as drafts
from suishoupai.officialaccount.models import Draft, DraftPhoto
from suishoupai.tests import fake_wechat as wx

ALICE = "oAlice0123456789abcdefghijk"
BOB = "oBob00123456789abcdefghijkl"
NOON = f.WEDNESDAY_9AM.replace(hour=12)


@pytest.fixture
def sender(client, wechat_on):
    return wx.WeChatSender(client)


def reported_by(openid, city):
    case = report(city)
    Case.objects.filter(pk=case.pk).update(reporter_openid=openid)
    return case


def say(sender, xml):
    response = sender.post(xml)
    assert response.status_code == 200
    return sender.reply_text(response)


@pytest.mark.django_db
def test_photo_location_and_text_within_minutes_make_one_draft(
    sender, wechat_on, django_capture_on_commit_callbacks
):
    wechat_on.media["m-1"] = ("image/jpeg", wx.photo_bytes())
    with time_machine.travel(NOON, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            say(sender, wx.image(ALICE, "m-1", 11))
        clock.shift(timedelta(minutes=2))
        say(sender, wx.location(ALICE, 45.781234, 126.652345, "道外区北新街", 12))
        clock.shift(timedelta(minutes=3))
        reply = say(sender, wx.text(ALICE, "人行道上的井盖没了", 13))
    draft = Draft.objects.get()
    assert draft.text == "人行道上的井盖没了"
    # Kept exactly as WeChat sent it: GCJ-02, converted only when the case is made.
    assert (draft.lat, draft.lng, draft.coord_system) == (45.781234, 126.652345, "gcj02")
    assert draft.place_label == "道外区北新街"
    assert draft.photos.get().status == "ready"
    assert "照片 1 张" in reply and "道外区北新街" in reply and "文字描述" in reply
    assert "还可以发送" not in reply  # nothing is missing any more


@pytest.mark.django_db
def test_a_message_after_the_quiet_window_starts_a_new_draft(sender, settings):
    settings.WECHAT_DRAFT_MINUTES = 10
    with time_machine.travel(NOON, tick=False) as clock:
        say(sender, wx.text(ALICE, "垃圾桶满了", 21))
        clock.shift(timedelta(minutes=11))
        say(sender, wx.text(ALICE, "另一处路灯不亮", 22))
    first, second = Draft.objects.order_by("pk")
    assert (first.text, first.is_open) == ("垃圾桶满了", False)
    assert (second.text, second.is_open) == ("另一处路灯不亮", True)


@pytest.mark.django_db
def test_two_followers_never_share_a_draft(sender):
    say(sender, wx.text(ALICE, "路面有坑", 31))
    say(sender, wx.text(BOB, "树倒了", 32))
    assert {d.openid: d.text for d in Draft.objects.all()} == {ALICE: "路面有坑", BOB: "树倒了"}


@pytest.mark.django_db
def test_two_texts_in_a_row_are_both_kept(sender):
    say(sender, wx.text(ALICE, "路面有坑", 41))
    say(sender, wx.text(ALICE, "在公交站旁边", 42))
    assert Draft.objects.get().text == "路面有坑\n在公交站旁边"


@pytest.mark.django_db
def test_the_reply_link_opens_the_draft_and_a_forged_one_does_not(sender, settings):
    reply = say(sender, wx.text(ALICE, "路面有坑", 51))
    token = reply.split("/m/#d=", 1)[1].split('"', 1)[0]
    assert drafts.draft_for_token(token).openid == ALICE
    key, _sep, _sig = token.partition("-")
    with pytest.raises(drafts.NotFound):
        drafts.draft_for_token(f"{key}-{'0' * 32}")


@pytest.mark.django_db
def test_a_tenth_photo_is_refused_with_the_limit(sender, settings):
    settings.PHOTO_MAX_COUNT = 2
    say(sender, wx.image(ALICE, "a", 61))
    say(sender, wx.image(ALICE, "b", 62))
    reply = say(sender, wx.image(ALICE, "c", 63))
    assert "最多" in reply and "2" in reply
    assert DraftPhoto.objects.count() == 2


@pytest.mark.django_db
def test_media_wechat_no_longer_has_fails_with_a_reason(
    sender, wechat_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        say(sender, wx.image(ALICE, "expired-media", 71))
    photo = DraftPhoto.objects.get()
    assert photo.status == "failed" and "重新发送" in photo.error
    assert wechat_on.calls["media/get"] == 1


@pytest.mark.django_db
def test_media_that_is_not_a_photo_fails_the_upload_checks(
    sender, wechat_on, django_capture_on_commit_callbacks
):
    wechat_on.media["fake"] = ("image/jpeg", b"%PDF-1.4 not a photo at all" * 20)
    with django_capture_on_commit_callbacks(execute=True):
        say(sender, wx.image(ALICE, "fake", 72))
    photo = DraftPhoto.objects.get()
    assert photo.status == "failed" and "PDF" in photo.error
    assert not photo.file


@pytest.mark.django_db
def test_fetching_a_photo_twice_downloads_it_once(sender, wechat_on):
    wechat_on.media["m-2"] = ("image/jpeg", wx.photo_bytes())
    say(sender, wx.image(ALICE, "m-2", 81))
    photo = DraftPhoto.objects.get()
    assert drafts.fetch_photo(photo.pk) == "ready"
    assert drafts.fetch_photo(photo.pk) is None
    assert wechat_on.calls["media/get"] == 1


@pytest.mark.django_db
def test_subscribing_is_welcomed_with_the_menu(sender, settings):
    reply = say(sender, wx.event(ALICE, "subscribe"))
    assert "欢迎关注随手拍" in reply
    assert f'<a href="{settings.SITE_URL}/m/">我要上报</a>' in reply
    assert f'<a href="{settings.SITE_URL}/m/mine">我的上报</a>' in reply


@pytest.mark.django_db
@pytest.mark.parametrize(
    "xml", [wx.text(ALICE, "我的上报", 91), wx.event(ALICE, "CLICK", key="my_reports")]
)
def test_my_reports_by_chat_lists_the_followers_cases_only(sender, city, settings, xml):
    mine = reported_by(ALICE, city)
    reported_by(BOB, city)
    reply = say(sender, xml)
    assert f'<a href="{settings.SITE_URL}/m/cases/{mine.number}">{mine.number}' in reply
    assert reply.count("/m/cases/") == 1


@pytest.mark.django_db
def test_my_reports_without_cases_says_how_to_report(sender):
    reply = say(sender, wx.text(ALICE, "我的上报", 92))
    assert "还没有上报过" in reply and "照片" in reply


@pytest.mark.django_db
def test_a_voice_message_gets_the_hint(sender):
    reply = say(sender, wx.voice(ALICE, 93))
    assert "照片、位置和文字" in reply
    assert not Draft.objects.exists()
