import pytest

from suishoupai.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_home_page_renders_chinese_on_a_phone(live_server, phone):
    phone.goto(live_server.url + "/")
    assert phone.locator("h1").inner_text() == "随手拍"
    # Glyphs, not boxes: the page's CJK font is installed and wider than a fallback box.
    width = phone.evaluate(
        "() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = '16px \"WenQuanYi Micro Hei\"'; return c.measureText('随手拍').width; }"
    )
    assert width > 30
    assert screenshot(phone, "home-phone").stat().st_size > 5000
