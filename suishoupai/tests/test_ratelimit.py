import pytest
from django.test import RequestFactory, override_settings

from suishoupai import ratelimit

pytestmark = pytest.mark.django_db


def test_it_allows_up_to_the_limit_then_refuses():
    allowed = [ratelimit.hit("report", "1.2.3.4", 3, 60, now=1000.0) for _ in range(5)]
    assert allowed == [True, True, True, False, False]


def test_it_counts_each_key_and_scope_apart():
    assert ratelimit.hit("report", "a", 1, 60, now=1000.0)
    assert ratelimit.hit("report", "b", 1, 60, now=1000.0)
    assert ratelimit.hit("rating", "a", 1, 60, now=1000.0)
    assert not ratelimit.hit("report", "a", 1, 60, now=1000.0)


def test_a_new_window_starts_a_new_count():
    assert ratelimit.hit("report", "a", 1, 60, now=1000.0)
    assert not ratelimit.hit("report", "a", 1, 60, now=1019.0)
    assert ratelimit.hit("report", "a", 1, 60, now=1021.0)


def test_check_raises_a_429_with_a_readable_message():
    ratelimit.check("report", "a", 1, 60)
    with pytest.raises(ratelimit.RateLimited) as exc:
        ratelimit.check("report", "a", 1, 60)
    assert exc.value.status == 429
    assert exc.value.message


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_the_proxy_a_forged_forwarded_hop_does_not_change_the_client():
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="127.0.0.1"
    )
    assert ratelimit.client_ip(request) == "203.0.113.9"


def test_without_a_proxy_the_forwarded_header_is_ignored():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.1.2.3")
    assert ratelimit.client_ip(request) == "10.1.2.3"


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_on_a_cache_service_the_counter_is_the_cache_s():
    allowed = [ratelimit.hit("report", "1.2.3.4", 2, 60, now=1000.0) for _ in range(3)]
    assert allowed == [True, True, False]


def test_on_the_database_cache_a_use_is_one_statement(django_assert_num_queries):
    ratelimit.hit("report", "a", 5, 60, now=1000.0)
    with django_assert_num_queries(1):
        assert ratelimit.hit("report", "a", 5, 60, now=1000.0)


@override_settings(RATE_LIMIT_FACTOR=10)
def test_benchmarks_scale_every_limit():
    allowed = [ratelimit.hit("report", "b", 1, 60, now=1000.0) for _ in range(11)]
    assert allowed == [True] * 10 + [False]
