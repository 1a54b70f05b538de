"""A phone opens the public statistics page from the home page. Screenshots in
artifacts/screenshots/public-stats-*.png."""

import pytest
from playwright.sync_api import expect

from suishoupai import factories as c
from suishoupai.conftest import screenshot
from suishoupai.stats.tests.utils import two_departments_history

pytestmark = pytest.mark.browser


def test_a_phone_reads_the_public_statistics(transactional_db, city, people, live_server, phone):
    two_departments_history(city, people, c.WEDNESDAY_9AM)
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="统计数据").click()
    expect(phone.locator("h1")).to_have_text("统计数据")
    phone.goto(live_server.url + "/public/stats/?since=2026-11-01&until=2026-11-30")
    expect(phone.locator("#figure-reported .value")).to_have_text("4")
    expect(phone.locator("#figure-closing_rate .value")).to_have_text("66.67%")
    expect(phone.locator("#trend-chart canvas")).to_have_count(1)
    expect(phone.locator("#district-ranking li").first).to_contain_text("南岗区")
    # Nothing wider than the phone but the tables, which scroll inside their box.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone, "public-stats-phone")
