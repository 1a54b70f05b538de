"""One real-browser run of the citizen's story on a phone (360×740, WeChat-like).

A citizen reports with a real photo, picks the place on the map, gets a number and
follows the case while staff act through cases.services; then rates it. Another
citizen nearby says "me too" instead of reporting it again; a place outside the
served area is refused before sending. Screenshots: artifacts/screenshots/citizen-*.png
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.cases.selectors import CaseFilter, staff_queue
from suishoupai.conftest import screenshot
from suishoupai.factories import UserFactory, token_for
from suishoupai.org.models import Department, DepartmentKind, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
# 道外区, near 三棵树: 45°46′48″N 126°39′36″E.
DAOWAI = (45.78, 126.66)


@pytest.fixture
def harbin():
    if not PHOTOS.is_dir():
        pytest.skip(f"shared test photos not found at {PHOTOS}")
    call_command("load_reference", verbosity=0)
    centre = Department.objects.get(kind=DepartmentKind.CENTRE)
    return {
        name: UserFactory(username=name, role=role, department=centre, display_name=name)
        for name, role in [
            ("olga", Role.OPERATOR),
            ("dora", Role.DISPATCHER),
            ("ivan", Role.INSPECTOR),
            ("leo", Role.SHIFT_LEAD),
        ]
    }


def photo_with_gps(tmp_path: Path) -> Path:
    """A real 3264 px street photo with a GPS position written into its EXIF."""
    image = Image.open(PHOTOS / "street_garbage_1.jpg")
    exif = image.getexif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 46.0, 48.0), 3: "E", 4: (126.0, 39.0, 36.0)})
    path = tmp_path / "garbage_gps.jpg"
    image.save(path, exif=exif, quality=90)
    return path


def staff_api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def act(client: Client, number: str, action: str, body=None, multipart: bool = False) -> None:
    url = f"/api/v1/staff/cases/{number}/{action}"
    if multipart:
        response = client.post(url, body)
    else:
        response = client.post(url, json.dumps(body or {}), content_type="application/json")
    assert response.status_code == 200, response.content


def click_map_at(page, lat: float, lng: float) -> None:
    """A real tap on the map where (lat, lng) is drawn; the view is settled first."""
    # mouse.click takes viewport coordinates and never scrolls: bring the map on screen.
    page.locator("#map").scroll_into_view_if_needed()
    page.evaluate("() => SSP.map.invalidateSize({animate: false})")
    page.evaluate(f"() => SSP.map.setView([{lat}, {lng}], 16, {{animate: false}})")
    point = page.evaluate(f"() => SSP.map.latLngToContainerPoint([{lat}, {lng}])")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def drag_pin(page, dx: int, dy: int) -> None:
    pin = page.locator(".leaflet-marker-icon").bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def test_a_citizen_reports_follows_and_rates_a_case_on_a_phone(
    live_server, phone, harbin, tmp_path
):
    page = phone
    page.goto(live_server.url + "/m/")
    expect(page.locator(".cat")).to_have_count(10)
    screenshot(page, "citizen-1-report-empty")

    # Photos: a large one with GPS (shrunk in the browser, position kept) and a small one.
    page.set_input_files("#photo-input", [photo_with_gps(tmp_path), PHOTOS / "pothole_1.jpg"])
    expect(page.locator(".thumb")).to_have_count(2)
    expect(page.locator(".thumb.busy")).to_have_count(0)
    expect(page.locator("#use-exif")).to_be_visible()
    expect(page.locator("#place-status")).to_contain_text("道外区")

    # One removed, then the place adjusted by tapping and dragging the pin.
    page.locator(".thumb-del").nth(1).click()
    expect(page.locator(".thumb")).to_have_count(1)
    click_map_at(page, 45.785, 126.665)
    drag_pin(page, 12, 8)
    expect(page.locator("#place-status")).to_contain_text("道外区")

    page.locator("label.cat", has_text="环境卫生").click()
    page.locator("#subcats .chip").first.click()
    expect(page.locator("#preview")).to_be_visible()
    expect(page.locator("#preview-dept")).to_contain_text("环卫")
    page.fill("#description", "路边堆放大量生活垃圾，已经好几天没人清理")
    page.fill("#address", "道外区三棵树大街与北工业头道街交口")
    page.fill("#phone", "13800000001")
    screenshot(page, "citizen-2-report-filled")

    page.click("#send")
    expect(page.locator("#done")).to_be_visible()
    number = page.locator("#done-number").inner_text()
    expect(page.locator("#done-qr svg")).to_be_visible()
    expect(page.locator("#done-limit")).to_contain_text("受理")
    screenshot(page, "citizen-3-sent")

    case = Case.objects.get(number=number)
    assert case.photos.count() == 1
    stored = case.photos.get()
    assert max(stored.width, stored.height) <= 2000  # shrunk before upload
    assert case.district.name == "道外区"
    assert case.reporter_phone == "13800000001"

    page.click("#done-follow")
    expect(page.locator("#c-number")).to_have_text(number)
    assert "#t=" not in page.url  # the token left the address bar
    expect(page.locator("#c-words")).to_contain_text("受理")
    screenshot(page, "citizen-4-case-submitted")

    # Staff act through the staff JSON API with their bearer tokens, as a console would.
    olga, dora, ivan, leo = (staff_api(harbin[n]) for n in ("olga", "dora", "ivan", "leo"))
    act(olga, number, "accept")
    act(dora, number, "dispatch")
    case.refresh_from_db()
    page.reload()
    expect(page.locator("#c-steps li.reached")).to_have_count(3)
    expect(page.locator("#c-step-note")).to_contain_text(case.department.name)
    screenshot(page, "citizen-5-case-dispatched")

    hans = staff_api(UserFactory(username="hans", role=Role.HANDLER, department=case.department))
    act(hans, number, "take")
    with (PHOTOS / "street_garbage_2.jpg").open("rb") as after:
        act(hans, number, "feedback", {"note": "已清运完毕", "photos": after}, multipart=True)
    act(ivan, number, "verify-pass", {"note": "现场已清理干净"})
    act(leo, number, "close")
    page.reload()
    expect(page.locator("#c-steps li.reached")).to_have_count(6)
    expect(page.locator("#c-timeline")).to_contain_text("已清运完毕")
    expect(page.locator("#c-after .nophoto, #c-after img")).to_have_count(1)
    expect(page.locator("#rating")).to_be_visible()
    screenshot(page, "citizen-6-case-closed")

    page.locator(".choices label", has_text="不满意").click()
    page.locator('.star[data-stars="2"]').click()
    page.fill("#comment", "还有一些垃圾没清干净")
    page.locator("#rate-form button[type=submit]").click()
    expect(page.locator("#rated-text")).to_contain_text("不满意")
    screenshot(page, "citizen-7-rated")
    case.refresh_from_db()
    assert (case.rating, case.rating_stars) == ("unsatisfied", 2)
    assert number in [c.number for c in staff_queue(harbin["leo"], CaseFilter(), todo=True)]

    page.goto(live_server.url + "/m/mine")
    expect(page.locator("#mine-list li")).to_have_count(1)
    expect(page.locator("#mine-list")).to_contain_text(number)
    screenshot(page, "citizen-8-mine")


def test_a_neighbour_says_me_too_and_a_far_place_is_refused_before_sending(
    live_server, phone, harbin, browser
):
    olga = harbin["olga"]
    case, _token = services.submit(
        services.Report(
            category="sanitation",
            description="垃圾堆放",
            lat=DAOWAI[0],
            lng=DAOWAI[1],
            address="三棵树大街",
        )
    )
    services.accept(case, olga)

    page = phone
    page.goto(live_server.url + "/m/")
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()  # outlines
    page.evaluate("() => SSP.map.fire('click', {latlng: L.latLng(44.9, 125.3)})")
    expect(page.locator('[data-error-for="lat"]')).to_contain_text("不在服务范围")
    page.fill("#description", "测试")
    page.fill("#phone", "13800000002")
    page.locator("label.switch", has_text="匿名").click()
    expect(page.locator("#phone")).to_be_disabled()
    expect(page.locator("#phone")).to_have_value("")
    page.locator("label.cat", has_text="环境卫生").click()
    page.click("#send")
    expect(page.locator('[data-error-for="lat"]')).to_contain_text("不在服务范围")
    screenshot(page, "citizen-9-outside")
    assert Case.objects.count() == 1

    click_map_at(page, DAOWAI[0] + 0.0005, DAOWAI[1])
    expect(page.locator("#nearby-list li")).to_have_count(1)
    expect(page.locator("#nearby-list")).to_contain_text("待派遣")
    screenshot(page, "citizen-10-nearby")
    page.locator("#nearby-list button").click()
    expect(page.locator("#supported")).to_be_visible()
    expect(page.locator("#supported-count")).to_contain_text("1")
    screenshot(page, "citizen-11-me-too")
    case.refresh_from_db()
    assert case.support_count == 1 and Case.objects.count() == 1


def test_a_lost_answer_on_a_weak_network_is_retried_without_a_second_case(
    live_server, phone, harbin
):
    page = phone
    lost = []

    def lose_first_answer(route):
        # The first upload reaches the server (the case is created), but the answer is lost.
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/cases", lose_first_answer)
    page.goto(live_server.url + "/m/")
    # No photo here: Playwright cannot pass a file part on to the server from a route.
    click_map_at(page, *DAOWAI)
    page.locator("label.cat", has_text="道路破损").click()
    page.fill("#description", "路面有个大坑")
    page.click("#send")
    expect(page.locator("#progress-text")).to_contain_text("重试")
    screenshot(page, "citizen-12-retrying")
    expect(page.locator("#done")).to_be_visible(timeout=20_000)
    assert lost == [201]
    assert Case.objects.count() == 1
    number = page.locator("#done-number").inner_text()
    assert Case.objects.get().number == number
    page.click("#done-follow")
    expect(page.locator("#c-number")).to_have_text(number)  # the retry's token works


def test_anyone_opening_a_case_link_without_its_token_sees_the_public_progress(
    live_server, phone, harbin
):
    case, _token = services.submit(
        services.Report(category="sanitation", description="垃圾堆放", lat=DAOWAI[0], lng=DAOWAI[1])
    )
    services.accept(case, harbin["olga"])
    phone.goto(live_server.url + f"/m/cases/{case.number}")
    expect(phone.locator("#c-number")).to_have_text(case.number)
    expect(phone.locator("#c-timeline")).to_contain_text("立案")
    expect(phone.locator("#rating")).to_be_hidden()
    screenshot(phone, "citizen-12-public-view")
