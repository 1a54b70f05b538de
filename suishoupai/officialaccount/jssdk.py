"""The JS-SDK's wx.config for a page, signed on the server with the cached
jsapi_ticket (shared by every process, refreshed before it expires)."""

import secrets
import time

# What the report page uses: photos from the camera or album (uploaded to WeChat,
# fetched by the server through the media API) and the position in GCJ-02.
JS_APIS = ["chooseImage", "uploadImage", "getLocation"]


def config(url: str, *, now: float | None = None) -> dict:
    """`url` is the page's full address without the #fragment, as WeChat checks it."""
    # wechatpy is imported when a page inside WeChat asks, not when a web worker starts.
    from wechatpy.client.api.jsapi import WeChatJSAPI

    from .client import client

    api = client()
    ticket = api.jsapi_ticket()
    timestamp = int(now if now is not None else time.time())
    nonce = secrets.token_hex(8)
    signature = WeChatJSAPI(api).get_jsapi_signature(nonce, ticket, timestamp, url.split("#")[0])
    return {
        "appId": api.appid,
        "timestamp": timestamp,
        "nonceStr": nonce,
        "signature": signature,
        "jsApiList": JS_APIS,
    }
