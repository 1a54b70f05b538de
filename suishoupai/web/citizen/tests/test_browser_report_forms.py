"""The report form on a phone: what is not a photo is refused at once, and time limits read as
people say them (立案后24小时内处置)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from suishoupai.conftest import screenshot

from .test_browser_journey import DAOWAI, click_map_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The first bytes of an iPhone photo: the server takes HEIC, Chromium cannot draw it.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)


@pytest.fixture
def harbin():
    call_command("load_reference", verbosity=0)


def test_a_file_that_is_not_a_photo_is_refused_at_once_without_a_broken_thumbnail(
    live_server, phone, harbin
):
    if not PHOTOS.is_dir():
        pytest.skip(f"shared test photos not found at {PHOTOS}")
    phone.goto(live_server.url + "/m/")
    phone.set_input_files(
        "#photo-input",
        [
            {"name": "证明材料.pdf", "mimeType": "application/pdf", "buffer": PDF},
            # A name and a type that lie: the first bytes decide.
            {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"just some text\n" * 20},
            {
                "name": "pothole.jpg",
                "mimeType": "image/jpeg",
                "buffer": (PHOTOS / "pothole_1.jpg").read_bytes(),
            },
        ],
    )
    error = phone.locator('[data-error-for="photos"]')
    expect(error).to_contain_text("“证明材料.pdf”、“photo.jpg”不是照片")
    expect(phone.locator(".thumb")).to_have_count(1)  # only the real photo
    expect(phone.locator(".thumb.busy")).to_have_count(0)
    assert phone.evaluate("() => document.querySelector('.thumb img').naturalWidth") > 0
    screenshot(phone, "citizen-form-not-a-photo")

    phone.set_input_files(
        "#photo-input", [{"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": HEIC}]
    )
    expect(phone.locator(".thumb")).to_have_count(2)
    expect(error).to_be_empty()
    # Taken (the server reads HEIC), shown as a labelled tile instead of a broken image.
    expect(phone.locator(".thumb").nth(1)).to_contain_text("照片（无法预览）")
    assert phone.locator(".thumb img").count() == 1
    screenshot(phone, "citizen-form-heic")


def test_time_limits_read_as_people_say_them(live_server, phone, harbin):
    phone.goto(live_server.url + "/m/")
    click_map_at(phone, *DAOWAI)
    phone.locator("label.cat", has_text="施工扰民").click()
    phone.locator("#subcats .chip", has_text="夜间施工噪声").click()
    expect(phone.locator("#preview-limit")).to_have_text("立案后2小时内处置")
    # A category whose conditions differ: from the shortest to the longest.
    phone.locator("label.cat", has_text="道路破损").click()
    phone.locator("#subcats .chip", has_text="路面坑槽").click()
    expect(phone.locator("#preview-limit")).to_have_text("立案后24小时至5个工作日内处置")
    phone.locator("#preview").scroll_into_view_if_needed()
    screenshot(phone, "citizen-form-time-limit")
