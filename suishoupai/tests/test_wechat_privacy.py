"""A WeChat follower's openid is personal data: never on a public page, in the
reporter's or a department's view, in an export, in the admin; the command centre
sees only that the reporter is a “微信用户”."""

import pytest
from django.test import Client
from django.urls import reverse

from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import walk
from suishoupai.org.models import User

pytestmark = pytest.mark.django_db

ALICE = "oAlice0123456789abcdefghijk"


@pytest.fixture
def case(city, people):
    case = walk(city, people, "dispatched")
    Case.objects.filter(pk=case.pk).update(reporter_openid=ALICE)
    return Case.objects.get(pk=case.pk)


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def test_the_centre_sees_a_wechat_user_and_a_department_sees_nothing(case, people):
    url = reverse("console:case", args=[case.number])
    for_olga, for_carl = page(people["olga"], url), page(people["carl"], url)
    assert "微信用户" in for_olga and "微信用户" not in for_carl
    assert ALICE not in for_olga and ALICE not in for_carl


def test_the_staff_api_says_wechat_to_the_centre_only(case, people, staff_client):
    url = f"/api/v1/staff/cases/{case.number}"
    olga = staff_client(people["olga"]).get(url)
    carl = staff_client(people["carl"]).get(url)
    assert olga.json()["reporter_wechat"] is True and carl.json()["reporter_wechat"] is None
    assert ALICE not in olga.content.decode() and ALICE not in carl.content.decode()


def test_public_views_never_carry_it(case):
    for url in (f"/api/v1/cases/{case.number}", f"/m/api/public/{case.number}", "/"):
        response = Client().get(url)
        assert response.status_code == 200 and ALICE not in response.content.decode()


def test_exports_never_carry_it(case, people):
    assert ALICE not in page(people["olga"], "/console/search/export.csv")
    xlsx = Client()
    xlsx.force_login(people["olga"])
    response = xlsx.get("/console/search/export.xlsx")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as book:
        assert all(ALICE.encode() not in book.read(name) for name in book.namelist())


def test_the_admin_never_shows_it(case):
    root = User.objects.create_superuser("root", password="correct-horse-battery")
    for url in ("/admin/cases/case/", f"/admin/cases/case/{case.pk}/change/"):
        assert ALICE not in page(root, url)
