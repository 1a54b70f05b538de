"""The reporter (holder of the tracking token) sees the blurred, stripped public
copies of their own photos before the case is public, and for a 不公开 case that
never will be, by signed links that expire. Never an original; nobody else."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from suishoupai.cases import services as case_services
from suishoupai.photos import selectors

from . import corpus
from .test_privacy import leaks

pytestmark = pytest.mark.django_db


def own_view(created: dict) -> dict:
    response = Client().get(
        f"/api/v1/cases/{created['number']}/private",
        headers={"X-Case-Token": created["tracking_token"]},
    )
    assert response.status_code == 200, response.content
    return response.json()


def fetch(url: str):
    return Client().get(url)


def with_sig(url: str, sig: str) -> str:
    path = urlsplit(url).path
    return f"{path}?sig={sig}"


def sig_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["sig"][0]


def test_the_reporter_sees_their_blurred_copies_before_the_case_is_filed(report):
    created, case = report(corpus.jpeg(gps=True))
    photo = case.photos.get()
    view = own_view(created)
    shown = view["photos"][0]
    assert shown["ready"] is True and shown["status"] == "ready"
    assert shown["url"].startswith(f"/media/public/{photo.uuid}.webp?")
    assert shown["thumb_url"].startswith(f"/media/public/{photo.uuid}.thumb.webp?")
    assert view["timeline"][0]["photos"][0]["url"] == shown["url"]
    assert leaks(str(view), photo) == []
    for url in (shown["url"], shown["thumb_url"]):
        served = fetch(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/webp"
        # The reporter's link must not be kept by a shared cache.
        assert served["Cache-Control"].startswith("private")
        body = b"".join(served.streaming_content)
        assert body.startswith(b"RIFF") and b"Exif" not in body
        assert corpus.CAMERA_MAKE.encode() not in body
    # Without the signature the copy is still not public.
    assert fetch(f"/media/public/{photo.uuid}.webp").status_code == 404
    assert selectors.public_url(photo) is None
    assert created["number"] not in Client().get("/api/v1/cases").content.decode()


def test_the_reporter_of_a_private_case_sees_the_copies_the_public_never_does(report, olga):
    created, case = report(corpus.jpeg(), public="false")
    case_services.accept(case, olga)
    shown = own_view(created)["photos"][0]
    assert shown["status"] == "ready" and fetch(shown["url"]).status_code == 200
    public = Client().get(f"/api/v1/cases/{created['number']}")
    if public.status_code == 200:
        assert all(p["url"] is None for e in public.json()["timeline"] for p in e["photos"])
    else:
        assert public.status_code == 404
    assert created["number"] not in Client().get("/api/v1/cases").content.decode()


def test_a_forged_swapped_or_expired_signature_is_refused(report):
    created, case = report(corpus.jpeg(), corpus.jpeg(size=(480, 640)))
    first, second = case.photos.order_by("pk")
    shown = {p["id"]: p for p in own_view(created)["photos"]}
    url, thumb = shown[str(first.uuid)]["url"], shown[str(first.uuid)]["thumb_url"]
    sig = sig_of(url)
    forged = sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")
    assert fetch(with_sig(url, forged)).status_code == 404
    assert fetch(with_sig(url, "")).status_code == 404
    # A signature is for one photo and one variant.
    assert fetch(with_sig(thumb, sig)).status_code == 404
    assert fetch(with_sig(shown[str(second.uuid)]["url"], sig)).status_code == 404
    assert fetch(url).status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=selectors.REPORTER_URL_MAX_AGE + 60)
    with time_machine.travel(later):
        assert fetch(url).status_code == 404
        # A fresh look at the case gives fresh links.
        assert fetch(own_view(created)["photos"][0]["url"]).status_code == 200


def test_a_photo_staff_hid_stays_hidden_from_the_reporter(report, leo):
    created, case = report(corpus.jpeg())
    photo = case.photos.get()
    url = own_view(created)["photos"][0]["url"]
    case_services.hide_photo(photo, leo)
    assert fetch(url).status_code == 404
    shown = own_view(created)["photos"][0]
    assert shown == {**shown, "ready": False, "status": "not_public", "url": None}
    assert own_view(created)["timeline"][0]["photos"] == []


def test_a_link_made_before_a_redaction_does_not_serve_the_new_copy(
    report, olga, django_capture_on_commit_callbacks
):
    created, case = report(corpus.jpeg())
    photo = case.photos.get()
    url = own_view(created)["photos"][0]["url"]
    with django_capture_on_commit_callbacks(execute=True):
        case_services.redact_photo(photo, olga, [{"x": 0, "y": 0, "w": 50, "h": 50}])
    assert fetch(url).status_code == 404
    fresh = own_view(created)["photos"][0]["url"]
    assert fresh != url and fetch(fresh).status_code == 200
