"""The request guard (issue 17): control characters refused for every content type,
bodies refused before they are read, and every error in the API's own format
whatever layer raises it."""

import io
import json

import pytest
from django.test import Client
from PIL import Image

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

REPORT = {"category": "sanitation", "description": "路边垃圾", "lat": 45.78, "lng": 126.65}


def _api_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["detail"]
    return body


def _jpeg(name: str = "p.jpg", size=(64, 48)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 90, 90)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def filed(city, olga):
    case, _token = services.submit(
        services.Report(category="sanitation", description="垃圾", lat=f.DAOWAI[0], lng=f.DAOWAI[1])
    )
    return services.accept(case, olga)


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps({**REPORT, "description": "垃圾\u0001"})),
        # The API reads JSON whatever the declared type; text/plain was a 500.
        ("text/plain", json.dumps({**REPORT, "description": "垃圾\u0000"})),
        (
            "text/plain",
            json.dumps({**REPORT, "description": "垃圾"}, ensure_ascii=False).replace("垃", "\x00"),
        ),
        ("text/plain; charset=utf-8", json.dumps({**REPORT, "address": "a\u000bb"})),
        ("application/json", json.dumps({**REPORT, "description": "垃圾\b"})),
        ("application/json", '{"category": "sanitation", "description": "\\ud800", "lat": 45.78}'),
    ],
)
def test_a_report_with_a_control_character_is_a_400_whatever_its_content_type(
    client, city, content_type, body
):
    response = client.post("/api/v1/cases", body, content_type=content_type)
    assert "NUL" in _api_error(response, 400)["detail"]
    assert not Case.objects.exists()


def test_control_characters_in_form_and_multipart_fields_are_refused(client, city):
    form = {**REPORT, "description": "垃圾\x0b"}
    _api_error(client.post("/api/v1/cases", form), 400)  # multipart
    encoded = "category=sanitation&lat=45.78&lng=126.65&description=%1F"
    response = client.post(
        "/api/v1/cases", encoded, content_type="application/x-www-form-urlencoded"
    )
    _api_error(response, 400)
    assert not Case.objects.exists()


def test_tabs_and_line_breaks_are_ordinary_text(client, city):
    body = {**REPORT, "description": "第一行\n第二行\t（附近）\r\n"}
    response = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_staff_note_with_a_nul_sent_as_text_is_a_400_and_writes_nothing(
    filed, dora, staff_client
):
    before = CaseEvent.objects.count()
    response = staff_client(dora).post(
        f"/api/v1/staff/cases/{filed.number}/dispatch",
        '{"note": "\\u0000"}',
        content_type="text/plain",
    )
    _api_error(response, 400)
    assert CaseEvent.objects.count() == before


def test_a_support_phone_with_a_nul_is_a_400(client, filed):
    body = json.dumps({"device": "device-0123456789", "phone": "1390000\u00000000"})
    response = client.post(f"/api/v1/cases/{filed.number}/support", body, content_type="text/plain")
    _api_error(response, 400)


def test_a_control_character_in_a_query_string_is_a_400(client, city):
    _api_error(client.get("/api/v1/cases?category=a%01b"), 400)


def test_the_citizen_pages_json_refuses_them_in_its_own_shape(client, filed):
    response = client.post(
        f"/m/api/cases/{filed.number}/rating",
        json.dumps({"rating": "satisfied", "comment": "好\u0001"}),
        content_type="application/json",
    )
    _api_error(response, 400)


def test_a_console_form_with_a_control_character_is_a_plain_400(client, city):
    response = client.post("/console/login/", {"username": "olga\x01", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


# ------------------------------------------------------------------ bodies refused early


def test_a_body_larger_than_allowed_is_a_413_before_a_byte_is_read(client, city, settings):
    # The declared length is believed: FakePayload raises if the guard tried to read more.
    response = client.generic(
        "POST",
        "/api/v1/cases",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert "MB" in _api_error(response, 413)["detail"]
    response = client.generic(
        "POST",
        "/api/v1/cases",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )
    _api_error(response, 413)


def test_a_photo_over_the_size_limit_stops_the_upload_with_the_photo_message(
    client, city, settings
):
    settings.PHOTO_MAX_BYTES = 200 * 1024
    big = io.BytesIO(b"\xff\xd8" + b"\0" * (settings.PHOTO_MAX_BYTES + 1))
    big.name = "huge.jpg"
    response = client.post("/api/v1/cases", {**REPORT, "photos": [_jpeg(), big]})
    body = _api_error(response, 400)
    assert "huge.jpg" in body["detail"]
    assert body["errors"][0]["field"] == "photos"
    assert not Case.objects.exists()


def test_more_photos_than_allowed_are_refused_by_the_parser_in_api_form(client, city, settings):
    photos = [_jpeg(f"p{n}.jpg") for n in range(settings.PHOTO_MAX_COUNT + 1)]
    body = _api_error(client.post("/api/v1/cases", {**REPORT, "photos": photos}), 400)
    assert str(settings.PHOTO_MAX_COUNT) in body["detail"]


def test_a_five_thousand_character_photo_name_is_a_400_in_api_form(client, city):
    response = client.post("/api/v1/cases", {**REPORT, "photos": _jpeg("p" * 5000 + ".jpg")})
    _api_error(response, 400)
    assert not Case.objects.exists()


def test_a_multipart_body_without_a_boundary_is_a_400_in_api_form(client, city):
    response = client.generic(
        "POST", "/api/v1/cases", b"category=x", content_type="multipart/form-data"
    )
    _api_error(response, 400)


def test_many_fields_are_a_400_in_api_form(client, city):
    form = {**REPORT} | {f"f{n}": "x" for n in range(2000)}
    _api_error(client.post("/api/v1/cases", form), 400)


def test_an_over_long_address_is_a_414_in_api_form(client, city):
    _api_error(client.get("/api/v1/cases?category=" + "x" * 20_000), 414)


# ------------------------------------------------------------------ other layers


def test_an_unknown_api_address_is_a_404_in_api_form(client, city):
    _api_error(client.get("/api/v1/nothing-here"), 404)
    _api_error(client.get("/api/v1/cases/%00"), 400)


def test_an_unexpected_error_is_a_500_in_api_form(city, monkeypatch):
    from suishoupai.catalog.models import Category

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Category.objects, "filter", broken)
    client = Client(raise_request_exception=False)
    body = _api_error(client.get("/api/v1/categories"), 500)
    assert "database" not in body["detail"]  # no internals in the answer


def test_pages_keep_their_html_error_pages(client, city):
    response = client.get("/console/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
