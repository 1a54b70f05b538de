"""Anyone can upload anything: every bad file is refused by its content, with the
file's name and the reason, and nothing of that submission is kept."""

import pytest
from django.test import Client

from suishoupai.cases.models import Case
from suishoupai.errors import InvalidInput
from suishoupai.photos import services
from suishoupai.photos.models import Photo

from . import corpus
from .conftest import SHARED_PHOTOS, files_in, report_form, upload

pytestmark = pytest.mark.django_db

BAD = corpus.bad_files()


@pytest.mark.parametrize("name", sorted(BAD))
def test_it_refuses_each_bad_file_naming_it_and_the_reason(city, name, media):
    data, reason = BAD[name]
    good = corpus.jpeg()
    response = Client(headers={"Accept-Language": "en"}).post(
        "/api/v1/cases",
        {**report_form(), "photos": [upload(good, "fine.jpg"), upload(data, name)]},
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert name in body["detail"] and reason in body["detail"], body["detail"]
    assert body["errors"][0]["field"] == "photos"
    # The good photo sent with it is not kept either: the whole submission is refused.
    assert Case.objects.count() == 0 and Photo.objects.count() == 0
    assert files_in(media) == []


def test_it_explains_the_refusal_in_chinese_by_default(city):
    response = Client().post("/api/v1/cases", {**report_form(), "photos": [upload(b"", "空.jpg")]})
    assert response.status_code == 400
    assert response.json()["detail"] == "照片“空.jpg”是空文件。"


@pytest.mark.parametrize(
    "make, content_type",
    [
        (corpus.jpeg, "image/jpeg"),
        (corpus.png, "image/png"),
        (corpus.webp, "image/webp"),
        (corpus.heic, "image/heic"),
    ],
)
def test_it_accepts_every_kind_of_phone_photo_by_content_not_name(make, content_type):
    checked = services.check_upload("IMG_0001.bin", make())
    assert checked.content_type == content_type


def test_it_accepts_multi_picture_jpegs_and_padding_that_cameras_write():
    # Many phones append a second JPEG (MPF preview, Ultra HDR gain map) after the first.
    assert services.check_upload("mpf.jpg", corpus.jpeg() + corpus.jpeg((32, 24)))
    assert services.check_upload("padded.jpg", corpus.jpeg() + b"\x00" * 512)


def test_it_refuses_a_script_hidden_in_a_second_jpeg_after_the_first(english):
    tail = corpus.jpeg_with_script_comment()
    with pytest.raises(InvalidInput, match="other data attached"):
        services.check_upload("sneaky.jpg", corpus.jpeg() + tail)


def test_it_refuses_files_over_the_size_limit(settings, english):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    with pytest.raises(InvalidInput, match=r"big.jpg.*larger than 1 MB"):
        services.check_upload("big.jpg", corpus.jpeg() + b"\x00" * (1024 * 1024))


def test_it_refuses_more_pixels_than_configured_before_decoding(settings, english):
    settings.PHOTO_MAX_PIXELS = 640 * 480 - 1
    with pytest.raises(InvalidInput, match="too many pixels"):
        services.check_upload("wide.jpg", corpus.jpeg((640, 480)))


def test_it_refuses_more_metadata_than_configured(settings, english):
    settings.PHOTO_MAX_METADATA_BYTES = 1000
    comment = b"\xff\xfe" + (2002).to_bytes(2, "big") + b"x" * 2000
    data = corpus.jpeg()
    with pytest.raises(InvalidInput, match="too much hidden metadata"):
        services.check_upload("chatty.jpg", data[:2] + comment + data[2:])


def test_it_shortens_an_absurdly_long_file_name_in_the_message(english):
    with pytest.raises(InvalidInput) as refused:
        services.check_upload("x" * 5000 + ".jpg", b"")
    assert len(refused.value.message) < 120


def test_it_accepts_the_real_phone_photos():
    if not SHARED_PHOTOS.exists():
        pytest.skip(f"shared test photos not found at {SHARED_PHOTOS}")
    for path in sorted(SHARED_PHOTOS.glob("*.jpg")):
        assert services.check_upload(path.name, path.read_bytes()).content_type == "image/jpeg"
