"""The console on a tablet and a phone: nothing wider than the screen, screenshots kept."""

import pytest

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import walk
from suishoupai.conftest import screenshot

from .pages import LoginPage

pytestmark = pytest.mark.browser


@pytest.fixture
def tablet(browser):
    ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1024, "height": 768}
    )
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_shift_lead_works_on_a_tablet_and_an_inspector_on_a_phone(
    transactional_db, city, people, live_server, tablet, phone
):
    case = walk(city, people, "in_progress")
    Case.objects.filter(pk=case.pk).update(
        description="路边有一堆垃圾，" * 30, address="道外区靖宇街与南四道街交口往东二百米路北"
    )
    services.request_extension(case, people["carl"], reason="需协调产权单位，" * 5, amount=2)
    resolved = walk(city, people, "resolved")

    LoginPage(tablet, live_server.url).goto()
    LoginPage(tablet, live_server.url).sign_in("leo")
    for path, name in [
        ("/console/lead/", "console-tablet-lead"),
        (f"/console/cases/{case.number}/", "console-tablet-case"),
        ("/console/dispatch/", "console-tablet-dispatch"),
    ]:
        tablet.goto(live_server.url + path)
        screenshot(tablet, name)
        assert _overflow(tablet) <= 0, path

    LoginPage(phone, live_server.url).goto()
    LoginPage(phone, live_server.url).sign_in("ivan")
    for path, name in [
        ("/console/verify/", "console-phone-verify"),
        (f"/console/cases/{resolved.number}/", "console-phone-case"),
    ]:
        phone.goto(live_server.url + path)
        screenshot(phone, name)
        assert _overflow(phone) <= 0, path


def test_another_department_gets_a_clear_refusal(
    transactional_db, city, people, live_server, desktop
):
    case = walk(city, people, "dispatched")
    LoginPage(desktop, live_server.url).goto()
    LoginPage(desktop, live_server.url).sign_in("nina")
    response = desktop.goto(f"{live_server.url}/console/cases/{case.number}/")
    assert response and response.status == 403
    assert "此案件未派遣给您所在的部门" in desktop.locator(".refused").inner_text()
    assert case.description not in desktop.content()
    screenshot(desktop, "console-refused-other-department")
