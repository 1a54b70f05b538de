"""The city's WeChat official account as a service for every part of the product.

One wechatpy client, configured from settings: the API host from WECHAT_API_BASE
(wechatpy keeps it in the class attribute API_BASE_URL and hard-codes the token
URL, so both are set here), a timeout on every request, and the access token and
jsapi_ticket kept in Django's cache, so every process (web workers, huey workers)
shares one token. A token is refreshed REFRESH_BEFORE seconds before it expires,
by one process at a time: a cache lock (an atomic `add`) decides which.
"""

import time
from collections.abc import Callable

import requests
from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from .config import api_base

# WeChat tokens live 7200 s; after a refresh the old one stays valid for 5 minutes.
REFRESH_BEFORE = 300
LOCK_SECONDS = 30
WAIT_STEP = 0.05


class TimeoutSession(requests.Session):
    """wechatpy sends some requests (the token, OAuth) without a timeout: never hang."""

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", settings.NOTIFY_HTTP_TIMEOUT)
        if kwargs["timeout"] is None:
            kwargs["timeout"] = settings.NOTIFY_HTTP_TIMEOUT
        return super().request(method, url, *args, **kwargs)


class Client(WeChatClient):
    """wechatpy's client with the shared token cache and the configured API host."""

    def __init__(self) -> None:
        super().__init__(
            settings.WECHAT_APP_ID,
            settings.WECHAT_APP_SECRET,
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
        self._http = TimeoutSession()
        self.API_BASE_URL = f"{api_base()}/cgi-bin/"
        self._forced_refreshes = 0

    @property
    def access_token(self) -> str:
        return shared("access_token", self._fetch_token)

    def fetch_access_token(self) -> dict:
        # wechatpy calls this when WeChat says the token went stale (40001, 40014,
        # 42001), then reads the new one from self.session and retries the call.
        # wechatpy retries for as long as WeChat refuses; one fresh token per client is enough.
        self._forced_refreshes += 1
        if self._forced_refreshes > 1:
            raise WeChatClientException(
                40001, "WeChat refused a freshly fetched token", client=self
            )
        stale = self.session.get(self.access_token_key) or cached_value("access_token")
        token = shared("access_token", self._fetch_token, stale=stale)
        self.session.set(self.access_token_key, token)
        return {"access_token": token}

    def _fetch_token(self) -> tuple[str, int]:
        answer = self._http.get(
            f"{api_base()}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )
        answer.raise_for_status()
        data = answer.json()
        if "access_token" not in data:
            raise WeChatClientException(data.get("errcode"), data.get("errmsg"), client=self)
        return data["access_token"], int(data.get("expires_in", 7200))

    def jsapi_ticket(self) -> str:
        def fetch() -> tuple[str, int]:
            data = self.jsapi.get_ticket("jsapi")
            return data["ticket"], int(data.get("expires_in", 7200))

        return shared("jsapi_ticket", fetch)


def client() -> Client:
    return Client()


# ---------------------------------------------------------------- the shared cache


def _key(name: str) -> str:
    return f"wechat:{settings.WECHAT_APP_ID}:{name}"


def cached_value(name: str) -> str | None:
    entry = cache.get(_key(name))
    return entry["value"] if entry else None


def _usable(entry: dict | None, stale: str | None, margin: float) -> bool:
    return bool(entry) and entry["value"] != stale and entry["expires_at"] - time.time() > margin  # type: ignore[index]


def shared(name: str, fetch: Callable[[], tuple[str, int]], *, stale: str | None = None) -> str:
    """The cached value of `name`, fetched by one process when due.

    Due means missing, within REFRESH_BEFORE of its expiry, or equal to `stale`
    (WeChat refused it). While another process refreshes, a value that has not
    expired yet is used; without one, wait for the refresh to land.
    """
    key = _key(name)
    entry = cache.get(key)
    if _usable(entry, stale, REFRESH_BEFORE):
        return entry["value"]  # type: ignore[index]
    lock = f"{key}:lock"
    if cache.add(lock, 1, timeout=LOCK_SECONDS):
        try:
            entry = cache.get(key)  # another process may have just finished
            if _usable(entry, stale, REFRESH_BEFORE):
                return entry["value"]  # type: ignore[index]
            value, expires_in = fetch()
            cache.set(key, {"value": value, "expires_at": time.time() + expires_in}, expires_in)
            return value
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        if _usable(entry, stale, 1):
            return entry["value"]  # type: ignore[index]
        if time.monotonic() > deadline:
            raise ConnectionError(f"WeChat {name}: another process's refresh did not finish")
        time.sleep(WAIT_STEP)
        entry = cache.get(key)
        if not cache.get(lock) and not _usable(entry, stale, 1):
            # The holder failed (WeChat refused, network): try ourselves.
            return shared(name, fetch, stale=stale)
