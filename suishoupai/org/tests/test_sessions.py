from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from suishoupai import factories as f
from suishoupai.org.models import User

PASSWORD = "correct-horse-battery"


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def test_sessions_end_when_the_browser_closes_and_after_a_working_day():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30


@pytest.mark.django_db
def test_thirty_minutes_without_a_request_signs_out(root):
    client = Client()
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        client.post("/admin/login/", {"username": "root", "password": PASSWORD})
        assert client.get("/admin/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_working_keeps_the_session_alive(root):
    client = Client()
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        client.post("/admin/login/", {"username": "root", "password": PASSWORD})
        for _ in range(4):
            traveller.shift(timedelta(minutes=20))
            assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_background_polling_does_not_keep_an_unattended_screen_signed_in(root):
    client = Client()
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False) as traveller:
        client.post("/admin/login/", {"username": "root", "password": PASSWORD})
        for _ in range(3):
            traveller.shift(timedelta(minutes=12))
            client.get("/admin/", headers={"X-Background": "1"})
        assert client.get("/admin/").status_code == 302
