"""The leader's dashboard in a browser: lily opens it from the menu, clicks a number in
the departments' ranking and lands on exactly those cases. Screenshots in
artifacts/screenshots/console-dashboard-*.png."""

import pytest
from playwright.sync_api import expect

from suishoupai import factories as c
from suishoupai.conftest import screenshot
from suishoupai.stats.tests.utils import two_departments_history

from .pages import LoginPage

pytestmark = pytest.mark.browser


def test_lily_clicks_a_ranking_number_and_sees_exactly_those_cases(
    transactional_db, city, people, live_server, desktop
):
    a, _b, _late = two_departments_history(city, people, c.WEDNESDAY_9AM)
    url = live_server.url
    LoginPage(desktop, url).goto()
    LoginPage(desktop, url).sign_in("lily")
    desktop.get_by_role("link", name="统计看板").click()
    expect(desktop.locator("h1")).to_have_text("统计看板")
    desktop.goto(f"{url}/console/dashboard/?since=2026-11-01&until=2026-11-30")
    expect(desktop.locator("#chart-trend canvas")).to_have_count(1)
    screenshot(desktop, "console-dashboard-1-november")

    best = desktop.locator("#rank-departments ol").first.locator("li").first
    expect(best).to_contain_text("道外区环卫部门")
    number = best.locator("a[data-stat=closed_on_time]")
    shown = int(number.inner_text())
    number.click()
    expect(desktop.locator("#stat-banner")).to_contain_text("道外区环卫部门")
    expect(desktop.locator("#result-count")).to_have_attribute("data-count", str(shown))
    rows = desktop.locator("#results table tbody tr")
    expect(rows).to_have_count(shown)
    expect(rows.first).to_contain_text(a.number)
    screenshot(desktop, "console-dashboard-2-cases-behind")


def test_lily_reads_handling_times_in_each_condition_s_unit_by_subcategory(
    transactional_db, city, people, live_server, desktop
):
    _a, b, _late = two_departments_history(city, people, c.WEDNESDAY_9AM)
    url = live_server.url
    LoginPage(desktop, url).goto()
    LoginPage(desktop, url).sign_in("lily")
    desktop.goto(
        f"{url}/console/dashboard/?since=2026-11-01&until=2026-11-30&breakdown=subcategory"
    )
    expect(desktop.locator("#chart-trend canvas")).to_have_count(1)
    table = desktop.locator("#table-breakdown")
    # The pothole's condition counts in working days: 20 minutes of a 7.5-hour day
    # (median / mean).
    days = table.get_by_role("link", name="0.07 / 0.04 工作日")
    expect(days).to_have_count(1)
    desktop.set_viewport_size({"width": 1400, "height": 900})
    table.scroll_into_view_if_needed()
    screenshot(desktop, "console-dashboard-3-by-subcategory")
    count = days.get_attribute("data-count")
    days.click()
    expect(desktop.locator("#stat-banner")).to_contain_text("路面坑洼")
    expect(desktop.locator("#result-count")).to_have_attribute("data-count", count or "")
    rows = desktop.locator("#results table tbody tr")
    expect(rows).to_have_count(int(count or 0))
    expect(rows.first).to_contain_text(b.number)
