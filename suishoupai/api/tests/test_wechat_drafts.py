"""Sending a report from a WeChat draft: the kept photos and the follower come with
it, the draft closes, and a retry after a lost answer finds the same case."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client

from suishoupai.cases.models import Case, Channel
from suishoupai.factories import DAOWAI
from suishoupai.officialaccount import identity
from suishoupai.officialaccount import services as drafts
from suishoupai.officialaccount.models import Draft
from suishoupai.places.coords import wgs84_to_gcj02
from suishoupai.tests import fake_wechat as wx

pytestmark = pytest.mark.django_db

ALICE = "oAlice0123456789abcdefghijk"
BOB = "oBob00123456789abcdefghijkl"
KEY = "k" * 24


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chat_draft(city, wechat_on, django_capture_on_commit_callbacks):
    """Alice's chat: two photos, her location (GCJ-02) and a line of text."""
    wechat_on.media["a"] = ("image/jpeg", wx.photo_bytes(color=(10, 20, 30)))
    wechat_on.media["b"] = ("image/jpeg", wx.photo_bytes(color=(200, 100, 50)))
    with django_capture_on_commit_callbacks(execute=True):
        first = drafts.add_photo(ALICE, "a")
        second = drafts.add_photo(ALICE, "b")
    drafts.add_location(ALICE, *wgs84_to_gcj02(*DAOWAI), "道外区")
    draft = drafts.add_text(ALICE, "垃圾堆了好几天")
    return draft, first, second


def send(draft, kept, client=None, key=KEY, **extra):
    body = {
        "category": "sanitation",
        "description": draft.text or "垃圾堆了好几天",
        "lat": draft.lat,
        "lng": draft.lng,
        "coord_system": "gcj02",
        "draft": drafts.token_for(draft),
        "draft_photos": ",".join(str(p.pk) for p in kept),
        **extra,
    }
    return (client or Client()).post(
        "/api/v1/cases",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_the_kept_photos_and_the_follower_come_with_the_report(chat_draft):
    draft, _first, second = chat_draft
    answer = send(draft, [second])
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(number=answer.json()["number"])
    assert case.reporter_openid == ALICE
    assert case.channel == Channel.WECHAT  # counted as the WeChat channel in the statistics
    assert case.photos.count() == 1
    assert case.photos.get().sha256 != ""  # an ordinary original, queued for its copies
    assert abs(case.lat - DAOWAI[0]) < 1e-4 and abs(case.lng - DAOWAI[1]) < 1e-4
    draft.refresh_from_db()
    assert draft.case == case and draft.submitted_at is not None
    assert ALICE not in answer.content.decode()


def test_a_retry_after_a_lost_answer_finds_the_same_case(chat_draft):
    draft, first, second = chat_draft
    number = send(draft, [first, second]).json()["number"]
    again = send(draft, [first, second])
    assert again.status_code == 201 and again.json()["number"] == number
    assert Case.objects.count() == 1 and Case.objects.get().photos.count() == 2


def test_a_sent_draft_cannot_make_a_second_case(chat_draft):
    draft, first, _second = chat_draft
    send(draft, [first])
    other = send(draft, [first], key="z" * 24)
    assert other.status_code == 404 and Case.objects.count() == 1


def test_a_forged_draft_token_is_refused_and_nothing_stored(chat_draft):
    draft, _first, _second = chat_draft
    body = {"category": "sanitation", "description": "x", "lat": DAOWAI[0], "lng": DAOWAI[1]}
    body["draft"] = f"{draft.key}-{'0' * 32}"
    answer = Client().post("/api/v1/cases", json.dumps(body), content_type="application/json")
    assert answer.status_code == 404 and not Case.objects.exists()


def test_photos_still_coming_from_wechat_hold_the_sending(city, wechat_on):
    photo = drafts.add_photo(ALICE, "slow")  # not fetched yet
    draft = drafts.add_text(ALICE, "路灯不亮")
    answer = send(draft, [photo], lat=DAOWAI[0], lng=DAOWAI[1], coord_system="wgs84")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "photos"
    assert not Case.objects.exists()
    assert Draft.objects.get().submitted_at is None


def test_draft_and_uploaded_photos_together_keep_the_limit(chat_draft, settings):
    settings.PHOTO_MAX_COUNT = 2
    draft, first, second = chat_draft
    body = {
        "category": "sanitation",
        "description": "垃圾",
        "lat": str(draft.lat),
        "lng": str(draft.lng),
        "coord_system": "gcj02",
        "draft": drafts.token_for(draft),
        "draft_photos": f"{first.pk},{second.pk}",
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.jpg", wx.photo_bytes(), content_type="image/jpeg")
    answer = Client().post("/api/v1/cases", {**body, "photos": [upload]})
    assert answer.status_code == 400 and "最多" in answer.json()["detail"]
    assert not Case.objects.exists()


def test_the_page_known_follower_is_the_reporter_of_a_report_without_a_draft(city, wechat_on):
    client = Client()
    signed = identity.finished(HttpResponse(), BOB).cookies[identity.OPENID_COOKIE]
    client.cookies[identity.OPENID_COOKIE] = signed.value
    body = {"category": "sanitation", "description": "树倒了", "lat": DAOWAI[0], "lng": DAOWAI[1]}
    answer = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    assert Case.objects.get().reporter_openid == BOB
    assert Case.objects.get().channel == Channel.WECHAT


def test_a_report_from_outside_wechat_is_the_citizen_channel(city):
    body = {"category": "sanitation", "description": "树倒了", "lat": DAOWAI[0], "lng": DAOWAI[1]}
    answer = Client().post("/api/v1/cases", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    assert Case.objects.get().channel == Channel.CITIZEN
