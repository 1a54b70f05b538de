"""Originals are evidence for staff: no public page, API or file URL ever gives
out an original, its path or its EXIF; the public get a stripped, blurred copy."""

import json

import pytest
from django.test import Client

from suishoupai.cases import services as case_services
from suishoupai.cases.models import Case
from suishoupai.photos import selectors

from . import corpus
from .conftest import report_form, upload

pytestmark = pytest.mark.django_db


def leaks(text: str, photo) -> list[str]:
    """Everything in `text` that would point at or come from the original."""
    tell_tales = [
        "/api/v1/staff/photos",
        "originals/",
        photo.original.name,
        photo.sha256,
        corpus.CAMERA_MAKE,
        "Exif",
        "exif",
    ]
    return [t for t in tell_tales if t in text]


def test_no_public_response_contains_an_original_or_its_exif(public_case):
    created, case = public_case(corpus.jpeg(gps=True, orientation=1))
    photo = case.photos.get()
    number, token = created["number"], created["tracking_token"]
    client = Client()
    lat, lng = case.lat, case.lng
    responses = {
        "list": client.get("/api/v1/cases"),
        "detail": client.get(f"/api/v1/cases/{number}"),
        "private": client.get(f"/api/v1/cases/{number}/private", headers={"X-Case-Token": token}),
        "nearby": client.get(f"/api/v1/cases/nearby?lat={lat}&lng={lng}&radius=500"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert leaks(response.content.decode(), photo) == [], name
    shown = responses["private"].json()["photos"][0]
    assert shown["ready"] and shown["status"] == "ready"
    assert shown["url"].startswith(f"/media/public/{photo.uuid}.webp")
    assert shown["thumb_url"].startswith(f"/media/public/{photo.uuid}.thumb.webp")
    timeline_photo = responses["detail"].json()["timeline"][0]["photos"][0]
    assert timeline_photo["url"] == shown["url"]
    for url in (shown["url"], shown["thumb_url"]):
        served = client.get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/webp"
        body = b"".join(served.streaming_content)
        assert corpus.CAMERA_MAKE.encode() not in body and b"Exif" not in body


def test_the_public_copy_is_served_only_while_the_case_and_photo_are_public(
    report, olga, leo, staff_client, django_capture_on_commit_callbacks
):
    created, case = report(corpus.jpeg())
    photo = case.photos.get()
    url = f"/media/public/{photo.uuid}.webp"
    # Reported but not filed: the copy exists, nobody outside sees it yet.
    assert selectors.has_current_copy(photo) and selectors.public_url(photo) is None
    assert Client().get(url).status_code == 404
    private = Client().get(
        f"/api/v1/cases/{created['number']}/private",
        headers={"X-Case-Token": created["tracking_token"]},
    )
    # Its reporter does, by a signed link (test_reporter_copies.py), never this URL.
    reporter_url = private.json()["photos"][0]["url"]
    assert reporter_url.startswith(url) and "sig=" in reporter_url
    case_services.accept(case, olga)
    photo.refresh_from_db()
    assert Client().get(url).status_code == 200
    case_services.hide_photo(photo, leo)
    photo.refresh_from_db()
    assert Client().get(url).status_code == 404
    assert selectors.public_url(photo) is None
    # Staff keep the original and the copy.
    assert staff_client(olga).get(f"/api/v1/staff/photos/{photo.uuid}").status_code == 200
    assert (
        staff_client(olga).get(f"/api/v1/staff/photos/{photo.uuid}/public.webp").status_code == 200
    )


def test_a_private_report_never_gets_a_public_copy_url(report, olga):
    _created, case = report(corpus.jpeg(), public="false")
    case_services.accept(case, olga)
    photo = case.photos.get()
    assert selectors.public_url(photo) is None
    assert Client().get(f"/media/public/{photo.uuid}.webp").status_code == 404


def test_the_public_sees_a_placeholder_until_the_copy_is_ready(city, olga):
    # The on-commit queue is not run here, so the copy is not made yet.
    response = Client().post("/api/v1/cases", {**report_form(), "photos": [upload(corpus.jpeg())]})
    case = Case.objects.get(number=response.json()["number"])
    case_services.accept(case, olga)
    detail = Client().get(f"/api/v1/cases/{case.number}").json()
    shown = detail["timeline"][0]["photos"][0]
    assert shown["ready"] is False and shown["status"] == "pending" and shown["url"] is None


def test_staff_see_the_original_and_how_the_copy_is_doing(public_case, olga, staff_client):
    created, case = public_case(corpus.jpeg())
    photo = case.photos.get()
    detail = staff_client(olga).get(f"/api/v1/staff/cases/{created['number']}").json()
    shown = detail["photos"][0]
    assert shown["url"] == f"/api/v1/staff/photos/{photo.uuid}"
    assert shown["status"] == "ready" and shown["attempts"] == 1 and shown["error"] is None
    assert shown["public_copy_url"] == f"/api/v1/staff/photos/{photo.uuid}/public.webp"
    assert (shown["public_width"], shown["public_height"]) == (640, 480)
    assert json.dumps(shown["regions"]) == "[]"


def test_no_url_leads_to_an_original_outside_the_staff_api(public_case):
    _created, case = public_case(corpus.jpeg())
    photo = case.photos.get()
    client = Client()
    for url in (
        f"/media/{photo.original.name}",
        f"/media/public/{photo.uuid}.jpg",
        f"/media/public/{photo.uuid}",
        f"/api/v1/staff/photos/{photo.uuid}",
        f"/api/v1/staff/photos/{photo.uuid}/public.webp",
    ):
        assert client.get(url).status_code in (401, 404), url
