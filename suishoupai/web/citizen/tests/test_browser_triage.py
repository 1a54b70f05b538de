"""Suggestions as the citizen types, on a phone: the category is pre-selected only when the
model is confident and the citizen has not chosen; another agency's business gets a notice.
Screenshots: artifacts/screenshots/citizen-triage-*.png"""

import pytest
from playwright.sync_api import expect

from suishoupai.conftest import screenshot
from suishoupai.triage.tests.conftest import load_harbin_catalogue, trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def model():
    load_harbin_catalogue()
    return trained_model()


def checked(page) -> str:
    return page.eval_on_selector_all(
        'input[name="category"]:checked', "els => els.map(e => e.value).join()"
    )


def test_the_category_follows_the_description_until_the_citizen_chooses(live_server, phone, model):
    page = phone
    page.goto(live_server.url + "/m/")
    page.locator("#description").press_sequentially("人行道上的井盖没了，黑乎乎一个洞")
    expect(page.locator("#triage-chips .chip").first).to_contain_text("井盖缺失")
    expect(page.locator("#triage-note")).to_contain_text("已根据描述选择")
    assert checked(page) == "manhole_cover"
    expect(page.locator("#subcats .chip.on")).to_have_text("井盖缺失")
    screenshot(page, "citizen-triage-1-preselected")

    # The citizen chooses by hand: a later description no longer moves the choice.
    page.locator("label.cat", has_text="道路破损").click()
    page.locator("#description").fill("")
    page.locator("#description").press_sequentially("小区门口垃圾桶满了，垃圾撒了一地")
    expect(page.locator("#triage-chips .chip").first).to_contain_text("垃圾")
    assert checked(page) == "road_damage"
    expect(page.locator("#triage-note")).to_be_hidden()


def test_another_agency_s_business_gets_a_notice_and_no_preselection(live_server, phone, model):
    page = phone
    page.goto(live_server.url + "/m/")
    page.locator("#description").press_sequentially("家里暖气一点都不热，供热公司也不管")
    expect(page.locator("#triage-out")).to_contain_text("供热")
    assert checked(page) == ""
    page.locator("#triage").scroll_into_view_if_needed()
    screenshot(page, "citizen-triage-2-not-ours")
