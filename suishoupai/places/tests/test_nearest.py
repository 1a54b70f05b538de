"""nearest(): the street (街道) a point lies in, or the one it lies next to."""

import pytest

from suishoupai.places.models import AreaLevel
from suishoupai.places.selectors import nearest

from .factories import make_area

pytestmark = pytest.mark.django_db

STREET = AreaLevel.STREET


@pytest.fixture
def streets():
    district = make_area("230104", "道外区", lng=126.60, lat=45.76, size=0.10)
    west = make_area("230104001", "靖宇街道", STREET, lng=126.60, lat=45.76, size=0.05)
    east = make_area("230104002", "太古街道", STREET, lng=126.66, lat=45.76, size=0.02)
    for street in (west, east):
        street.parent = district
        street.save()
    return west, east


def test_it_names_the_street_that_holds_the_point(streets):
    west, _east = streets
    area, metres = nearest(STREET, 45.78, 126.62, within_m=500)
    assert (area.name, metres) == (west.name, 0.0)


def test_in_a_gap_between_streets_it_names_the_nearer_one_with_its_distance(streets):
    west, _east = streets
    # 0.002° of longitude east of 靖宇街道's edge (≈156 m at 45.77°N), 0.008° from 太古街道.
    area, metres = nearest(STREET, 45.77, 126.652, within_m=1000)
    assert area.name == west.name
    assert 150 < metres < 162


def test_nothing_within_the_distance_is_none(streets):
    assert nearest(STREET, 45.77, 126.80, within_m=500) is None


def test_only_the_asked_level_counts(streets):
    # The district holds the point, but it is not a street.
    assert nearest(STREET, 45.85, 126.65, within_m=100) is None
    area, metres = nearest(AreaLevel.DISTRICT, 45.78, 126.62, within_m=0)
    assert (area.name, metres) == ("道外区", 0.0)
