"""Staff blur more or hide a photo; the original is untouched and each change is
an internal event on the case, with who did it."""

import io
import json

import numpy as np
import pytest
from django.test import Client
from PIL import Image

from suishoupai.cases.models import CaseEvent, Visibility
from suishoupai.photos import selectors
from suishoupai.photos.models import DerivativeStatus

from . import corpus

pytestmark = pytest.mark.django_db
ORIGINAL = corpus.jpeg(image=corpus.checkerboard((640, 480)))


def post(client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def pixels(field) -> np.ndarray:
    with field.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L"), dtype=np.int16)


@pytest.fixture
def published(public_case, django_capture_on_commit_callbacks):
    _created, case = public_case(ORIGINAL)
    return case, case.photos.get()


def test_an_operator_blurs_a_box_on_the_public_copy_and_it_is_audited(
    published, olga, staff_client, django_capture_on_commit_callbacks
):
    case, photo = published
    before, original = pixels(photo.public_file), photo.original.name
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff_client(olga),
            f"/api/v1/staff/photos/{photo.uuid}/redact",
            {"boxes": [{"x": 100, "y": 100, "w": 120, "h": 80}], "note": "门牌号"},
        )
    assert response.status_code == 200, response.content
    shown = response.json()
    # The new copy is made after the request (in a worker); until then, a placeholder.
    assert shown["status"] == "pending" and shown["redactions"][0]["w"] == 120
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.READY
    after = pixels(photo.public_file)
    diff = np.abs(after - before)
    assert diff[100:180, 100:220].mean() > 40  # the box is mosaic now
    outside = diff.copy()
    outside[95:185, 95:225] = 0
    assert outside.mean() < 2
    # The original is the same file, byte for byte; the copy has a new name and URL.
    assert photo.original.name == original
    with photo.original.open("rb") as handle:
        assert handle.read() == ORIGINAL
    public_url = selectors.public_url(photo)
    assert public_url.endswith("?v=1") and Client().get(public_url).status_code == 200
    event = CaseEvent.objects.get(case=case, action="photo.redacted")
    assert event.visibility == Visibility.INTERNAL and event.actor == olga
    assert event.actor_role == "operator" and event.note == "门牌号"
    assert event.data == {
        "photo": str(photo.uuid),
        "boxes": [{"x": 100, "y": 100, "w": 120, "h": 80, "kind": "staff"}],
    }
    # The public timeline does not show staff-only events.
    public = Client().get(f"/api/v1/cases/{case.number}").json()
    assert "photo.redacted" not in [e["action"] for e in public["timeline"]]


def test_a_redacted_photo_has_no_public_copy_until_the_new_one_is_made(published, olga):
    from suishoupai.cases import services

    _case, photo = published
    # Without running the on-commit queue the new copy is not made yet.
    services.redact_photo(photo, olga, [{"x": 0, "y": 0, "w": 50, "h": 50}])
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.PENDING
    assert selectors.public_url(photo) is None
    assert Client().get(f"/media/public/{photo.uuid}.webp").status_code == 404


def test_a_shift_lead_hides_and_shows_a_photo_and_each_is_recorded(published, leo, staff_client):
    case, photo = published
    url = f"/media/public/{photo.uuid}.webp"
    hidden = post(staff_client(leo), f"/api/v1/staff/photos/{photo.uuid}/hide", {"note": "有人脸"})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert Client().get(url).status_code == 404
    again = post(staff_client(leo), f"/api/v1/staff/photos/{photo.uuid}/hide")
    assert again.status_code == 200
    shown = post(staff_client(leo), f"/api/v1/staff/photos/{photo.uuid}/show")
    assert shown.json()["hidden"] is False and Client().get(url).status_code == 200
    actions = list(
        CaseEvent.objects.filter(case=case, action__startswith="photo.").values_list(
            "action", "actor__username", "visibility"
        )
    )
    # Hiding twice is recorded once: nothing changed the second time.
    assert actions == [("photo.hidden", "leo", "internal"), ("photo.shown", "leo", "internal")]


@pytest.mark.parametrize("who", ["dora", "carl", "nina", "ivan", "lily"])
def test_other_posts_may_not_redact_or_hide(published, people, staff_client, who):
    case, photo = published
    client = staff_client(people[who])
    for action, body in (("redact", {"boxes": [{"x": 0, "y": 0, "w": 9, "h": 9}]}), ("hide", {})):
        response = post(client, f"/api/v1/staff/photos/{photo.uuid}/{action}", body)
        assert response.status_code == 403, (who, action)
    photo.refresh_from_db()
    assert not photo.hidden and photo.redactions == []
    assert not CaseEvent.objects.filter(case=case, action__startswith="photo.").exists()


def test_it_refuses_boxes_outside_the_copy_and_unknown_photos(published, olga, staff_client):
    _case, photo = published
    client = staff_client(olga)
    outside = post(
        client,
        f"/api/v1/staff/photos/{photo.uuid}/redact",
        {"boxes": [{"x": 700, "y": 10, "w": 10, "h": 10}]},
    )
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "boxes"
    empty = post(client, f"/api/v1/staff/photos/{photo.uuid}/redact", {"boxes": []})
    assert empty.status_code == 422
    unknown = post(
        client,
        "/api/v1/staff/photos/00000000-0000-0000-0000-000000000000/hide",
    )
    assert unknown.status_code == 404
    assert Client().post(f"/api/v1/staff/photos/{photo.uuid}/hide").status_code == 401


def test_it_waits_for_the_copy_before_boxes_can_be_drawn(city, olga, staff_client):
    from .conftest import report_form, upload

    response = Client().post("/api/v1/cases", {**report_form(), "photos": [upload(corpus.jpeg())]})
    assert response.status_code == 201
    from suishoupai.photos.models import Photo

    photo = Photo.objects.get()
    refused = post(
        staff_client(olga),
        f"/api/v1/staff/photos/{photo.uuid}/redact",
        {"boxes": [{"x": 0, "y": 0, "w": 10, "h": 10}]},
    )
    assert refused.status_code == 409


def test_staff_can_ask_for_a_failed_copy_again(
    published, olga, staff_client, django_capture_on_commit_callbacks
):
    from suishoupai.photos.models import Photo

    _case, photo = published
    Photo.objects.filter(pk=photo.pk).update(
        status=DerivativeStatus.FAILED, attempts=5, error="OSError: disk full"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(staff_client(olga), f"/api/v1/staff/photos/{photo.uuid}/retry")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.READY and photo.error == ""
