"""The citizen page pre-fills the report's position from the photo's EXIF GPS."""

import pytest
from django.core.cache import cache
from django.test import Client

from suishoupai.photos import services
from suishoupai.photos.models import Photo

from . import corpus
from .conftest import files_in, upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/photos/exif-location"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("make", [corpus.jpeg, corpus.heic])
def test_it_reads_the_wgs84_position_from_jpeg_and_heic(make):
    lat, lng = services.exif_location(make(gps=True))
    assert lat == pytest.approx(corpus.GPS_DECIMAL[0], abs=1e-6)
    assert lng == pytest.approx(corpus.GPS_DECIMAL[1], abs=1e-6)


def test_southern_and_western_references_give_negative_degrees():
    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (33.0, 52.0, 4.0), 3: "W", 4: (70.0, 40.0, 0.0)}
    data = corpus.encode(corpus.scene((32, 32)), "JPEG", exif=exif.tobytes())
    lat, lng = services.exif_location(data)
    assert lat == pytest.approx(-33.867778, abs=1e-5) and lng == pytest.approx(-70.666667, abs=1e-5)


def test_a_photo_without_gps_or_with_zeros_has_no_position():
    from PIL import Image

    assert services.exif_location(corpus.jpeg()) is None
    assert services.exif_location(corpus.png()) is None
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}
    assert (
        services.exif_location(corpus.encode(corpus.scene(), "JPEG", exif=exif.tobytes())) is None
    )


def test_the_endpoint_answers_the_position_and_stores_nothing(city, media):
    response = Client().post(URL, {"photo": upload(corpus.heic(gps=True), "IMG_0042.HEIC")})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["coord_system"] == "wgs84"
    assert body["lat"] == pytest.approx(45.780833, abs=1e-5)
    assert body["lng"] == pytest.approx(126.648611, abs=1e-5)
    assert Photo.objects.count() == 0 and files_in(media) == []


def test_the_endpoint_says_so_when_the_photo_has_no_position(city):
    response = Client().post(URL, {"photo": upload(corpus.jpeg())})
    assert response.status_code == 404
    assert "地图" in response.json()["detail"]


def test_the_endpoint_refuses_what_is_not_a_photo(city):
    response = Client(headers={"Accept-Language": "en"}).post(
        URL, {"photo": upload(b"%PDF-1.4 nope", "scan.jpg")}
    )
    assert response.status_code == 400
    assert "scan.jpg" in response.json()["detail"] and "PDF" in response.json()["detail"]
    missing = Client().post(URL, {})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "photo"


def test_the_endpoint_is_rate_limited_per_client(city, settings):
    settings.PHOTO_EXIF_LOCATION_PER_MINUTE = 3
    client = Client()
    codes = [client.post(URL, {"photo": upload(corpus.jpeg())}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(URL, {"photo": upload(corpus.jpeg())}).status_code == 404
