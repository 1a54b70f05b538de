"""Both sides of WeChat for tests, none of it part of the product.

- FakeWeChatAPI: a small HTTP server on loopback answering the documented JSON of
  the official-account API calls the product makes (access token, jsapi ticket,
  OAuth code exchange, media download, template message, menu), counting every
  call. wechatpy is pointed at it through WECHAT_API_BASE.
- WeChatSender: what WeChat's servers POST to our server URL: the documented XML,
  signed with the token, and in 安全模式 encrypted with wechatpy's own crypto.
"""

import hashlib
import io
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from wechatpy.crypto import WeChatCrypto

APP_ID = "wx5823bf96d3bd56c7"
APP_SECRET = "test-app-secret"
TOKEN = "suishoupai-test-token"
# A 43-character EncodingAESKey as the mp console generates them.
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ACCOUNT = "gh_3f2a1b0c9d8e"  # the official account's own id (ToUserName)


def photo_bytes(size=(800, 600), color=(120, 140, 90)) -> bytes:
    """A real JPEG as WeChat serves a chat photo (it recompresses them)."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):
        image.paste((200, 60, 40), (x, 0, x + 10, size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclass
class FakeWeChatAPI:
    url: str = ""
    calls: Counter = field(default_factory=Counter)
    # OAuth codes WeChat would hand to the browser: code → openid (each works once).
    codes: dict[str, str] = field(default_factory=dict)
    # media_id → (content type, bytes) for media/get.
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    templates: list[dict] = field(default_factory=list)
    menus: list[dict] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    # Seconds the token endpoint takes: makes concurrent refreshes overlap for real.
    token_delay: float = 0.0
    # errcode for the next template sends (then ok).
    template_errors: list[int] = field(default_factory=list)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    def expire_tokens(self) -> None:
        """WeChat's side forgets every token (42001 for the next call)."""
        self.valid_tokens.clear()

    def answer(self, method: str, path: str, query: dict, body: bytes):
        name = path.removeprefix("/cgi-bin/").removeprefix("/")
        self.calls[name] += 1
        if name == "token":
            return self._token(query)
        if name == "sns/oauth2/access_token":
            return self._oauth(query)
        if query.get("access_token") not in self.valid_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if name == "ticket/getticket":
            return {
                "errcode": 0,
                "errmsg": "ok",
                "ticket": f"ticket-{next(self._serial)}",
                "expires_in": 7200,
            }
        if name == "media/get":
            found = self.media.get(query.get("media_id", ""))
            if found is None:
                return {"errcode": 40007, "errmsg": "invalid media_id"}
            return found
        if name == "message/template/send":
            if self.template_errors:
                code = self.template_errors.pop(0)
                return {"errcode": code, "errmsg": "refused"}
            self.templates.append(json.loads(body))
            return {"errcode": 0, "errmsg": "ok", "msgid": next(self._serial)}
        if name == "menu/create":
            self.menus.append(json.loads(body))
            return {"errcode": 0, "errmsg": "ok"}
        return {"errcode": 40004, "errmsg": "unknown api in the test fake"}

    def _token(self, query):
        if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        time.sleep(self.token_delay)
        token = f"token-{next(self._serial)}"
        self.valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _oauth(self, query):
        openid = self.codes.pop(query.get("code", ""), None)
        if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET or not openid:
            return {"errcode": 40029, "errmsg": "invalid code"}
        return {
            "access_token": "oauth-token",
            "expires_in": 7200,
            "refresh_token": "oauth-refresh",
            "openid": openid,
            "scope": "snsapi_base",
        }


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _serve(self):
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = fake.answer(self.command, parts.path, query, body)
        if isinstance(answer, tuple):
            content_type, payload = answer
        else:
            content_type, payload = "application/json", json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve
    do_POST = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def start() -> tuple[FakeWeChatAPI, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeWeChatAPI(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.fake = fake
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


# ---------------------------------------------------------------- WeChat's servers


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class WeChatSender:
    """Deliver XML to the server URL as WeChat's servers do."""

    def __init__(self, client, *, encrypted: bool = False, token: str = TOKEN):
        self.client = client
        self.encrypted = encrypted
        self.token = token
        self._nonce = itertools.count(1000)

    def query(self, timestamp: str, nonce: str, **extra) -> dict:
        return {
            "signature": sign(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            **extra,
        }

    def post(self, xml: str, *, openid: str = "", timestamp: str | None = None):
        timestamp = timestamp or str(int(time.time()))
        nonce = str(next(self._nonce))
        query = self.query(timestamp, nonce, openid=openid)
        body = xml
        if self.encrypted:
            crypto = WeChatCrypto(self.token, AES_KEY, APP_ID)
            sealed = crypto.encrypt_message(xml, nonce, timestamp)
            encrypt = _between(sealed, "<Encrypt><![CDATA[", "]]></Encrypt>")
            query.update(
                encrypt_type="aes", msg_signature=sign(self.token, timestamp, nonce, encrypt)
            )
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            )
        path = "/wechat/?" + "&".join(f"{k}={v}" for k, v in query.items())
        response = self.client.post(path, data=body.encode(), content_type="text/xml")
        response.sent_timestamp, response.sent_nonce = timestamp, nonce
        return response

    def reply_text(self, response) -> str:
        """The text of our reply, decrypted in safe mode as WeChat would."""
        xml = response.content.decode()
        if self.encrypted:
            crypto = WeChatCrypto(self.token, AES_KEY, APP_ID)
            signature = _between(xml, "<MsgSignature><![CDATA[", "]]></MsgSignature>")
            timestamp = _between(xml, "<TimeStamp>", "</TimeStamp>")
            nonce = _between(xml, "<Nonce><![CDATA[", "]]></Nonce>")
            xml = crypto.decrypt_message(xml, signature, timestamp, nonce)
        return _between(xml, "<Content><![CDATA[", "]]></Content>")


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


# The documented XML of each message (developers.weixin.qq.com, 接收普通消息 / 接收事件推送).


def text(openid: str, content: str, msg_id: int, at: int = 1764032400) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def image(openid: str, media_id: str, msg_id: int, at: int = 1764032400) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime>"
        f"<MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[http://mmbiz.qpic.cn/test/{media_id}]]></PicUrl>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{msg_id}</MsgId></xml>"
    )


def location(
    openid: str, lat: float, lng: float, label: str, msg_id: int, at: int = 1764032400
) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime>"
        f"<MsgType><![CDATA[location]]></MsgType><Location_X>{lat}</Location_X>"
        f"<Location_Y>{lng}</Location_Y><Scale>15</Scale><Label><![CDATA[{label}]]></Label>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event(openid: str, name: str, at: int = 1764032400, key: str = "") -> str:
    extra = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{name}]]></Event>{extra}</xml>"
    )


def voice(openid: str, msg_id: int, at: int = 1764032400) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime>"
        f"<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[v1]]></MediaId>"
        f"<Format><![CDATA[amr]]></Format><MsgId>{msg_id}</MsgId></xml>"
    )
