"""The citizen pages inside WeChat: identity by OAuth instead of an SMS code, the
JS-SDK config, the chat's draft; and outside WeChat, or with the account not
configured, everything as before."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import report
from suishoupai.conftest import WECHAT_UA
from suishoupai.officialaccount import identity
from suishoupai.officialaccount import services as drafts
from suishoupai.tests import fake_wechat as wx

pytestmark = pytest.mark.django_db

ALICE = "oAlice0123456789abcdefghijk"
BOB = "oBob00123456789abcdefghijkl"
BROWSER_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_wechat(openid: str | None = None) -> Client:
    client = Client(HTTP_USER_AGENT=WECHAT_UA)
    if openid:
        signed = identity.finished(HttpResponse(), openid).cookies[identity.OPENID_COOKIE]
        client.cookies[identity.OPENID_COOKIE] = signed.value
    return client


def reported_by(city, openid="", phone=""):
    case = report(city)
    Case.objects.filter(pk=case.pk).update(reporter_openid=openid, reporter_phone=phone)
    return Case.objects.get(pk=case.pk)


def config(page) -> dict:
    html = page.content.decode()
    return json.loads(
        html.split('id="config" type="application/json">', 1)[1].split("</script>")[0]
    )


# ------------------------------------------------------------------ as before


def test_with_the_account_off_wechat_sees_todays_pages(city, settings):
    settings.WECHAT_APP_ID = ""
    page = in_wechat().get("/m/")
    assert page.status_code == 200 and config(page)["wechat"] is None
    assert "jweixin" not in page.content.decode()
    mine = in_wechat().get("/m/mine").content.decode()
    assert 'id="phone-form"' in mine and "wechat-known" not in mine


def test_outside_wechat_the_page_is_todays_even_with_the_account_on(city, wechat_on):
    page = Client(HTTP_USER_AGENT=BROWSER_UA).get("/m/")
    assert page.status_code == 200 and config(page)["wechat"] is None
    assert wechat_on.calls["ticket/getticket"] == 0


# ------------------------------------------------------------------ OAuth


def test_inside_wechat_an_unknown_citizen_goes_through_the_silent_sign_in_first(city, wechat_on):
    page = in_wechat().get("/m/mine")
    html = page.content.decode()
    assert 'data-oauth="/m/oauth/start"' in html and "oauth.js" in html
    assert page["Cache-Control"] == "private, no-store"


def test_the_round_trip_gives_the_openid_cookie_and_returns_to_the_page(city, wechat_on, settings):
    client = in_wechat()
    started = client.get("/m/oauth/start", {"next": "/m/#d=abc"})
    target = urlsplit(started["Location"])
    assert target.netloc == "open.weixin.qq.com"
    query = parse_qs(target.query)
    assert query["redirect_uri"] == [f"{settings.SITE_URL}/m/oauth"]
    assert query["scope"] == ["snsapi_base"]
    wechat_on.codes["code-9"] = ALICE
    back = client.get("/m/oauth", {"code": "code-9", "state": query["state"][0]})
    assert back.status_code == 302 and back["Location"] == "/m/#d=abc"
    assert identity.OPENID_COOKIE in back.cookies
    assert ALICE not in back["Location"]
    # Known now: the page itself, no second trip.
    assert 'data-oauth="' not in client.get("/m/mine").content.decode()


def test_a_forged_state_gives_no_identity_and_no_loop(city, wechat_on):
    client = in_wechat()
    client.get("/m/oauth/start", {"next": "/m/mine"})
    wechat_on.codes["code-10"] = ALICE
    back = client.get("/m/oauth", {"code": "code-10", "state": "forged"})
    assert back.status_code == 302 and back["Location"] == "/m/"
    assert identity.OPENID_COOKIE not in back.cookies
    assert wechat_on.calls["sns/oauth2/access_token"] == 0
    page = client.get("/m/mine").content.decode()
    assert 'data-oauth="' not in page and 'id="phone-form"' in page  # the SMS path still there


def test_the_return_address_stays_on_this_site(city, wechat_on):
    client = in_wechat()
    started = client.get("/m/oauth/start", {"next": "https://evil.example/"})
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    wechat_on.codes["code-11"] = ALICE
    assert client.get("/m/oauth", {"code": "code-11", "state": state})["Location"] == "/m/"


# ------------------------------------------------------------------ identity in use


def test_my_reports_merges_wechat_phone_and_this_devices_cases(city, wechat_on):
    by_wechat = reported_by(city, openid=ALICE)
    by_phone = reported_by(city, phone="13800000001")
    by_bob = reported_by(city, openid=BOB)
    client = in_wechat(ALICE)
    mine = client.get("/m/mine").content.decode()
    assert 'id="wechat-known"' in mine and ALICE not in mine
    numbers = lambda: {  # noqa: E731
        c["number"]
        for c in json.loads(
            client.post("/m/api/mine", "{}", content_type="application/json").content
        )["cases"]
    }
    assert numbers() == {by_wechat.number}
    from suishoupai.web.citizen import views

    confirmed = HttpResponse()
    confirmed.set_signed_cookie(views.PHONE_COOKIE, "13800000001", salt=views.PHONE_SALT)
    client.cookies[views.PHONE_COOKIE] = confirmed.cookies[views.PHONE_COOKIE].value
    assert numbers() == {by_wechat.number, by_phone.number}
    assert by_bob.number not in numbers()


def test_the_follower_opens_their_case_without_token_or_code(city, wechat_on):
    case = reported_by(city, openid=ALICE)
    mine = in_wechat(ALICE).get(f"/m/api/cases/{case.number}")
    assert mine.status_code == 200 and ALICE not in mine.content.decode()
    assert in_wechat(BOB).get(f"/m/api/cases/{case.number}").status_code == 404


def test_the_report_page_inside_wechat_carries_a_signed_wx_config(city, wechat_on, settings):
    page = in_wechat(ALICE).get("/m/?from=menu")
    cfg = config(page)["wechat"]
    assert cfg["appId"] == wx.APP_ID and {"chooseImage", "getLocation"} <= set(cfg["jsApiList"])
    import hashlib

    raw = (
        f"jsapi_ticket=ticket-2&noncestr={cfg['nonceStr']}&timestamp={cfg['timestamp']}"
        f"&url={settings.SITE_URL}/m/?from=menu"
    )
    assert cfg["signature"] == hashlib.sha1(raw.encode()).hexdigest()
    html = page.content.decode()
    assert "vendor/weixin/jweixin.js" in html and "citizen/wechat.js" in html
    assert ALICE not in html


# ------------------------------------------------------------------ the draft


def test_the_draft_opens_with_its_token_only_and_never_shows_the_openid(city, wechat_on):
    draft = drafts.add_text(ALICE, "井盖没了")
    drafts.add_location(ALICE, 45.781, 126.652, "道外区北新街")
    token = drafts.token_for(draft)
    answer = Client().get("/m/api/draft", headers={"X-Draft-Token": token})
    data = json.loads(answer.content)
    assert (data["text"], data["coord_system"], data["address"]) == (
        "井盖没了",
        "gcj02",
        "道外区北新街",
    )
    assert ALICE not in answer.content.decode()
    assert answer["Cache-Control"] == "private, no-store"
    # One character changed (never the same one: a token may end in "0" already).
    forged_token = token[:-1] + ("1" if token.endswith("0") else "0")
    forged = Client().get("/m/api/draft", headers={"X-Draft-Token": forged_token})
    assert forged.status_code == 404


def test_a_chat_photo_is_served_to_the_draft_holder_only(
    city, wechat_on, django_capture_on_commit_callbacks
):
    wechat_on.media["m-1"] = ("image/jpeg", wx.photo_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        photo = drafts.add_photo(ALICE, "m-1")
    token = drafts.token_for(photo.draft)
    got = Client().get(f"/m/api/draft/photos/{photo.pk}", headers={"X-Draft-Token": token})
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content)[:2] == b"\xff\xd8"
    other = drafts.token_for(drafts.add_text(BOB, "别人的草稿"))
    assert (
        Client().get(f"/m/api/draft/photos/{photo.pk}", headers={"X-Draft-Token": other})
    ).status_code == 404


def test_a_jssdk_photo_is_fetched_into_the_followers_draft(
    city, wechat_on, django_capture_on_commit_callbacks
):
    wechat_on.media["server-1"] = ("image/jpeg", wx.photo_bytes())
    client = in_wechat(ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/m/api/draft/photos", {"media_id": "server-1"}, content_type="application/json"
        )
    data = json.loads(answer.content)
    draft = drafts.draft_for_token(data["token"])
    assert draft.openid == ALICE and draft.photos.get().status == "ready"
    assert wechat_on.calls["media/get"] == 1


def test_without_wechat_identity_a_jssdk_photo_is_refused(city, wechat_on):
    answer = Client().post(
        "/m/api/draft/photos", {"media_id": "server-1"}, content_type="application/json"
    )
    assert answer.status_code == 403 and "微信" in json.loads(answer.content)["detail"]


def test_with_wechat_unreachable_the_page_comes_at_once_without_the_jssdk(
    city, wechat_on, settings
):
    settings.WECHAT_APP_SECRET = "wrong"  # WeChat refuses the token
    first = in_wechat(ALICE).get("/m/")
    assert first.status_code == 200 and config(first)["wechat"] is None
    again = in_wechat(ALICE).get("/m/")
    assert config(again)["wechat"] is None
    assert wechat_on.calls["token"] == 1  # the second page did not ask WeChat again
