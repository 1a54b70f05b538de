from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from suishoupai import factories as f
from suishoupai.cases.tests.journeys import report
from suishoupai.conftest import screenshot

from .test_search import make_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_an_operator_narrows_the_search_without_reloading_the_page(
    live_server, desktop, city, people
):
    cases = make_cases(city, people)
    for i in range(4):
        report(city, now=f.WEDNESDAY_9AM + timedelta(days=3, hours=i), address=f"道外区景阳街{i}号")
    sign_in(desktop, live_server, people["olga"])
    desktop.goto(live_server.url + "/console/search/")
    assert desktop.locator("h1").inner_text() == "案件查询"
    assert desktop.locator("tbody tr").count() == 7
    desktop.evaluate("() => { window.sameDocument = true; }")

    desktop.select_option("select[name=category]", "road_damage")
    desktop.locator("tbody tr").first.wait_for()
    desktop.wait_for_function("() => document.querySelectorAll('tbody tr').length === 1")
    assert cases["pothole"].number in desktop.locator("tbody").inner_text()
    # htmx swapped the results and kept the address bar in step; no reload happened.
    assert desktop.evaluate("() => window.sameDocument") is True
    assert "category=road_damage" in desktop.url

    desktop.select_option("select[name=category]", "")
    desktop.fill("input[name=address]", "景阳街")
    desktop.wait_for_function("() => document.querySelectorAll('tbody tr').length === 4")
    screenshot(desktop, "console-search-desktop")

    # A bad date range is explained in place, in Chinese.
    desktop.fill("input[name=since]", "2026-11-30")
    desktop.fill("input[name=until]", "2026-11-20")
    desktop.locator("input[name=until]").dispatch_event("change")
    desktop.get_by_role("alert").wait_for()
    assert "结束日期早于开始日期" in desktop.get_by_role("alert").inner_text()
    screenshot(desktop, "console-search-error-desktop")
