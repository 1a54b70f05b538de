"""In the English interface the city's names are English too: categories, subcategories,
districts and departments, on the citizen pages, the console and the home page (Harbin's
reference data carries them, `cities/harbin/*.json`)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from suishoupai.cases.models import Case
from suishoupai.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def harbin():
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)


def test_a_citizen_reports_in_english_with_english_names(harbin, live_server, phone):
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(live_server.url + "/m/")
    road = phone.locator("label.cat").first
    expect(road.locator("b")).to_have_text("Road damage")
    assert not HAN.search(road.inner_text()), road.inner_text()  # the hint too
    # Daowai district, near 靖宇街 (the map tap is the test helper's).
    phone.evaluate("() => SSP.map.fire('click', {latlng: L.latLng(45.7745, 126.6485)})")
    expect(phone.locator("#place-name")).to_have_text("Daowai District")
    phone.locator("label.cat", has_text="Street cleanliness").click()
    expect(phone.locator("#subcats .chip").first).to_have_text("Exposed garbage")
    expect(phone.locator("#preview-dept")).to_have_text("Daowai District Sanitation")
    expect(phone.locator("#preview-limit")).to_contain_text("working")
    phone.locator("#preview").scroll_into_view_if_needed()
    screenshot(phone, "english-citizen-report")

    public = Case.objects.filter(is_public=True, state="dispatched").first()
    phone.goto(f"{live_server.url}/m/cases/{public.number}")
    expect(phone.locator("#c-title")).to_have_text(
        f"{public.category.name_en} · {public.subcategory.name_en}"
    )
    expect(phone.locator("#c-where")).to_contain_text(public.district.name_en)
    expect(phone.locator("#c-step-note")).to_contain_text(public.department.name_en)
    assert not HAN.search(phone.locator("#c-step-note").inner_text())
    screenshot(phone, "english-citizen-case")


def test_the_console_and_the_home_page_show_english_names(harbin, live_server, desktop):
    desktop.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": live_server.url}]
    )
    desktop.goto(live_server.url + "/console/login/")
    desktop.locator("input[name=username]").fill("dora")
    desktop.locator("input[name=password]").fill("suishoupai-demo")
    desktop.locator("button[type=submit]").click()
    expect(desktop.locator(".who-dept")).to_have_text(
        "Digital Urban Management Centre (City Urban Management Bureau)"
    )
    desktop.goto(live_server.url + "/console/dispatch/")
    filed = Case.objects.filter(state="filed").select_related("district", "category").first()
    row = desktop.locator(f"tr[data-number='{filed.number}']")
    expect(row).to_contain_text(filed.category.name_en)
    expect(row).to_contain_text(filed.district.name_en)
    suggested = filed.suggested_department
    expect(row.locator("select option:checked")).to_have_text(suggested.name_en)
    screenshot(desktop, "english-console-dispatch")

    desktop.goto(f"{live_server.url}/console/cases/{filed.number}/")
    expect(desktop.locator(".lead-line")).to_contain_text(filed.category.name_en)
    expect(desktop.locator(".lead-line")).to_contain_text(filed.district.name_en)
    desktop.goto(live_server.url + "/console/search/")
    options = desktop.locator("select[name=district] option").all_inner_texts()
    assert "Daowai District" in options and "道外区" not in options
    screenshot(desktop, "english-console-search")

    desktop.goto(live_server.url + "/")
    card = desktop.locator("ul.recent li").first
    assert not HAN.search(card.locator("b").inner_text()), card.inner_text()
    screenshot(desktop, "english-home")
