"""The home page is the public face of the city's service, first on a phone."""

from pathlib import Path

import pytest
from django.core.management import call_command

from suishoupai.conftest import screenshot

pytestmark = pytest.mark.browser

MEASURE = (Path(__file__).parent / "measure_fit.js").read_text()


def test_the_home_page_renders_chinese_on_a_phone(live_server, phone):
    phone.goto(live_server.url + "/")
    assert phone.locator("h1").inner_text() == "随手拍"
    # Glyphs, not boxes: the page's CJK font is installed and wider than a fallback box.
    width = phone.evaluate(
        "() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = '16px \"WenQuanYi Micro Hei\"'; return c.measureText('随手拍').width; }"
    )
    assert width > 30
    assert screenshot(phone, "home-phone-empty").stat().st_size > 5000


@pytest.mark.django_db(transaction=True)
def test_a_citizen_on_a_phone_finds_report_follow_map_and_statistics_first(live_server, phone):
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)
    phone.goto(live_server.url + "/")
    hero = phone.locator("header")
    assert hero.get_by_role("link", name="我要上报").get_attribute("href") == "/m/"
    assert hero.get_by_role("link", name="我的上报").get_attribute("href") == "/m/mine"
    tiles = phone.locator("nav.tiles")
    assert tiles.get_by_role("link", name="问题地图").get_attribute("href") == "/public/"
    assert tiles.get_by_role("link", name="统计数据").get_attribute("href") == "/public/stats/"
    # The developers' and staff links live in the footer, not in the citizen's way.
    for link in ("API 文档", "后台管理", "公开案件（JSON）", "工作台"):
        assert phone.locator("footer").get_by_role("link", name=link).count() == 1, link
        assert phone.locator("header, main").get_by_role("link", name=link).count() == 0, link
    # The latest public reports as cards, each with its state badge and case link.
    cards = phone.locator("ul.recent li")
    assert cards.count() == 8
    assert cards.first.locator(".badge").count() == 1
    assert cards.first.locator("a").get_attribute("href").startswith("/m/cases/")
    assert {k: v for k, v in phone.evaluate(MEASURE).items() if v} == {}
    screenshot(phone, "home-phone")
