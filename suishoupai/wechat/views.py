"""The official account's server URL (服务器配置 → 服务器地址): https://<host>/wechat/

GET is WeChat's check of the URL: answer `echostr` when the signature matches.
POST is a message or event as XML, plaintext or encrypted (安全模式: AES with the
EncodingAESKey, checked by `msg_signature`). The reply must leave within WeChat's
5 seconds, so nothing slow happens here: photos are fetched by the queue.

Refusals say as little as possible and log nothing of what was sent: a forged
request learns nothing, and a follower's words never reach a log file.
"""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from suishoupai.officialaccount.config import enabled

from . import chat
from .models import InboundMessage

# WeChat's messages are a few hundred bytes; an encrypted one a few KB.
MAX_BODY = 64 * 1024
SUCCESS = "success"  # WeChat's "received, no reply"


def _refuse(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def server(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    # wechatpy is imported here, not when a web worker starts (issue 13: memory).
    from wechatpy import create_reply, parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.exceptions import InvalidSignatureException
    from wechatpy.utils import check_signature

    q = request.GET
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    try:
        check_signature(settings.WECHAT_TOKEN, q.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        return _refuse(403, "invalid signature")
    if request.method == "GET":
        return HttpResponse(q.get("echostr", ""), content_type="text/plain")
    if len(request.body) > MAX_BODY:
        return _refuse(400, "too large")
    crypto = None
    xml: bytes | str = request.body
    if q.get("encrypt_type") == "aes":
        if not settings.WECHAT_AES_KEY:
            return _refuse(400, "safe mode is not configured")
        crypto = WeChatCrypto(
            settings.WECHAT_TOKEN, settings.WECHAT_AES_KEY, settings.WECHAT_APP_ID
        )
        try:
            xml = crypto.decrypt_message(request.body, q.get("msg_signature", ""), timestamp, nonce)
        except InvalidSignatureException:
            return _refuse(403, "invalid signature")
        except Exception:  # another app id, bad padding, broken XML: all a forgery can cause
            return _refuse(400, "malformed message")
    try:
        message = parse_message(xml)
    except Exception:
        return _refuse(400, "malformed message")
    if not getattr(message, "source", None):
        return _refuse(400, "malformed message")
    reply = _handle_once(message)
    if not reply:
        return HttpResponse(SUCCESS, content_type="text/plain")
    body = create_reply(reply, message).render()
    if crypto is not None:
        body = crypto.encrypt_message(body, nonce, timestamp)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _key(message) -> str:
    """WeChat's advice: MsgId for messages; sender + CreateTime for events."""
    msg_id = getattr(message, "id", None)
    raw = (
        f"msg:{msg_id}"
        if msg_id and message.type != "event"
        else f"event:{message.source}:{message._data.get('CreateTime', '')}:{message.type}"
        f":{getattr(message, 'event', '')}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _handle_once(message) -> str:
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundMessage.objects.create(key=_key(message), received_at=now)
        except IntegrityError:
            # A retry of a delivery already handled (or being handled: the unique
            # index made us wait for it): the same answer again, nothing done twice.
            first = InboundMessage.objects.filter(key=_key(message)).first()
            return first.reply if first else ""
        reply = chat.handle(message, now=now)
        if reply:
            row.reply = reply
            row.save(update_fields=["reply"])
    return reply


@require_http_methods(["GET"])
def domain_check(request: HttpRequest, code: str) -> HttpResponse:
    """WeChat checks a domain (网页授权域名, JS接口安全域名) by fetching
    /MP_verify_<code>.txt from its root; the file holds the code itself."""
    if not settings.WECHAT_DOMAIN_VERIFY or code != settings.WECHAT_DOMAIN_VERIFY:
        raise Http404
    return HttpResponse(code, content_type="text/plain")
