import re

import pytest
from django.urls import reverse

from suishoupai.org.models import ApiToken, User, hash_token

pytestmark = pytest.mark.django_db

PAGES = [
    "catalog_category",
    "catalog_subcategory",
    "catalog_filingcondition",
    "org_department",
    "catalog_routingrule",
    "org_user",
    "org_apitoken",
]


@pytest.fixture
def alice(client):
    """Alice administers the install."""
    user = User.objects.create_superuser("alice", "alice@example.org", "a-long-password")
    client.force_login(user)
    return user


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_the_list_and_add_pages(client, alice, page):
    assert client.get(reverse(f"admin:{page}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{page}_add")).status_code == 200


def test_it_shows_role_and_department_on_the_user_page(client, alice):
    page = client.get(reverse("admin:org_user_change", args=[alice.pk])).content.decode()

    for name in ("role", "department", "phone", "display_name"):
        assert f'name="{name}"' in page


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client, alice):
    bob = User.objects.create_user("bob", password="another-long-password")

    response = client.post(
        reverse("admin:org_apitoken_add"), {"user": bob.pk, "name": "场馆平板"}, follow=True
    )

    token = ApiToken.objects.get()
    # The raw token appears once, in the message on the page the admin redirects to.
    [raw] = re.findall(r"ssp_[\w-]{40,}", response.content.decode())
    assert token.user == bob
    assert token.key_hash == hash_token(raw)
    assert raw[:8] == token.prefix
    change_page = client.get(reverse("admin:org_apitoken_change", args=[token.pk]))
    assert raw not in change_page.content.decode()
