from datetime import timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory, override_settings

from suishoupai import factories as f
from suishoupai.org.forms import ThrottledAuthenticationForm
from suishoupai.org.models import LoginAttempt, User

PASSWORD = "correct-horse-battery"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def sign_in(username: str, password: str, ip: str = "10.0.0.1"):
    request = RequestFactory().post("/console/login/", REMOTE_ADDR=ip)
    form = ThrottledAuthenticationForm(request, data={"username": username, "password": password})
    return form, form.is_valid()


def fail(username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert sign_in(username, "wrong-password-1", ip)[1] is False


@pytest.mark.django_db
def test_it_locks_an_account_after_five_failures_and_says_until_when(olga):
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False):
        fail("olga", 4)
        form, ok = sign_in("olga", "wrong-password-1")
        assert not ok
        # The fifth failure locks at once; 09:00 + 15 minutes in the city's time.
        assert "账户已被临时锁定" in str(form.non_field_errors())
        assert "09:15" in str(form.non_field_errors())
        # Even the right password is refused while the lock holds.
        form, ok = sign_in("olga", PASSWORD)
        assert not ok
        assert form.non_field_errors().as_data()[0].code == "locked"


@pytest.mark.django_db
def test_the_lock_ends_by_itself_after_fifteen_minutes(olga):
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        fail("olga", 5)
        traveller.shift(timedelta(minutes=14))
        assert sign_in("olga", PASSWORD)[1] is False
        traveller.shift(timedelta(minutes=1, seconds=1))
        assert sign_in("olga", PASSWORD)[1] is True


@pytest.mark.django_db
def test_failures_spread_beyond_the_window_do_not_lock(olga):
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        for _ in range(5):
            fail("olga", 1)
            traveller.shift(timedelta(minutes=4))
        assert sign_in("olga", PASSWORD)[1] is True


@pytest.mark.django_db
def test_spelling_the_username_differently_does_not_buy_more_tries(olga):
    fail("olga", 3)
    fail("OLGA", 2)
    assert sign_in("olga", PASSWORD)[1] is False


@pytest.mark.django_db
def test_a_lock_on_one_account_leaves_the_others_alone(olga, dora):
    fail("olga", 5)
    assert sign_in("dora", PASSWORD)[1] is True


@pytest.mark.django_db
@override_settings(LOGIN_IP_FAILURE_LIMIT=6)
def test_it_locks_an_address_that_guesses_at_many_accounts(olga, dora):
    for name in ["u1", "u2", "u3", "u4", "u5", "u6"]:
        fail(name, 1, ip="203.0.113.9")
    form, ok = sign_in("dora", PASSWORD, ip="203.0.113.9")
    assert not ok
    assert "此网络地址" in str(form.non_field_errors())
    # The same person from another address is let in.
    assert sign_in("dora", PASSWORD, ip="10.0.0.2")[1] is True


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_failures_of_that_account(root):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(4):
        client.post(ADMIN_LOGIN, {"username": "root", "password": "nope-nope-1"})
    assert LoginAttempt.objects.filter(username="root").count() == 4
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert not LoginAttempt.objects.filter(username="root").exists()
    client.logout()
    # Four more failures do not lock: the count started again.
    for _ in range(4):
        client.post(ADMIN_LOGIN, {"username": "root", "password": "nope-nope-1"})
    assert client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_with_a_chinese_message(root):
    client = Client()
    for _ in range(5):
        client.post(ADMIN_LOGIN, {"username": "root", "password": "nope-nope-1"})
    page = client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD})
    assert page.status_code == 200  # the form again, not a session
    assert "账户已被临时锁定" in page.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_administrator_sees_the_failed_sign_ins(root):
    fail("olga", 2)
    client = Client()
    client.force_login(root)
    page = client.get("/admin/org/loginattempt/")
    assert page.status_code == 200
    assert "olga" in page.content.decode()
    assert client.get("/admin/org/loginattempt/add/").status_code == 403


@pytest.mark.django_db
def test_the_console_login_view_locks_and_unlocks(olga):
    client = Client(REMOTE_ADDR="10.0.0.7")
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        for _ in range(5):
            assert (
                client.post("/console/login/", {"username": "olga", "password": "x1"}).status_code
                == 200
            )
        page = client.post("/console/login/", {"username": "olga", "password": PASSWORD})
        assert "请在 09:15 之后再试" in page.content.decode()
        traveller.shift(timedelta(minutes=16))
        assert (
            client.post("/console/login/", {"username": "olga", "password": PASSWORD}).status_code
            == 302
        )
        assert not LoginAttempt.objects.filter(username="olga").exists()
