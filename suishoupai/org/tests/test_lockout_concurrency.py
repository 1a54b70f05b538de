"""Forty wrong passwords sent at once get exactly five password checks (issue 17: seven
were checked where the limit is five). PostgreSQL only: real parallel transactions."""

import threading

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import RequestFactory

from suishoupai.org.forms import ThrottledAuthenticationForm
from suishoupai.org.models import LoginAttempt
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY


def _attempt(username: str, password: str, ip: str):
    def call():
        request = RequestFactory().post("/console/login/", REMOTE_ADDR=ip)
        form = ThrottledAuthenticationForm(
            request, data={"username": username, "password": password}
        )
        form.is_valid()
        return [e.code for e in form.non_field_errors().as_data()]

    return call


@pytest.fixture
def password_checks():
    checked: list[str] = []
    lock = threading.Lock()

    def count(sender, credentials, **kwargs):
        with lock:
            checked.append(credentials.get("username", ""))

    user_login_failed.connect(count, dispatch_uid="test.count")
    yield checked
    user_login_failed.disconnect(dispatch_uid="test.count")


def test_forty_parallel_wrong_passwords_get_exactly_five_checks(olga, password_checks, settings):
    # Each from its own address: only the username's limit may stop them.
    calls = [_attempt("olga", "wrong-password-1", f"10.0.1.{n}") for n in range(40)]
    results = race(*calls)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len(password_checks) == settings.LOGIN_FAILURE_LIMIT
    assert LoginAttempt.objects.filter(username="olga").count() == settings.LOGIN_FAILURE_LIMIT
    assert sum(codes == ["locked"] for codes in results) >= 40 - settings.LOGIN_FAILURE_LIMIT


def test_forty_parallel_guesses_from_one_address_stop_at_its_limit(db, password_checks, settings):
    calls = [_attempt(f"user{n}", "wrong-password-1", "10.0.2.1") for n in range(40)]
    race(*calls)
    assert len(password_checks) == settings.LOGIN_IP_FAILURE_LIMIT
