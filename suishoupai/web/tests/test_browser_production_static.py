"""Every page with a map, served with the production static files (collected, hashed,
compressed, through whitenoise), as `make run` serves them.

Leaflet guesses its pin image's folder from leaflet.css; the hashed storage renames
marker-icon.png, the guess failed and the citizen's pin was a broken image asking
/m/marker-icon-2x.png. Tests on plain static storage could not see it.
"""

import re

import pytest
from playwright.sync_api import expect

from suishoupai.cases.tests.journeys import walk
from suishoupai.conftest import screenshot
from suishoupai.web.console.tests.pages import LoginPage

pytestmark = pytest.mark.browser


def record_failures(page) -> list[str]:
    """Every response of 400 or more, and every request that got no answer, on this page."""
    failures: list[str] = []

    def answered(response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", answered)
    page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
    return failures


def test_the_citizens_pin_is_a_real_image_with_hashed_static_files(city, production_server, phone):
    failures = record_failures(phone)
    phone.goto(production_server + "/m/")
    # The page really uses the hashed files (else this test proves nothing).
    assert phone.locator("script[src*='/static/vendor/leaflet/leaflet.']").count() == 1
    expect(phone.locator(".leaflet-overlay-pane path").first).to_be_attached()
    phone.evaluate("() => SSP.map.fire('click', {latlng: L.latLng(45.78, 126.66)})")
    pin = phone.locator("img.leaflet-marker-icon")
    expect(pin).to_be_visible()
    # A 2× phone screen asks for the retina pin; it must have loaded as a picture.
    expect(pin).to_have_attribute("src", re.compile(r"marker-icon-2x\.\w+\.png$"))
    phone.wait_for_function("() => document.querySelector('img.leaflet-marker-icon').complete")
    assert phone.evaluate("() => document.querySelector('img.leaflet-marker-icon').naturalWidth")
    shadow = phone.locator("img.leaflet-marker-shadow")
    expect(shadow).to_have_attribute("src", re.compile(r"marker-shadow\.\w+\.png$"))
    phone.locator("#map").scroll_into_view_if_needed()
    screenshot(phone, "production-static-citizen-pin")
    assert failures == []


def test_the_console_case_map_and_every_static_file_load_with_hashed_names(
    city, people, production_server, desktop
):
    case = walk(city, people, "filed")
    failures = record_failures(desktop)
    LoginPage(desktop, production_server).goto()
    LoginPage(desktop, production_server).sign_in("dora")
    desktop.goto(f"{production_server}/console/cases/{case.number}/")
    expect(desktop.locator("#map .leaflet-overlay-pane path")).to_have_count(2)  # outline, point
    screenshot(desktop, "production-static-console-case")
    assert failures == []
