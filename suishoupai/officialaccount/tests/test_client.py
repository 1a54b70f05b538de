"""The access token and jsapi_ticket: fetched once, shared by every process through
Django's cache, refreshed before they expire, by one process at a time."""

import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from wechatpy.exceptions import WeChatClientException

from suishoupai.officialaccount import client as oa


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wechat"}
# Redis db 6, keys prefixed "wechat:": this branch's corner of the shared test Redis.
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/6",
    "KEY_PREFIX": "wechat",
}
backends = pytest.mark.parametrize(
    "backend",
    [
        pytest.param(LOCMEM, id="locmem"),
        pytest.param(
            REDIS,
            id="redis",
            marks=pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379"),
        ),
    ],
)


@pytest.mark.django_db
def test_two_processes_share_one_token(wechat_on):
    first, second = oa.client(), oa.client()  # as a web worker and a huey worker would
    assert first.access_token == second.access_token
    assert wechat_on.calls["token"] == 1
    assert oa.cached_value("access_token") == first.access_token


@pytest.mark.django_db
def test_the_token_is_refreshed_before_it_expires(wechat_on):
    with time_machine.travel("2026-11-25 09:00 +0800", tick=False) as clock:
        first = oa.client().access_token
        clock.shift(timedelta(seconds=7200 - oa.REFRESH_BEFORE - 60))
        assert oa.client().access_token == first
        clock.shift(timedelta(seconds=120))  # now within the margin, still valid at WeChat
        second = oa.client().access_token
    assert second != first and wechat_on.calls["token"] == 2


@pytest.mark.django_db
def test_a_token_wechat_forgot_is_replaced_once_and_the_call_retried(wechat_on):
    wechat_on.media["m"] = ("image/jpeg", b"\xff\xd8jpeg")
    api = oa.client()
    api.access_token  # noqa: B018 - warm the cache
    wechat_on.expire_tokens()
    answer = oa.client().media.download("m")
    assert answer.content == b"\xff\xd8jpeg"
    assert wechat_on.calls["token"] == 2 and wechat_on.calls["media/get"] == 2


@pytest.mark.django_db
def test_a_fresh_token_refused_again_is_not_fetched_for_ever(wechat_on, monkeypatch):
    # WeChat's side refuses every token (e.g. the IP is not on the allow-list).
    monkeypatch.setattr(wechat_on, "valid_tokens", _Nothing())
    with pytest.raises(WeChatClientException):
        oa.client().media.download("m")
    assert wechat_on.calls["token"] == 2


class _Nothing(set):
    def add(self, item):
        pass


@pytest.mark.django_db
def test_a_wrong_secret_raises_and_the_next_call_tries_again(wechat_on, settings):
    settings.WECHAT_APP_SECRET = "wrong"
    with pytest.raises(WeChatClientException):
        oa.client().access_token  # noqa: B018
    assert cache.get(f"wechat:{settings.WECHAT_APP_ID}:access_token:lock") is None
    with pytest.raises(WeChatClientException):
        oa.client().access_token  # noqa: B018
    assert wechat_on.calls["token"] == 2


@pytest.mark.django_db
def test_the_jsapi_ticket_is_cached_too(wechat_on):
    assert oa.client().jsapi_ticket() == oa.client().jsapi_ticket()
    assert wechat_on.calls["ticket/getticket"] == 1
    assert wechat_on.calls["token"] == 1


def _many_at_once(n: int = 8) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = oa.client().access_token
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # each thread's own database connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@backends
def test_one_refresh_at_a_time(settings, wechat_api, backend):
    settings.CACHES = {"default": backend}
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = _ids()
    settings.WECHAT_TOKEN, settings.WECHAT_API_BASE = "t", wechat_api.url
    cache.clear()
    wechat_api.token_delay = 0.3
    try:
        results = _many_at_once()
    finally:
        cache.clear()
    assert wechat_api.calls["token"] == 1
    assert len(set(results)) == 1 and isinstance(results[0], str)


@backends
def test_during_a_refresh_the_others_keep_using_the_valid_token(settings, wechat_api, backend):
    settings.CACHES = {"default": backend}
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = _ids()
    settings.WECHAT_TOKEN, settings.WECHAT_API_BASE = "t", wechat_api.url
    cache.clear()
    try:
        old = oa.client().access_token
        # Nearly due: one worker refreshes (slowly); the rest must not wait for it.
        entry = cache.get(oa._key("access_token"))
        entry["expires_at"] = time.time() + oa.REFRESH_BEFORE - 10
        cache.set(oa._key("access_token"), entry, 3600)
        wechat_api.token_delay = 1.0
        started = time.monotonic()
        results = _many_at_once()
        elapsed = time.monotonic() - started
    finally:
        cache.clear()
    assert wechat_api.calls["token"] == 2
    assert results.count(old) == len(results) - 1
    assert elapsed < 5


def _ids():
    from suishoupai.tests import fake_wechat

    return fake_wechat.APP_ID, fake_wechat.APP_SECRET


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_one_refresh_at_a_time_with_the_database_cache(settings, wechat_on):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "suishoupai_cache",
        }
    }
    wechat_on.token_delay = 0.3
    results = _many_at_once()
    assert wechat_on.calls["token"] == 1
    assert len(set(results)) == 1 and isinstance(results[0], str)
