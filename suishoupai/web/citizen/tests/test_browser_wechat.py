"""The WeChat story in a real browser at 360×740 with WeChat's user agent, no SMS code
anywhere: a follower reports in the official account's chat (photo, location, a line
of text), opens the reply's link, is recognised by WeChat's silent sign-in, finds the
report page filled in from the chat, adds a photo and the position with the JS-SDK,
sends it, follows it, and finds it under 我的上报.

Stand-ins, as test fixtures only: WeChat's servers posting to /wechat/ are signed XML
(suishoupai/tests/fake_wechat.py), WeChat's API is the local fake server, WeChat's
authorisation page is a Playwright route that redirects back with a code, and the
JS-SDK is a small `wx` object that behaves as documented, served in place of
jweixin.js. Screenshots: artifacts/screenshots/wechat-*.png
"""

import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from suishoupai.cases.models import Case
from suishoupai.conftest import screenshot
from suishoupai.officialaccount.models import Draft
from suishoupai.places.coords import wgs84_to_gcj02
from suishoupai.tests import fake_wechat as wx
from suishoupai.triage.tests.conftest import trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
ALICE = "oAlice0123456789abcdefghijk"
# 道外区, near 三棵树, in GCJ-02 as WeChat's location message and wx.getLocation give it.
CHAT_PLACE = wgs84_to_gcj02(45.78, 126.66)
PHONE_PLACE = wgs84_to_gcj02(45.785, 126.665)

FAKE_WX = """
(function () {
  // WeChat's JS-SDK as documented: config → ready (or error); chooseImage gives localIds,
  // uploadImage turns one into a serverId (a media id on WeChat's side), getLocation
  // answers in the coordinate type asked for.
  var readyFns = [], errorFns = [], ready = false, calls = [];
  var serverIds = %(server_ids)s, place = %(place)s;
  function later(fn) { setTimeout(fn, 50); }
  window.__wx = { calls: calls };
  window.wx = window.jWeixin = {
    config: function (c) {
      window.__wx.config = c;
      later(function () {
        ready = !!(c.appId && c.signature && c.nonceStr && c.timestamp);
        if (ready) readyFns.forEach(function (f) { f(); });
        else errorFns.forEach(function (f) { f({ errMsg: "config:invalid signature" }); });
      });
    },
    ready: function (f) { if (ready) f(); else readyFns.push(f); },
    error: function (f) { errorFns.push(f); },
    chooseImage: function (o) {
      calls.push("chooseImage");
      later(function () {
        o.success({ errMsg: "chooseImage:ok", sourceType: "camera",
                    localIds: Object.keys(serverIds).slice(0, o.count) });
      });
    },
    uploadImage: function (o) {
      calls.push("uploadImage");
      later(function () {
        o.success({ errMsg: "uploadImage:ok", serverId: serverIds[o.localId] });
      });
    },
    getLocation: function (o) {
      calls.push("getLocation:" + o.type);
      later(function () {
        o.success({ errMsg: "getLocation:ok", latitude: place[0], longitude: place[1],
                    speed: 0, accuracy: 30 });
      });
    }
  };
})();
"""


@pytest.fixture
def harbin(settings, live_server, wechat_on, tmp_path):
    if not PHOTOS.is_dir():
        pytest.skip(f"shared test photos not found at {PHOTOS}")
    call_command("load_reference", verbosity=0)
    trained_model()  # the category suggestion reads the chat's words
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    # What WeChat holds: the chat photo and the one the JS-SDK uploads.
    wechat_on.media["chat-photo"] = ("image/jpeg", (PHOTOS / "street_garbage_1.jpg").read_bytes())
    wechat_on.media["sdk-photo"] = ("image/jpeg", (PHOTOS / "street_garbage_2.jpg").read_bytes())
    return wechat_on


def wechat_authorisation(api):
    """WeChat's authorisation page: silent for snsapi_base, straight back with a code."""

    def answer(route):
        query = parse_qs(urlsplit(route.request.url).query)
        assert query["scope"] == ["snsapi_base"]
        api.codes["code-from-wechat"] = ALICE
        back = (
            query["redirect_uri"][0]
            + "?"
            + urlencode({"code": "code-from-wechat", "state": query["state"][0]})
        )
        route.fulfill(status=302, headers={"Location": back})

    return answer


def test_a_follower_reports_by_chat_and_sends_it_from_the_page_without_an_sms_code(
    live_server, phone, harbin
):
    api = harbin
    chat = wx.WeChatSender(Client())

    # ---- in the chat
    def say(xml):
        response = chat.post(xml, openid=ALICE)
        assert response.status_code == 200
        return chat.reply_text(response)

    assert "欢迎关注随手拍" in say(wx.event(ALICE, "subscribe", at=1764032000))
    say(wx.image(ALICE, "chat-photo", 5001))
    say(wx.location(ALICE, *CHAT_PLACE, "道外区三棵树大街", 5002))
    reply = say(wx.text(ALICE, "路边堆了很多垃圾，好几天没人清", 5003))
    assert "照片 1 张" in reply and "还可以发送" not in reply
    link = reply.split('<a href="', 1)[1].split('"', 1)[0]
    assert link.startswith(f"{live_server.url}/m/#d=")
    assert api.calls["media/get"] == 1  # fetched by the queue once the reply had left

    # ---- the link, inside WeChat
    page = phone
    page.route("https://open.weixin.qq.com/**", wechat_authorisation(api))
    page.route(
        "**/static/vendor/weixin/jweixin.js",
        lambda route: route.fulfill(
            content_type="application/javascript",
            body=FAKE_WX
            % {
                "server_ids": json.dumps({"weixin://resourceid/1": "sdk-photo"}),
                "place": json.dumps(list(PHONE_PLACE)),
            },
        ),
    )
    page.goto(link)
    expect(page.locator("#description")).to_have_value("路边堆了很多垃圾，好几天没人清")
    assert "#d=" not in page.url  # the draft's token left the address bar
    assert api.calls["sns/oauth2/access_token"] == 1  # recognised, silently
    expect(page.locator("#address")).to_have_value("道外区三棵树大街")
    expect(page.locator("#place-status")).to_contain_text("道外区")
    expect(page.locator(".thumb img")).to_have_count(1)
    screenshot(page, "wechat-1-draft-from-chat")

    # The JS-SDK was configured with a signature made from the cached ticket.
    config = page.evaluate("() => window.__wx.config")
    signed = (
        f"jsapi_ticket=ticket-{api.calls['token'] + 1}&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url={live_server.url}/m/"
    )
    expect(page.locator("html.wx-ready")).to_have_count(1)
    assert config["signature"] == hashlib.sha1(signed.encode()).hexdigest()

    # A second photo with the camera through the JS-SDK, and the position from WeChat.
    page.locator("#photo-add").click()
    expect(page.locator(".thumb img")).to_have_count(2)
    page.click("#locate-me")
    expect(page.locator("#place-status")).to_contain_text("道外区")
    assert page.evaluate("() => window.__wx.calls") == [
        "chooseImage",
        "uploadImage",
        "getLocation:gcj02",
    ]

    # The kind of problem is suggested from the chat's words (chosen for the follower only
    # when the model is confident; this text could be 垃圾清运 or 环境卫生): one tap for
    # the kind, one to send.
    expect(page.locator("#triage-chips .chip").first).to_contain_text("垃圾")
    page.locator("label.cat", has_text="环境卫生").click()
    screenshot(page, "wechat-2-ready-to-send")
    page.click("#send")
    expect(page.locator("#done")).to_be_visible()
    number = page.locator("#done-number").inner_text()
    screenshot(page, "wechat-3-sent")

    case = Case.objects.get(number=number)
    assert case.reporter_openid == ALICE and case.reporter_phone == ""
    assert case.photos.count() == 2
    assert case.district.name == "道外区"
    assert abs(case.lat - 45.785) < 0.0002 and abs(case.lng - 126.665) < 0.0002  # GCJ-02 → WGS-84
    draft = Draft.objects.get()
    assert draft.case == case and not draft.photos.exclude(file="").exists()

    # ---- follow it, and find it under 我的上报 on a phone that never kept its token
    page.click("#done-follow")
    expect(page.locator("#c-number")).to_have_text(number)
    page.evaluate("() => localStorage.clear()")
    page.goto(live_server.url + "/m/mine")
    expect(page.locator("#mine-list li")).to_have_count(1)
    expect(page.locator("#mine-list")).to_contain_text(number)
    expect(page.locator("#wechat-known")).to_be_visible()
    expect(page.locator("#p-code-cell")).to_be_hidden()
    screenshot(page, "wechat-4-mine")
    assert ALICE not in page.content()

    # ---- and by chat
    assert number in say(wx.text(ALICE, "我的上报", 5004))
