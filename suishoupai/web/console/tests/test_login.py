import pytest
import time_machine

from suishoupai import factories as f

PASSWORD = "correct-horse-battery"


@pytest.mark.django_db
def test_the_console_sign_in_locks_after_repeated_failures_even_with_the_right_password(
    client, olga
):
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False):
        for _ in range(5):
            page = client.post("/console/login/", {"username": "olga", "password": "wrong-1x"})
            assert page.status_code == 200
        assert "账户已被临时锁定" in page.content.decode()
        page = client.post("/console/login/", {"username": "olga", "password": PASSWORD})
        assert "账户已被临时锁定" in page.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_console_sign_in_lets_the_right_password_in(client, olga):
    page = client.post("/console/login/", {"username": "olga", "password": PASSWORD})
    assert page.status_code == 302
    assert client.session["_auth_user_id"] == str(olga.pk)
