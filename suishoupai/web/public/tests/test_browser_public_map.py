"""A phone opens the public map: numbered cells over the city, a category chosen, a cell
tapped down to the single cases, one case opened; the same with the production static
files (hashed, through whitenoise), where Leaflet's pin images must still load."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from suishoupai.cases.models import Case
from suishoupai.cases.tests.places import noise_category, place, road_category, scatter
from suishoupai.conftest import screenshot
from suishoupai.web.tests.test_browser_production_static import record_failures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = (Path(__file__).parents[2] / "tests" / "measure_fit.js").read_text()
# The test city's two districts (conftest.city): 道外区 north of 45.76, 南岗区 south of it.
BOX = (45.70, 126.60, 45.80, 126.70)


@pytest.fixture
def cases(city):
    """180 cases of three categories over both districts; some never public."""
    cats = [city.garbage.subcategory.category, road_category(), noise_category()]
    scatter(180, cats, [city.daowai, city.nangang], seed=8, box=BOX)


def cell_total(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('#map .cell')]"
        ".reduce((n, el) => n + Number(el.textContent), 0)"
    )


def settled(page) -> None:
    page.wait_for_function(
        "() => { const m = SSPPublicMap; return !m._animatingZoom &&"
        " !(m._panAnim && m._panAnim._inProgress); }"
    )


def mode(page) -> str:
    return page.locator("#map").get_attribute("data-mode") or ""


def drawn(page) -> None:
    """Wait until the map has settled and drawn the answer for its current zoom."""
    settled(page)
    page.wait_for_function(
        "() => document.getElementById('map').dataset.zoom"
        " === String(Math.round(SSPPublicMap.getZoom()))"
    )


def tap_cells_until_markers(page) -> None:
    """Tap the busiest cell until the map shows single cases (at most five taps)."""
    for _ in range(5):
        drawn(page)
        if mode(page) == "markers":
            return
        before = page.evaluate("() => SSPPublicMap.getZoom()")
        page.locator("#map .cell").first.click()
        page.wait_for_function(f"() => SSPPublicMap.getZoom() > {before}")
    drawn(page)
    assert mode(page) == "markers"


def test_a_phone_sees_cells_filters_by_category_zooms_in_and_opens_a_case(
    live_server, phone, cases
):
    page = phone
    page.goto(live_server.url + "/public/")
    expect(page.locator("h1")).to_have_text("市民反映的问题及办理进度")
    expect(page.locator("#map .cell").first).to_be_visible()
    # The whole city is in view: the cells add up to the list's count, and to the database's.
    public = Case.objects.public().count()
    expect(page.locator("#list-title")).to_contain_text(f"共 {public} 件")
    expect(page.locator("#map-status")).to_have_text(f"地图当前范围内共 {public} 件")
    assert cell_total(page) == public
    assert {k: v for k, v in page.evaluate(MEASURE).items() if v} == {}
    screenshot(page, "public-map-phone")

    page.select_option("#id_category", "road_damage")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"category=road_damage"))
    roads = Case.objects.public().filter(category__code="road_damage").count()
    expect(page.locator("#map-status")).to_have_text(f"地图当前范围内共 {roads} 件")
    assert 0 < roads < public and cell_total(page) == roads
    items = page.locator("ul.cases li")
    expect(items.first).to_contain_text("道路破损")
    assert all("道路破损" in t for t in items.all_inner_texts())
    screenshot(page, "public-map-phone-roads")

    tap_cells_until_markers(page)
    pins = page.locator("#map img.leaflet-marker-icon")
    expect(pins.first).to_be_visible()
    screenshot(page, "public-map-phone-pins")
    pins.first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("道路破损")
    drawn(page)  # the popup's auto-pan moved the map: its answer is drawn, nothing moves now
    number = re.search(r"P\d{7}", popup.inner_text()).group(0)
    popup.get_by_role("link", name="查看案件").click()
    expect(page).to_have_url(re.compile(rf"/m/cases/{number}$"))
    expect(page.locator("#c-number")).to_have_text(number)
    screenshot(page, "public-map-phone-case")


def test_a_noise_report_shows_as_an_area_not_a_door(live_server, phone, city):
    noise_category()
    case = place("commercial_noise", 45.78123, 126.65234, address="道外区靖宇街 90 号 2 单元")
    page = phone
    page.goto(live_server.url + "/public/")
    expect(page.locator("#map .cell")).to_have_count(1)
    drawn(page)  # the first view settled, so it cannot move the map back after ours
    page.evaluate("() => SSPPublicMap.setView([45.781, 126.652], 17, {animate: false})")
    drawn(page)
    assert mode(page) == "markers"
    expect(page.locator("#map path.coarse-area")).to_have_count(1)
    page.locator("#map img.leaflet-marker-icon").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("位置约精确到 100 米")
    where = page.evaluate(
        "() => { let p; SSPPublicMap.eachLayer(l => {"
        " if (l.getPopup && l.getPopup()) p = l.getLatLng(); }); return [p.lat, p.lng]; }"
    )
    assert where != [case.lat, case.lng]
    assert "2 单元" not in page.content()
    screenshot(page, "public-map-phone-noise")


def test_the_public_map_pins_load_with_hashed_static_files(production_server, phone, city):
    place("sanitation", 45.781, 126.651)
    place("sanitation", 45.779, 126.649, state="closed")
    failures = record_failures(phone)
    phone.goto(production_server + "/public/")
    assert phone.locator("script[src*='/static/public/map.']").count() == 1
    expect(phone.locator("#map .cell").first).to_be_visible()
    drawn(phone)  # the first view settled, so it cannot move the map back after ours
    phone.evaluate("() => SSPPublicMap.setView([45.78, 126.65], 16, {animate: false})")
    drawn(phone)
    assert mode(phone) == "markers"
    pin = phone.locator("#map img.leaflet-marker-icon").first
    expect(pin).to_be_visible()
    expect(pin).to_have_attribute("src", re.compile(r"marker-icon-2x\.\w+\.png$"))
    phone.wait_for_function("() => document.querySelector('img.leaflet-marker-icon').complete")
    assert phone.evaluate("() => document.querySelector('img.leaflet-marker-icon').naturalWidth")
    screenshot(phone, "production-static-public-map")
    assert failures == []


def test_a_wide_screen_in_english_sees_the_filters_in_one_row(live_server, desktop, cases):
    page = desktop
    page.goto(live_server.url + "/public/?lang=en")
    expect(page.locator("h1")).to_have_text("Reported problems and how far each has come")
    expect(page.locator("#map .cell").first).to_be_visible()
    public = Case.objects.public().count()
    expect(page.locator("#map-status")).to_have_text(f"{public} cases in this part of the map")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.filter select, .filter input, .btn')]"
        ".map(el => Math.round(el.getBoundingClientRect().top))"
    )
    assert max(tops) - min(tops) <= 2, tops
    page.select_option("#id_category", "commercial_noise")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("ul.cases li").first).to_contain_text("Commercial noise")
    expect(page.locator("ul.cases li").first).to_contain_text("(place shown to about 100 m)")
    screenshot(page, "public-map-desktop-english")
