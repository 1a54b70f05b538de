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
from suishoupai.conftest import _page, screenshot
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


def _report(name: str):
    lat, lng = f.DAOWAI
    # Real commits here: the public copy is made as the report is stored (huey inline).
    case, _token = services.submit(
        services.Report(
            category="sanitation",
            description="靖宇街路边有一堆垃圾，旁边能看到车牌",
            lat=lat,
            lng=lng,
        ),
        check_uploads([(name, (PHOTOS / name).read_bytes())]),
    )
    return case


@needs_photos
def test_olga_drags_a_box_on_a_real_photo_and_saves_it(
    transactional_db, city, people, live_server, desktop
):
    original = (PHOTOS / "street_garbage_1.jpg").read_bytes()
    case = _report("street_garbage_1.jpg")
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

    card.get_by_role("button", name="对公众隐藏").click()
    expect(desktop.locator(".flash")).to_contain_text("照片已对公众隐藏")
    expect(card.locator(".hidden-mark")).to_have_text("已对公众隐藏")
    expect(card.get_by_role("button", name="对公众显示")).to_be_visible()
    screenshot(desktop, "console-redact-5-hidden")


@needs_photos
def test_leo_draws_a_box_with_a_finger_on_a_tablet(
    transactional_db, city, people, live_server, browser
):
    """Touch, not a mouse: the canvas takes the drag instead of scrolling the page."""
    case = _report("pothole_1.jpg")
    photo = case.photos.get()
    ctx, tablet = _page(
        browser, viewport={"width": 1024, "height": 768}, has_touch=True, is_mobile=True
    )
    try:
        LoginPage(tablet, live_server.url).goto()
        LoginPage(tablet, live_server.url).sign_in("leo")
        CasePage(tablet, live_server.url).goto_case(case.number).loaded(case.number)
        card = tablet.locator(f"#photo-{photo.uuid}")
        card.get_by_role("button", name="打码").click()
        canvas = card.locator(".redact-stage canvas")
        expect(card.locator(".redact-stage img")).to_have_js_property("complete", True)
        canvas.scroll_into_view_if_needed()
        shown = canvas.bounding_box()
        assert shown
        # A real finger drag through the browser's input pipeline (Chrome DevTools).
        cdp = ctx.new_cdp_session(tablet)
        x0, y0 = shown["x"] + shown["width"] * 0.1, shown["y"] + shown["height"] * 0.1
        x1, y1 = shown["x"] + shown["width"] * 0.4, shown["y"] + shown["height"] * 0.3
        steps = [(x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8) for i in range(9)]
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
        )
        for x, y in steps[1:]:
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        expect(card.locator(".box-count")).to_have_text("已画框： 1")
        # The box is painted where the finger went (the overlay follows the shown size).
        painted = canvas.evaluate(
            "(c, p) => c.getContext('2d').getImageData(p[0], p[1], 1, 1).data[3]",
            [shown["width"] * 0.35, shown["height"] * 0.25],
        )
        assert painted > 0
        screenshot(tablet, "console-redact-4-tablet")
        card.get_by_role("button", name="保存打码").click()
        expect(tablet.locator(".flash")).to_contain_text("打码框已保存")
    finally:
        ctx.close()
    event = CaseEvent.objects.get(case=case, action="photo.redacted")
    assert event.actor == people["leo"]
    (box,) = event.data["boxes"]
    photo.refresh_from_db()
    assert abs(box["x"] - 0.1 * photo.public_width) < 0.03 * photo.public_width
    assert abs(box["w"] - 0.3 * photo.public_width) < 0.03 * photo.public_width
