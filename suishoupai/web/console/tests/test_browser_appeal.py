"""超期申诉 in the browser: hans's unit was marked overdue, hans appeals with a stock
phrase, leo approves it in the approvals queue and the mark is gone. Screenshots in
artifacts/screenshots/console-appeal-*.png."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import walk
from suishoupai.catalog.models import ReplyKind, ReplyTemplate
from suishoupai.conftest import screenshot

from .pages import CasePage, LeadPage, LoginPage

pytestmark = pytest.mark.browser

PHRASE = "现场被施工围挡封闭，处置人员无法进入，申请撤销超时记录。"


def _overdue_at_hans(city, people) -> Case:
    case = walk(city, people, "dispatched")  # at 市环卫中心 since 09:20
    t = case.dispatched_at + timedelta(minutes=10)
    services.dispatch_on(case, people["carl"], department=city.daowai_sanitation.pk, now=t)
    services.take(case, people["hans"], now=t + timedelta(minutes=10))
    case.refresh_from_db()
    assert case.number in services.mark_overdue(now=case.due_at + timedelta(minutes=1))
    return case


def test_hans_appeals_an_overdue_mark_and_leo_approves_it(
    transactional_db, city, people, live_server, desktop
):
    url = live_server.url
    ReplyTemplate.objects.create(kind=ReplyKind.APPEAL, text=PHRASE)
    case = _overdue_at_hans(city, people)

    LoginPage(desktop, url).goto()
    LoginPage(desktop, url).sign_in("hans")
    page = CasePage(desktop, url).goto_case(case.number).loaded(case.number)
    assert "超时申诉" in page.actions()
    page.use_phrase("request_appeal")
    expect(page.form("request_appeal").locator("textarea[name=reason]")).to_have_value(PHRASE)
    screenshot(desktop, "console-appeal-1-handler-form")
    page.submit("request_appeal")
    expect(desktop.locator(".flash")).to_contain_text("超时申诉")
    assert "超时申诉" not in CasePage(desktop, url).actions()  # one pending appeal at a time
    page.sign_out()

    LoginPage(desktop, url).goto()
    LoginPage(desktop, url).sign_in("leo")
    lead = LeadPage(desktop, url).goto()
    row = desktop.locator("table.cases tr", has_text=case.number).first
    expect(row).to_contain_text("超时申诉")
    expect(row).to_contain_text("记为超时")
    screenshot(desktop, "console-appeal-2-approvals-queue")
    row.get_by_role("button", name="同意", exact=True).click()
    expect(desktop.locator(".flash")).to_contain_text("同意申诉")
    expect(lead.page.locator("table.cases", has_text=case.number)).to_have_count(0)

    page = CasePage(desktop, url).goto_case(case.number).loaded(case.number)
    assert "超时记录已撤销" in page.timeline()
    screenshot(desktop, "console-appeal-3-waived-timeline")
    expect(desktop.locator(".case-head")).to_contain_text("超时记录已撤销")
    case.refresh_from_db()
    assert case.is_overdue is False
