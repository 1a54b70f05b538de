"""One case through every hand, in the browser: report → file → dispatch → pass on →
take → feed back with a photo → verify on a phone → close. Screenshots of each step
are kept in artifacts/screenshots/console-*.png."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.catalog.models import ReplyKind, ReplyTemplate
from suishoupai.conftest import screenshot
from suishoupai.photos.services import check_uploads

from .pages import (
    CasePage,
    DepartmentPage,
    DispatchPage,
    IntakePage,
    LeadPage,
    LoginPage,
    VerifyPage,
)

pytestmark = pytest.mark.browser
PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
needs_photos = pytest.mark.skipif(
    not PHOTOS.is_dir(), reason=f"real photos not found at {PHOTOS} (shared test data)"
)


def _report(photo: Path) -> Case:
    lat, lng = f.DAOWAI
    case, _token = services.submit(
        services.Report(
            category="sanitation",
            subcategory="sanitation.exposed_garbage",
            description="道外区靖宇街路边有一堆垃圾，已经好几天没人清理",
            address="靖宇街与南四道街交口",
            lat=lat,
            lng=lng,
            phone="13900001111",
        ),
        check_uploads([(photo.name, photo.read_bytes())]),
    )
    return case


def _sign_in(page, url, username):
    LoginPage(page, url).goto()
    LoginPage(page, url).sign_in(username)


@needs_photos
def test_one_case_goes_through_every_hand(
    transactional_db, city, people, live_server, desktop, phone
):
    url = live_server.url
    ReplyTemplate.objects.create(
        kind=ReplyKind.FEEDBACK, text="已清运暴露垃圾并对周边进行清扫保洁。"
    )

    # The operator's queue is open when the report arrives: it appears without a reload.
    _sign_in(desktop, url, "olga")
    intake = IntakePage(desktop, url)
    expect(desktop.locator("h1")).to_have_text("受理：新上报")
    case = _report(PHOTOS / "street_garbage_1.jpg")
    intake.wait_for(case.number)
    assert "剩余" in intake.row(case.number).locator("time.due").inner_text()
    screenshot(desktop, "console-1-intake-queue")

    page = intake.open_selected_with_keyboard()
    expect(desktop.locator(".case-head .number")).to_have_text(case.number)
    assert "13900001111" in desktop.locator(".phone").inner_text()
    assert page.photo_count() == 1
    screenshot(desktop, "console-2-operator-case")
    desktop.keyboard.press("a")  # file with the suggested condition
    expect(desktop.locator(".flash")).to_contain_text("立案")
    page.sign_out()

    _sign_in(desktop, url, "dora")
    dispatch = DispatchPage(desktop, url).goto()
    assert dispatch.suggested(case.number).strip() == "市环卫中心"
    screenshot(desktop, "console-3-dispatch")
    dispatch.dispatch(case.number, "市环卫中心")
    expect(desktop.locator(".flash")).to_contain_text("派遣")
    dispatch.sign_out()

    _sign_in(desktop, url, "carl")
    page = DepartmentPage(desktop, url).goto().open(case.number)
    page.choose("dispatch_on", "department", "道外区环卫部门")
    screenshot(desktop, "console-4-city-department-passes-on")
    page.submit("dispatch_on")
    expect(desktop.locator(".case-head .state")).to_have_text("待签收")
    page.sign_out()

    _sign_in(desktop, url, "hans")
    department = DepartmentPage(desktop, url).goto()
    screenshot(desktop, "console-5-district-unit-queue")
    department.take(case.number)
    page = CasePage(desktop, url).goto_case(case.number)
    assert page.state() == "处置中"
    assert "13900001111" not in desktop.content()
    page.use_phrase("feedback")
    page.attach("feedback", PHOTOS / "street_garbage_2.jpg")
    screenshot(desktop, "console-6-feedback-form")
    page.submit("feedback")
    page = CasePage(desktop, url).goto_case(case.number)
    assert page.state() == "待核查"
    assert page.photo_count() == 2
    page.sign_out()

    # The inspector, on a phone.
    _sign_in(phone, url, "ivan")
    verify = VerifyPage(phone, url).goto()
    screenshot(phone, "console-7-inspector-list-phone")
    page = verify.open(case.number)
    page.attach("verify_pass", PHOTOS / "street_garbage_3.jpg")
    screenshot(phone, "console-8-inspector-case-phone")
    page.submit("verify_pass")
    expect(phone.locator(".case-head .state")).to_have_text("待结案")

    _sign_in(desktop, url, "leo")
    lead = LeadPage(desktop, url).goto()
    screenshot(desktop, "console-9-shift-lead")
    lead.close(case.number)
    page = CasePage(desktop, url).goto_case(case.number)
    assert page.state() == "已结案"
    assert page.timeline() == [
        "上报",
        "已立案",
        "已派遣",
        "已转派至下级单位",
        "已签收",
        "已处置",
        "核查通过",
        "已结案",
    ]
    screenshot(desktop, "console-10-closed-case")
    case.refresh_from_db()
    assert case.state == "closed" and case.department == city.daowai_sanitation
    assert case.photos.count() == 3
