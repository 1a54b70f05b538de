"""The operator's intake with triage in the browser: an urgent report first in the queue,
its suggestion and duplicate candidates on the case page, d merges it into the likely
duplicate. Screenshots: artifacts/screenshots/console-triage-*.png"""

import pytest
from playwright.sync_api import expect

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.conftest import screenshot
from suishoupai.triage import services as triage_services
from suishoupai.triage.tests.conftest import load_harbin_catalogue, trained_model

from .pages import IntakePage, LoginPage

pytestmark = pytest.mark.browser
JINGYU = (45.7808, 126.6488)


def submit(text, category="sanitation", north_m=0.0):
    case, _token = services.submit(
        services.Report(
            category=category, description=text, lat=JINGYU[0] + north_m / 111_320, lng=JINGYU[1]
        )
    )
    triage_services.triage_case(case.pk)
    return case


def test_olga_sees_the_duplicate_first_and_merges_it_with_one_key(
    transactional_db, city, people, live_server, desktop
):
    load_harbin_catalogue()
    trained_model()
    first = submit("华山路胡同口堆了一大堆生活垃圾，臭气熏天")
    submit("路边有一堆垃圾，麻烦清理", north_m=-400)
    again = submit("华山路胡同口垃圾堆成山了，好几天没人管，投诉多次了太气人了", north_m=15)
    url = live_server.url
    LoginPage(desktop, url).goto()
    LoginPage(desktop, url).sign_in("olga")
    intake = IntakePage(desktop, url).goto()
    first_row = desktop.locator("table.cases tbody tr").first
    expect(first_row).to_have_attribute("data-number", again.number)  # urgent or angry first
    expect(first_row.locator(".tag.danger")).to_be_visible()
    screenshot(desktop, "console-triage-1-intake")

    case_page = intake.open(again.number)
    expect(desktop.locator("#triage")).to_be_visible()
    expect(desktop.locator("#merge-top")).to_have_attribute("data-number", first.number)
    expect(desktop.locator(".triage-duplicates li").first).to_contain_text("相距 15 米")
    screenshot(desktop, "console-triage-2-case")

    desktop.keyboard.press("d")
    desktop.wait_for_load_state("load")
    expect(desktop.locator(".flash")).to_be_visible()
    assert Case.objects.get(pk=again.pk).merged_into_id == first.pk
    assert case_page is not None
