"""The map without tiles (MAP_TILES=none, the default) still tells the citizen where the pin is:
the district and street (街道) names follow the pin while it is dragged, an address naming
another district is pointed out, and the city's imported street outlines are drawn."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from suishoupai import factories as f
from suishoupai.conftest import screenshot
from suishoupai.places.models import AreaLevel

from .test_browser_journey import click_map_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def streets(city):
    """Two 街道 of 道外区 (45.76–45.80 N, 126.60–126.70 E), with a gap between them."""
    for code, name, west, east in [
        ("230104001", "靖宇街道", 126.60, 126.65),
        ("230104002", "太古街道", 126.66, 126.70),
    ]:
        f.AreaFactory(
            code=code,
            name=name,
            level=AreaLevel.STREET,
            parent=city.daowai,
            geometry=f.square(west, 45.76, east, 45.80),
            min_lng=west,
            min_lat=45.76,
            max_lng=east,
            max_lat=45.80,
        )


def place_name(page):
    return page.locator("#map .place-name")


def settled(page) -> None:
    """Wait for Leaflet's pan and zoom animations (a drop pans and zooms to the pin)."""
    page.wait_for_function(
        "() => !SSP.map._animatingZoom && !(SSP.map._panAnim && SSP.map._panAnim._inProgress)"
    )


def test_the_pin_is_named_as_it_moves_and_a_wrong_district_in_the_address_is_pointed_out(
    live_server, phone, streets
):
    assert settings.MAP_TILES == "none"
    page = phone
    page.goto(live_server.url + "/m/")
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(
        4
    )  # 2 districts, 2 streets
    click_map_at(page, 45.78, 126.64)
    expect(place_name(page)).to_have_text("道外区 · 靖宇街道")
    # Street names show at the close zoom a tap brings (no tiles: the outlines orient).
    expect(page.locator(".street-label", has_text="靖宇街道")).to_be_visible()

    # Drag the pin east across the gap into 太古街道: the name changes before the drop.
    page.evaluate("() => SSP.map.setView([45.78, 126.654], 13, {animate: false})")
    pin = page.locator(".leaflet-marker-icon").bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] - 4
    target = page.evaluate("() => SSP.map.latLngToContainerPoint([45.78, 126.672])")
    box = page.locator("#map").bounding_box()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move((x + box["x"] + target["x"]) / 2, y, steps=5)
    page.mouse.move(box["x"] + target["x"], y, steps=5)
    expect(place_name(page)).to_have_text("道外区 · 太古街道")  # still held down
    screenshot(page, "citizen-map-names-dragging")
    page.mouse.up()
    settled(page)

    # In the gap between the two streets: the nearer one, with the distance.
    page.evaluate("() => SSP.map.fire('click', {latlng: L.latLng(45.78, 126.652)})")
    expect(place_name(page)).to_contain_text("靖宇街道附近（约")

    # The typed address names 南岗区 while the pin is in 道外区.
    page.fill("#address", "南岗区红军街")
    warning = page.locator("#address-warning")
    expect(warning).to_have_text("地址写的是南岗区，但定位点在道外区。请拖动定位点或改正地址。")
    settled(page)
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "citizen-map-names-address-warning")
    # Moving the pin into 南岗区 (or correcting the address) settles it.
    page.evaluate("() => SSP.map.fire('click', {latlng: L.latLng(45.73, 126.65)})")
    expect(place_name(page)).to_have_text("南岗区")
    expect(warning).to_be_hidden()
    page.fill("#address", "道外区靖宇街")
    expect(warning).to_be_visible()
    page.fill("#address", "南岗红军街")  # the short name counts too
    expect(warning).to_be_hidden()
