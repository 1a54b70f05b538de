"""Keys are created and revoked in the admin (in Chinese); the raw key is shown once."""

import re

import pytest
from django.test import Client

from suishoupai.open311.models import ApiClient, KeyUse
from suishoupai.org.models import User, hash_token

from .conftest import BASE, garbage_form


@pytest.fixture
def root(city) -> Client:
    user = User.objects.create_superuser("root", password="correct-horse-battery")
    browser = Client()
    browser.force_login(user)
    return browser


def test_creating_a_client_shows_its_key_once_and_stores_only_the_hash(root):
    form = {
        "name": "12345热线平台",
        "channel": "hotline",
        "contact": "热线值班室 0451-12345",
        "requests_per_hour": "600",
        "active": "on",
        "uses-TOTAL_FORMS": "0",
        "uses-INITIAL_FORMS": "0",
    }
    page = root.post("/admin/open311/apiclient/add/", form, follow=True)
    text = page.content.decode()
    [raw] = re.findall(r"o311_[A-Za-z0-9_-]{43}", text)
    assert "请立即复制" in text
    client = ApiClient.objects.get()
    assert client.key_hash == hash_token(raw)
    assert client.channel == "hotline"
    again = root.get(f"/admin/open311/apiclient/{client.pk}/change/").content.decode()
    assert raw not in again
    assert client.prefix in again


def test_revoking_in_the_admin_locks_the_key_out(root, web, hotline):
    web.post(f"{BASE}/requests.json", garbage_form(hotline.raw_key, service_code="nope"))
    page = root.post(
        "/admin/open311/apiclient/",
        {"action": "revoke", "_selected_action": [hotline.pk]},
        follow=True,
    )
    assert "已吊销 1 个密钥" in page.content.decode()
    response = web.post(f"{BASE}/requests.json", garbage_form(hotline.raw_key))
    assert response.status_code == 403
    # The audit trail is on the client's page.
    assert KeyUse.objects.filter(client=hotline).count() == 1
    detail = root.get(f"/admin/open311/apiclient/{hotline.pk}/change/").content.decode()
    assert "request.create" in detail


def test_attributes_and_received_records_have_admin_pages(root, reported):
    for page in ("serviceattribute", "clientrequest", "clientupdate", "serviceattribute/add"):
        assert root.get(f"/admin/open311/{page}/").status_code == 200
    assert root.get("/admin/open311/clientrequest/add/").status_code == 403
