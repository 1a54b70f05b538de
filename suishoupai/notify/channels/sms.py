"""SMS through a generic HTTP gateway (SMS_GATEWAY_URL, SMS_API_KEY).

POST {"phone": ..., "text": ..., "id": ...} with a bearer key; any 2xx is
accepted. A city's real provider (Aliyun, Tencent Cloud, a carrier's gateway)
sits behind a small relay that speaks this, or a new module beside this one.
"""

from django.conf import settings

from . import http
from .base import Channel


class SmsChannel(Channel):
    code = "sms"

    def unconfigured(self, message) -> str:
        if not settings.SMS_GATEWAY_URL:
            return "SMS is not configured (SMS_GATEWAY_URL is empty)"
        return ""

    def transmit(self, message) -> None:
        data = {
            "phone": message.address,
            "text": f"{settings.SMS_SIGNATURE}{message.body}",
            "id": str(message.pk),
        }
        headers = (
            {"Authorization": f"Bearer {settings.SMS_API_KEY}"} if settings.SMS_API_KEY else {}
        )
        http.post_json(settings.SMS_GATEWAY_URL, data, headers)
