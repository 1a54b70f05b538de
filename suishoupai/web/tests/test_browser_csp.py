"""Every page works under its Content-Security-Policy in a real browser (issue 17): the
vendored scripts, the maps, htmx and the API docs load, nothing inline is refused."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from suishoupai.cases.tests.journeys import report, walk
from suishoupai.org.models import User

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _violations(page, url: str) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__violations") + errors


def _signed_in(browser, live_server, user) -> object:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    context.add_init_script(WATCH)
    return context


def test_no_page_breaks_the_content_security_policy(
    transactional_db, city, people, live_server, browser
):
    public = walk(city, people, "dispatched")
    fresh = report(city)
    root = User.objects.create_superuser("root", password="correct-horse-battery")
    pages = {
        None: [
            "/",
            "/m/",
            "/m/mine",
            f"/m/cases/{public.number}",
            "/console/login/",
            "/api/v1/docs",
            "/admin/login/",
        ],
        people["olga"]: [
            "/console/",
            "/console/intake/",
            f"/console/cases/{fresh.number}/",
            "/console/search/",
        ],
        people["dora"]: ["/console/dispatch/", f"/console/cases/{public.number}/"],
        people["carl"]: ["/console/department/", f"/console/cases/{public.number}/"],
        people["ivan"]: ["/console/verify/"],
        people["leo"]: ["/console/lead/", "/console/overdue/"],
        root: ["/admin/", "/admin/cases/case/"],
    }
    found = {}
    for user, paths in pages.items():
        if user is None:
            context = browser.new_context()
            context.add_init_script(WATCH)
        else:
            context = _signed_in(browser, live_server, user)
        page = context.new_page()
        for path in paths:
            if violations := _violations(page, live_server.url + path):
                found[path] = violations
        context.close()
    assert found == {}
