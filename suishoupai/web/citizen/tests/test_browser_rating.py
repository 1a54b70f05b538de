"""Rating a closed case on a phone: the reporter is told, next to the comment box, that the
comment is public, and the public page then shows it as promised (and nothing personal)."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from suishoupai.cases import services
from suishoupai.cases.links import reporter_link
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import walk
from suishoupai.conftest import WECHAT_UA, screenshot
from suishoupai.notify.models import Message
from suishoupai.org.models import hash_token
from suishoupai.web.citizen.tests.test_citizen_api import sent_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "reporters-own-tracking-token-0001"
PHONE = "13900000042"


@pytest.fixture
def closed_case(city, people) -> Case:
    case = walk(city, people, "closed")
    # The reporter's private link carries this token (only its hash is stored).
    Case.objects.filter(pk=case.pk).update(
        tracking_token_hash=hash_token(TOKEN), reporter_phone=PHONE
    )
    return case


def test_the_reporter_is_told_the_comment_is_public_before_writing_it(
    closed_case, live_server, phone, browser
):
    phone.goto(f"{live_server.url}/m/cases/{closed_case.number}#t={TOKEN}")
    expect(phone.locator("#rating")).to_be_visible()
    notice = phone.locator("#comment-public")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("公开显示")
    assert phone.locator("#comment").get_attribute("aria-describedby") == "comment-public"
    # Next to the box: right below it, before the send button.
    box = phone.locator("#comment").bounding_box()
    below = notice.bounding_box()
    assert 0 <= below["y"] - (box["y"] + box["height"]) < 40
    phone.locator(".choices label", has_text="基本满意").click()
    phone.locator('.star[data-stars="4"]').click()
    phone.fill("#comment", "清理得挺快，就是路边还有点脏")
    phone.locator("#rating").scroll_into_view_if_needed()
    screenshot(phone, "citizen-rating-comment-public")
    phone.locator("#rate-form button[type=submit]").click()
    expect(phone.locator("#rated-text")).to_contain_text("基本满意")

    # Anyone else opening the case link sees the comment, as the reporter was told, and
    # nothing that names the reporter.
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, user_agent=WECHAT_UA
    )
    stranger = ctx.new_page()
    stranger.goto(f"{live_server.url}/m/cases/{closed_case.number}")
    expect(stranger.locator("#c-timeline")).to_contain_text("清理得挺快，就是路边还有点脏")
    expect(stranger.locator("#rating")).to_be_hidden()
    assert PHONE not in stranger.content()
    ctx.close()


def confirm_phone_here(page, phone: str) -> None:
    page.fill("#p-phone", phone)
    page.click("#p-send")
    expect(page.locator("#p-code")).to_be_visible()
    sms = Message.objects.filter(kind="citizen.phone_code").latest("pk")
    page.fill("#p-code", sent_code(sms))
    page.click("#p-confirm")


@pytest.mark.parametrize("public", [True, False])
def test_the_reporter_in_another_browser_confirms_the_phone_right_there_and_rates(
    closed_case, live_server, phone, public
):
    Case.objects.filter(pk=closed_case.pk).update(is_public=public)
    # The plain case link, as an old message or a shared link gives it: no token.
    phone.goto(f"{live_server.url}/m/cases/{closed_case.number}")
    claim = phone.locator("#claim")
    expect(claim).to_be_visible()
    expect(claim).to_contain_text("是您上报的吗？")
    expect(phone.locator("#rating")).to_be_hidden()
    if not public:
        expect(phone.locator("#missing")).to_be_visible()
    screenshot(phone, f"citizen-claim-{'public' if public else 'private'}")

    confirm_phone_here(phone, PHONE)
    expect(phone.locator("#rating")).to_be_visible()
    expect(claim).to_be_hidden()
    phone.locator(".choices label", has_text="满意").first.click()
    phone.locator("#rate-form button[type=submit]").click()
    expect(phone.locator("#rated-text")).to_contain_text("满意")
    closed_case.refresh_from_db()
    assert closed_case.rating == "satisfied"


def test_another_number_confirmed_on_the_case_page_opens_nothing(closed_case, live_server, phone):
    phone.goto(f"{live_server.url}/m/cases/{closed_case.number}")
    confirm_phone_here(phone, "13900000001")  # confirmed, but not the number of this report
    expect(phone.locator("#toast")).to_contain_text("不是上报这个案件时填写的号码")
    expect(phone.locator("#rating")).to_be_hidden()
    assert PHONE not in phone.content()


def test_the_closing_sms_opens_the_case_for_rating_in_any_browser(
    city, people, live_server, phone, settings
):
    settings.SITE_URL = live_server.url
    case = walk(city, people, "verified")
    Case.objects.filter(pk=case.pk).update(reporter_phone=PHONE)
    services.close(case, people["leo"])
    sms = Message.objects.get(kind="reporter.closed", address=PHONE)
    link = re.search(r"https?://\S+", sms.body).group(0)
    assert TOKEN not in sms.body and "#t=" not in link  # no tracking token in a message
    assert link.startswith(f"{live_server.url}/m/cases/{case.number}#k=")

    # A phone that never saw this case: no token stored, no confirmed number.
    phone.goto(link)
    expect(phone.locator("#rating")).to_be_visible()
    expect(phone.locator("#claim")).to_be_hidden()
    assert "#k=" not in phone.url  # the grant left the address bar
    screenshot(phone, "citizen-rating-from-sms")
    phone.locator(".choices label", has_text="不满意").click()
    phone.locator('.star[data-stars="2"]').click()
    phone.locator("#rate-form button[type=submit]").click()
    expect(phone.locator("#rated-text")).to_contain_text("不满意")
    case.refresh_from_db()
    assert (case.rating, case.rating_stars) == ("unsatisfied", 2)


def test_an_expired_sms_link_says_so_and_offers_the_phone_check(
    city, people, live_server, phone, settings
):
    settings.SITE_URL = live_server.url
    case = walk(city, people, "verified")
    Case.objects.filter(pk=case.pk).update(reporter_phone=PHONE)
    with time_machine.travel(timedelta(days=-settings.REPORTER_LINK_DAYS - 1)):
        link = reporter_link(case.number)
    services.close(case, people["leo"])
    phone.goto(link)
    expect(phone.locator("#toast")).to_contain_text("链接已过期")
    expect(phone.locator("#claim")).to_be_visible()
    expect(phone.locator("#rating")).to_be_hidden()
    confirm_phone_here(phone, PHONE)
    expect(phone.locator("#rating")).to_be_visible()
