"""Signed JSON POST to a department's system.

The receiver checks X-Suishoupai-Signature: "sha256=" + hex HMAC-SHA256, keyed
with the endpoint's secret, over "<X-Suishoupai-Timestamp>." + the raw body.
Signing the timestamp too lets the receiver refuse replays of old requests.
X-Suishoupai-Message-Id is stable across retries so the receiver can drop repeats.
"""

import hashlib
import hmac
import time

from . import http
from .base import Channel


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookChannel(Channel):
    code = "webhook"

    def unconfigured(self, message) -> str:
        if not message.address.startswith(("http://", "https://")):
            return "webhook address is not an http(s) URL"
        if message.contact is None or not message.contact.secret:
            return "webhook has no secret (set one on the department contact)"
        return ""

    def transmit(self, message) -> None:
        body = http.encode(message.payload | {"message_id": message.pk, "text": message.body})
        timestamp = str(int(time.time()))
        headers = {
            "X-Suishoupai-Timestamp": timestamp,
            "X-Suishoupai-Signature": sign(message.contact.secret, timestamp, body),
            "X-Suishoupai-Message-Id": str(message.pk),
        }
        http.request(message.address, body=body, headers=headers)
