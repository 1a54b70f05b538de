"""Whether the official account is configured, and its API host: without wechatpy, so
pages and views can ask without importing it (wechatpy and requests are ~28 MB per web
worker; officialaccount.client imports them where WeChat is actually called)."""

from django.conf import settings


def enabled() -> bool:
    """The channel is on when the account is configured; off, every page works as before."""
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET and settings.WECHAT_TOKEN)


def api_base() -> str:
    return settings.WECHAT_API_BASE.rstrip("/")
