"""WeChat official-account template messages (模板消息) to a follower's openid,
sent through wechatpy with the token every process shares
(suishoupai.officialaccount.client: cached, refreshed before expiry, one
refresh at a time; a stale token is replaced once and the send retried).

Template fields: `first` (the text), `keyword1` (case number), `keyword2`
(state), `remark`; the message opens the case page (`url`).
"""

from django.conf import settings

from .base import Channel, PermanentError

# errcodes worth another try later: WeChat busy, a token refused even after a
# refresh (someone else reset the secret?), and no answer at all (HTTP trouble).
TRANSIENT = {-1, 40001, 40014, 42001, 45009, None}


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
            "first": {"value": message.body},
            "keyword1": {"value": payload.get("case", "")},
            "keyword2": {"value": payload.get("state", "")},
            "remark": {"value": payload.get("remark", "")},
        }
        # requests and wechatpy are imported where a message is sent (a huey worker),
        # not when a web worker starts (issue 13: ~28 MB each worker).
        import requests
        from wechatpy.exceptions import APILimitedException, WeChatClientException

        from suishoupai.officialaccount.client import client

        try:
            client().message.send_template(
                message.address,
                settings.WECHAT_TEMPLATE_CASE_UPDATE,
                data,
                url=payload.get("link") or None,
            )
        except APILimitedException:
            raise ConnectionError("WeChat: too many calls today (errcode 45009)") from None
        except WeChatClientException as exc:
            # Never the exception's own text: it carries the request URL (the token).
            detail = f"WeChat errcode {exc.errcode}: {exc.errmsg or ''}".strip()
            if exc.errcode in TRANSIENT:
                raise ConnectionError(detail) from None
            raise PermanentError(detail) from None
        except requests.RequestException as exc:
            raise ConnectionError(f"WeChat unreachable: {type(exc).__name__}") from None
