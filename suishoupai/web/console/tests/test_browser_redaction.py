"""打码 in the browser: olga drags a box with the mouse on the public copy of a real
photo, saves, and the page comes back with the blurred copy and the event on the
timeline. Screenshots: artifacts/screenshots/console-redact-*.png."""

import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import CaseEvent
from suishoupai.conftest import screenshot
from suishoupai.photos.models import DerivativeStatus
from suishoupai.photos.services import check_uploads

from .pages import CasePage, LoginPage

pytestmark = pytest.mark.browser
PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
needs_photos = pytest.mark.skipif(
    not PHOTOS.is_dir(), reason=f"real photos not found at {PHOTOS} (shared test data)"
)


def _pixels(photo) -> np.ndarray:
    with photo.public_file.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L"), dtype=np.int16)


@needs_photos
def test_olga_drags_a_box_on_a_real_photo_and_saves_it(
    transactional_db, city, people, live_server, desktop
):
    original = (PHOTOS / "street_garbage_1.jpg").read_bytes()
    lat, lng = f.DAOWAI
    # Real commits here: the public copy is made as the report is stored (huey inline).
    case, _token = services.submit(
        services.Report(
            category="sanitation",
            description="靖宇街路边有一堆垃圾，旁边能看到车牌",
            lat=lat,
            lng=lng,
        ),
        check_uploads([("street_garbage_1.jpg", original)]),
    )
    photo = case.photos.get()
    assert photo.status == DerivativeStatus.READY
    before = _pixels(photo)

    LoginPage(desktop, live_server.url).goto()
    LoginPage(desktop, live_server.url).sign_in("olga")
    page = CasePage(desktop, live_server.url).goto_case(case.number).loaded(case.number)
    card = desktop.locator(f"#photo-{photo.uuid}")
    expect(card.locator(".copy-status")).to_have_text("已生成")
    card.get_by_role("button", name="打码").click()
    stage = card.locator(".redact-stage canvas")
    expect(stage).to_be_visible()
    expect(card.locator(".redact-stage img")).to_have_js_property("complete", True)

    # Drag from 20 % to 50 % across and 30 % to 60 % down the shown copy.
    shown = stage.bounding_box()
    assert shown and shown["width"] > 300
    x0, y0 = shown["x"] + shown["width"] * 0.2, shown["y"] + shown["height"] * 0.3
    x1, y1 = shown["x"] + shown["width"] * 0.5, shown["y"] + shown["height"] * 0.6
    desktop.mouse.move(x0, y0)
    desktop.mouse.down()
    desktop.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    desktop.mouse.move(x1, y1, steps=5)
    desktop.mouse.up()
    expect(card.locator(".box-count")).to_have_text("已画框： 1")
    screenshot(desktop, "console-redact-1-box-drawn")

    card.get_by_role("button", name="保存打码").click()
    expect(desktop.locator(".flash")).to_contain_text("打码框已保存")
    page.loaded(case.number)
    expect(card.locator(".copy-status")).to_have_text("已生成")
    timeline = desktop.locator("ol.timeline")
    expect(timeline).to_contain_text("照片已加打码")
    expect(timeline).to_contain_text("打码框：1 个")
    screenshot(desktop, "console-redact-2-saved")

    # The box arrived in the copy's own pixels, wherever the page showed it scaled.
    event = CaseEvent.objects.get(case=case, action="photo.redacted")
    assert event.actor == people["olga"]
    (box,) = event.data["boxes"]
    photo.refresh_from_db()
    width, height = photo.public_width, photo.public_height
    assert abs(box["x"] - 0.2 * width) < 0.02 * width
    assert abs(box["w"] - 0.3 * width) < 0.02 * width
    assert abs(box["y"] - 0.3 * height) < 0.02 * height
    assert abs(box["h"] - 0.3 * height) < 0.02 * height
    diff = np.abs(_pixels(photo) - before)
    x, y, w, h = box["x"], box["y"], box["w"], box["h"]
    assert diff[y : y + h, x : x + w].mean() > 3 * max(1.0, diff[:, : x - 20].mean())
    with photo.original.open("rb") as handle:
        assert handle.read() == original

    # The reloaded panel shows the new copy (the revision is in its URL).
    card.get_by_role("button", name="打码").click()
    expect(card.locator(".redact-stage img")).to_have_attribute(
        "src", f"/console/photos/{photo.uuid}/public.webp?v=1"
    )
    expect(card.locator(".redact-stage img")).to_have_js_property("complete", True)
    screenshot(desktop, "console-redact-3-new-copy")
