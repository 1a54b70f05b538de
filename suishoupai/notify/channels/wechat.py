"""WeChat official-account template messages (模板消息) to a follower's openid.

The access token is fetched with WECHAT_APP_ID / WECHAT_APP_SECRET and kept in
the cache until shortly before it expires (WeChat limits token requests per day).
"""

import json

from django.conf import settings
from django.core.cache import cache

from . import http
from .base import Channel, PermanentError

TOKEN_KEY = "notify:wechat:access_token"
# errcodes meaning the token went stale: fetch a new one and retry later.
TOKEN_ERRORS = {40001, 40014, 42001}


class WechatChannel(Channel):
    code = "wechat"

    def unconfigured(self, message) -> str:
        if not (settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET):
            return "WeChat is not configured (WECHAT_APP_ID / WECHAT_APP_SECRET)"
        if not settings.WECHAT_TEMPLATE_CASE_UPDATE:
            return "WeChat template is not configured (WECHAT_TEMPLATE_CASE_UPDATE)"
        return ""

    def transmit(self, message) -> None:
        payload = message.payload
        data = {
            "touser": message.address,
            "template_id": settings.WECHAT_TEMPLATE_CASE_UPDATE,
            "url": payload.get("link", ""),
            "data": {
                "first": {"value": message.body},
                "keyword1": {"value": payload.get("case", "")},
                "keyword2": {"value": payload.get("state", "")},
                "remark": {"value": payload.get("remark", "")},
            },
        }
        url = f"{settings.WECHAT_API_BASE}/cgi-bin/message/template/send?access_token={_token()}"
        answer = json.loads(http.post_json(url, data))
        code = answer.get("errcode", 0)
        if code in TOKEN_ERRORS:
            cache.delete(TOKEN_KEY)
            raise ConnectionError(f"WeChat access token expired (errcode {code})")
        if code:
            raise PermanentError(f"WeChat errcode {code}: {answer.get('errmsg', '')}")


def _token() -> str:
    token = cache.get(TOKEN_KEY)
    if token:
        return token
    url = (
        f"{settings.WECHAT_API_BASE}/cgi-bin/token?grant_type=client_credential"
        f"&appid={settings.WECHAT_APP_ID}&secret={settings.WECHAT_APP_SECRET}"
    )
    answer = json.loads(http.request(url))
    if "access_token" not in answer:
        raise ConnectionError(f"WeChat token refused (errcode {answer.get('errcode')})")
    cache.set(TOKEN_KEY, answer["access_token"], max(60, int(answer.get("expires_in", 7200)) - 300))
    return answer["access_token"]
