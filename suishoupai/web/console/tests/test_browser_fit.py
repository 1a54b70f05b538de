"""Every console queue and the case page fit a duty officer's screen, in Chinese and English.

Harbin's reference data and the demo cases (long department names, long descriptions) at
1366×768 and 1280×720: the page never scrolls sideways, no box cuts its content off, and
no button, badge or deadline breaks over two lines (签收 and 打开 once stood one character
per line, and 派遣 was cut off at the right edge).
"""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from suishoupai.cases.models import Case
from suishoupai.conftest import screenshot

from .pages import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = (Path(__file__).parents[2] / "tests" / "measure_fit.js").read_text()
SCREENS = [(1366, 768), (1280, 720)]
# Each post's own queues come from its menu; these case pages show each post's actions.
POSTS = {
    "olga": ["submitted"],
    "dora": ["filed", "dispatched"],
    "carl": ["in_progress"],
    "hans": [],
    "rita": [],
    "nick": [],
    "ivan": ["resolved"],
    "leo": ["verified", "closed", "suspended"],
    "lily": [],
}


@pytest.fixture
def demo():
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)
    return {state: number for number, state in Case.objects.values_list("number", "state")}


def sign_in(browser, base: str, username: str, lang: str):
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = ctx.new_page()
    login = LoginPage(page, base)
    login.goto()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("suishoupai-demo")
    page.locator("button[type=submit]").click()
    page.wait_for_selector(".who-name")
    return ctx, page


def problems(page) -> dict:
    found = page.evaluate(MEASURE)
    return {k: v for k, v in found.items() if v}


def test_every_queue_and_case_page_fits_the_screen_in_chinese_and_english(
    demo, live_server, browser
):
    misfits = {}
    for lang in ("zh-hans", "en"):
        for username, states in POSTS.items():
            ctx, page = sign_in(browser, live_server.url, username, lang)
            queues = page.eval_on_selector_all("nav.menu a", "links => links.map(a => a.href)")
            cases = [f"{live_server.url}/console/cases/{demo[s]}/" for s in states]
            for width, height in SCREENS:
                page.set_viewport_size({"width": width, "height": height})
                for url in queues + cases:
                    page.goto(url)
                    where = f"{lang} {width}px {username} {url.removeprefix(live_server.url)}"
                    if found := problems(page):
                        misfits[where] = found
                    if width == SCREENS[-1][0]:  # the narrowest screen tells the most
                        name = url.removeprefix(live_server.url).strip("/").replace("/", "-")
                        screenshot(page, f"console-fit-{lang}-{width}-{username}-{name}")
            ctx.close()
    assert misfits == {}, json.dumps(misfits, indent=1, ensure_ascii=False)
