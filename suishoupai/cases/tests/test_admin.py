import pytest
from django.test import Client

from suishoupai.org.models import User

from .journeys import walk


@pytest.mark.django_db
def test_it_shows_cases_and_events_read_only_in_the_admin(city, people):
    case = walk(city, people, "closed")
    root = User.objects.create_superuser("root", password="correct-horse-battery")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert client.get("/admin/cases/caseevent/").status_code == 200
    assert client.get("/admin/places/area/").status_code == 200
    # Nothing can be edited or deleted here: cases change through their services.
    assert client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/cases/case/add/").status_code == 403


@pytest.mark.django_db
def test_it_keeps_staff_without_admin_rights_out_of_the_admin(city, people):
    client = Client()
    client.force_login(people["olga"])
    assert client.get("/admin/cases/case/").status_code == 302
