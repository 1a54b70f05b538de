import pytest
from django.test import Client

from suishoupai.org.models import User

from . import corpus

pytestmark = pytest.mark.django_db


def test_the_admin_shows_how_each_copy_stands_without_a_link_to_the_original(report):
    _created, case = report(corpus.jpeg())
    photo = case.photos.get()
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="correct-horse-battery"))
    listing = client.get("/admin/photos/photo/?status__exact=ready")
    assert listing.status_code == 200 and str(photo.uuid) in listing.content.decode()
    page = client.get(f"/admin/photos/photo/{photo.pk}/change/")
    assert page.status_code == 200
    assert photo.original.name not in page.content.decode()
    assert (
        client.post(f"/admin/photos/photo/{photo.pk}/delete/", {"post": "yes"}).status_code == 403
    )
