import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suishoupai.places.coords import (
    CoordSystem,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)

# Harbin's administrative extent, with a margin.
harbin_lat = st.floats(min_value=44.0, max_value=46.9)
harbin_lng = st.floats(min_value=125.6, max_value=130.3)

# Reference values published with wandergis/coordtransform, the implementation most Chinese
# web maps copy (test/app.js there; its gcj02towgs84 is the one-step approximation, so the
# inverse is checked against the forward pair instead).
TIANANMEN = (39.915, 116.404)
TIANANMEN_WGS84_TO_GCJ02 = (39.91640428150164, 116.41024449916938)
TIANANMEN_GCJ02_TO_BD09 = (39.92133699351021, 116.41036949371029)
TIANANMEN_BD09_TO_GCJ02 = (39.90865673957631, 116.39762729119315)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(lat)
    return math.hypot(dx, dy)


def test_it_matches_the_reference_wgs84_to_gcj02_pair():
    assert wgs84_to_gcj02(*TIANANMEN) == pytest.approx(TIANANMEN_WGS84_TO_GCJ02, abs=1e-12)


def test_it_inverts_the_reference_pair_exactly():
    back = gcj02_to_wgs84(*TIANANMEN_WGS84_TO_GCJ02)
    assert metres(back, TIANANMEN) < 0.001


def test_it_matches_the_reference_bd09_pairs():
    assert gcj02_to_bd09(*TIANANMEN) == pytest.approx(TIANANMEN_GCJ02_TO_BD09, abs=1e-12)
    assert bd09_to_gcj02(*TIANANMEN) == pytest.approx(TIANANMEN_BD09_TO_GCJ02, abs=1e-12)


def test_it_shifts_harbin_by_a_few_hundred_metres():
    # Sanity check on the magnitude: GCJ-02 moves points in Harbin by roughly 0.3-0.7 km.
    shift = metres(wgs84_to_gcj02(45.75, 126.63), (45.75, 126.63))
    assert 300 < shift < 700


@given(harbin_lat, harbin_lng)
def test_it_round_trips_gcj02_through_wgs84_within_half_a_metre(lat, lng):
    assert metres(wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng)), (lat, lng)) < 0.5


@given(harbin_lat, harbin_lng)
def test_it_round_trips_wgs84_through_gcj02_within_half_a_metre(lat, lng):
    assert metres(gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng)), (lat, lng)) < 0.5


@given(harbin_lat, harbin_lng)
def test_it_round_trips_bd09_within_half_a_metre(lat, lng):
    assert metres(bd09_to_gcj02(*gcj02_to_bd09(lat, lng)), (lat, lng)) < 0.5
    assert metres(bd09_to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))), (lat, lng)) < 0.5


@pytest.mark.parametrize("point", [(51.5007, -0.1246), (-33.8568, 151.2153), (60.0, 126.6)])
def test_it_passes_points_outside_china_through_gcj02_unchanged(point):
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    assert to_wgs84(point[0], point[1], "gcj02") == point


def test_it_dispatches_on_the_coordinate_system():
    gcj = wgs84_to_gcj02(45.75, 126.63)
    assert to_wgs84(45.75, 126.63, "wgs84") == (45.75, 126.63)
    assert metres(to_wgs84(*gcj, CoordSystem.GCJ02), (45.75, 126.63)) < 0.01
    assert metres(to_wgs84(*gcj02_to_bd09(*gcj), "bd09"), (45.75, 126.63)) < 0.5


def test_it_refuses_an_unknown_coordinate_system():
    with pytest.raises(ValueError, match="Unknown coordinate system 'cgcs2000'"):
        to_wgs84(45.75, 126.63, "cgcs2000")
