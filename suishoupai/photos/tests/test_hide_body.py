"""The body of hide/show is a JSON object or nothing (issue 17: schemathesis found a
bare number accepted as the body of photos/{id}/hide)."""

import pytest

from suishoupai.photos.models import Photo

from . import corpus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["hide", "show"])
@pytest.mark.parametrize("body", ["5", '"note"', "[1]", "true"])
def test_anything_but_an_object_is_refused(public_case, olga, staff_client, action, body):
    _created, case = public_case(corpus.jpeg())
    photo = case.photos.get()
    response = staff_client(olga).post(
        f"/api/v1/staff/photos/{photo.uuid}/{action}", body, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert Photo.objects.get(pk=photo.pk).hidden is False


def test_an_object_or_no_body_at_all_hides_it(public_case, olga, staff_client):
    _created, case = public_case(corpus.jpeg())
    photo = case.photos.get()
    url = f"/api/v1/staff/photos/{photo.uuid}/hide"
    assert staff_client(olga).post(url, content_type="application/json").status_code == 200
    assert Photo.objects.get(pk=photo.pk).hidden is True
    response = staff_client(olga).post(
        url.replace("hide", "show"), '{"note": "可以公开"}', content_type="application/json"
    )
    assert response.status_code == 200
