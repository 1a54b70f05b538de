"""OAuth snsapi_base (state checked, code exchanged once) and the JS-SDK signature."""

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from suishoupai.errors import InvalidInput
from suishoupai.officialaccount import identity, jssdk
from suishoupai.tests import fake_wechat as wx

pytestmark = pytest.mark.django_db  # the token cache lives in the database cache

ALICE = "oAlice0123456789abcdefghijk"
CALLBACK = "https://ssp.example.gov.cn/m/oauth"


def _back(start_response, **query):
    """The browser coming back from WeChat with the cookie it was given."""
    request = RequestFactory().get("/m/oauth", query)
    request.COOKIES[identity.STATE_COOKIE] = start_response.cookies[identity.STATE_COOKIE].value
    return request


def test_start_sends_the_browser_to_wechats_silent_authorisation(wechat_on):
    response = identity.start(CALLBACK, "/m/mine")
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == (
        "https",
        "open.weixin.qq.com",
        "/connect/oauth2/authorize",
    )
    query = parse_qs(target.query)
    assert query["appid"] == [wx.APP_ID] and query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == [CALLBACK] and len(query["state"][0]) >= 16
    assert target.fragment == "wechat_redirect"
    cookie = response.cookies[identity.STATE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == identity.STATE_MAX_AGE


def test_finish_exchanges_the_code_once_for_the_openid(wechat_on):
    started = identity.start(CALLBACK, "/m/mine")
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    wechat_on.codes["code-1"] = ALICE
    openid, next_path = identity.finish(_back(started, code="code-1", state=state), CALLBACK)
    assert (openid, next_path) == (ALICE, "/m/mine")
    assert wechat_on.calls["sns/oauth2/access_token"] == 1
    with pytest.raises(InvalidInput):  # WeChat's codes work once
        identity.finish(_back(started, code="code-1", state=state), CALLBACK)


def test_a_state_that_is_not_this_browsers_is_refused_before_asking_wechat(wechat_on):
    started = identity.start(CALLBACK, "/m/mine")
    wechat_on.codes["code-2"] = ALICE
    with pytest.raises(InvalidInput) as refused:
        identity.finish(_back(started, code="code-2", state="someone-elses"), CALLBACK)
    assert refused.value.code == "oauth_state"
    assert wechat_on.calls["sns/oauth2/access_token"] == 0


def test_without_the_state_cookie_nothing_is_accepted(wechat_on):
    request = RequestFactory().get("/m/oauth", {"code": "c", "state": "s"})
    with pytest.raises(InvalidInput):
        identity.finish(request, CALLBACK)


def test_the_openid_cookie_is_signed_and_http_only(settings):
    response = identity.finished(HttpResponse(), ALICE)
    cookie = response.cookies[identity.OPENID_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    request = RequestFactory().get("/m/mine")
    request.COOKIES[identity.OPENID_COOKIE] = cookie.value
    assert identity.openid(request) == ALICE
    request.COOKIES[identity.OPENID_COOKIE] = cookie.value.replace(ALICE, "oMallory")
    assert identity.openid(request) is None


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/m/mine", "/m/mine"),
        ("/m/#d=abc", "/m/#d=abc"),
        ("//evil.example/x", "/m/"),
        ("https://evil.example/", "/m/"),
        ("javascript:alert(1)", "/m/"),
        ("", "/m/"),
    ],
)
def test_only_a_path_on_this_site_is_returned_to(path, expected):
    assert identity.safe_next(path, "/m/") == expected


def test_only_wechats_browser_is_sent_to_oauth(wechat_on):
    inside = RequestFactory().get("/m/", HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0.47")
    outside = RequestFactory().get("/m/", HTTP_USER_AGENT="Mozilla/5.0 Chrome/120")
    assert identity.wants_oauth(inside) and not identity.wants_oauth(outside)


def test_with_the_account_off_nobody_is_sent_to_oauth(settings):
    settings.WECHAT_APP_ID = ""
    inside = RequestFactory().get("/m/", HTTP_USER_AGENT="MicroMessenger/8.0.47")
    assert not identity.wants_oauth(inside)


def test_the_jssdk_signature_is_wechats_documented_sha1():
    # The worked example of WeChat's JS-SDK documentation (附录1-JS-SDK使用权限签名算法).
    from wechatpy.client.api.jsapi import WeChatJSAPI

    signature = WeChatJSAPI(None).get_jsapi_signature(
        "Wm3WZYTPz0wzccnW",
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        1414587457,
        "http://mp.weixin.qq.com?params=value",
    )
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_page_config_signs_the_url_without_its_fragment_with_the_cached_ticket(wechat_on):
    first = jssdk.config("https://ssp.example.gov.cn/m/?x=1#d=secret", now=1764032400)
    second = jssdk.config("https://ssp.example.gov.cn/m/?x=1", now=1764032400)
    assert wechat_on.calls["ticket/getticket"] == 1
    raw = (
        f"jsapi_ticket=ticket-2&noncestr={first['nonceStr']}&timestamp=1764032400"
        "&url=https://ssp.example.gov.cn/m/?x=1"
    )
    assert first["signature"] == hashlib.sha1(raw.encode()).hexdigest()
    assert first["appId"] == wx.APP_ID and "getLocation" in first["jsApiList"]
    assert second["nonceStr"] != first["nonceStr"]
