"""Channels as small plugins: one module each, one instance each, by code."""

from .base import Channel, PermanentError, Suppressed
from .console import ConsoleChannel
from .email import EmailChannel
from .sms import SmsChannel
from .webhook import WebhookChannel
from .wechat import WechatChannel

CHANNELS: dict[str, Channel] = {
    c.code: c
    for c in (ConsoleChannel(), EmailChannel(), WebhookChannel(), SmsChannel(), WechatChannel())
}

__all__ = ["CHANNELS", "Channel", "PermanentError", "Suppressed"]
