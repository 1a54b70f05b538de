import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from suishoupai.places import selectors
from suishoupai.places.coords import gcj02_to_wgs84
from suishoupai.places.models import Area
from suishoupai.places.selectors import Location, locate, nearby_bbox
from suishoupai.places.services import import_geojson

from .factories import make_area, square

REPO_ROOT = Path(__file__).resolve().parents[3]
HARBIN_DISTRICTS = REPO_ROOT / "cities" / "harbin" / "districts.geojson"

# (lng, lat) in GCJ-02, as read off a 高德 map, and the district each lies in.
CHECKED_POINTS_GCJ02 = [
    ((126.63, 45.75), "230103", "南岗区"),
    ((126.617, 45.776), "230102", "道里区"),
    ((126.70, 45.72), "230110", "香坊区"),
    ((126.56, 45.81), "230109", "松北区"),
    ((126.64, 45.59), "230108", "平房区"),
    ((126.62, 45.98), "230111", "呼兰区"),
]


@pytest.fixture
def harbin_districts(db):
    data = json.loads(HARBIN_DISTRICTS.read_text(encoding="utf-8"))
    import_geojson(data, level="district", crs="gcj02")


@pytest.mark.parametrize(("point", "code", "name"), CHECKED_POINTS_GCJ02)
def test_it_places_checked_points_in_their_harbin_district(harbin_districts, point, code, name):
    lat, lng = gcj02_to_wgs84(point[1], point[0])

    district = locate(lat, lng).district

    assert district is not None
    assert (district.code, district.name) == (code, name)


def test_it_ships_exactly_the_seven_programme_districts(harbin_districts):
    names = dict(Area.objects.values_list("code", "name"))
    assert names == {
        "230102": "道里区",
        "230103": "南岗区",
        "230104": "道外区",
        "230108": "平房区",
        "230109": "松北区",
        "230110": "香坊区",
        "230111": "呼兰区",
    }


def test_it_finds_nothing_outside_every_area(harbin_districts):
    assert locate(39.9, 116.4) == Location()


@pytest.mark.django_db
def test_it_returns_the_finest_area_of_each_level():
    district = make_area("D", "District", "district", lng=126.0, lat=45.0, size=1.0)
    make_area("S-big", "Big street", "street", lng=126.0, lat=45.0, size=0.5, parent=district)
    small = make_area("S-small", "Small street", "street", lng=126.1, lat=45.1, size=0.1)
    grid = make_area("G", "Grid", "grid", lng=126.1, lat=45.1, size=0.01)

    location = locate(45.105, 126.105)

    assert location == Location(district=district, street=small, community=None, grid=grid)


@pytest.mark.django_db
def test_it_counts_a_point_on_a_border():
    area = make_area("D", lng=126.0, lat=45.0, size=1.0)
    assert locate(45.0, 126.5).district == area


@pytest.mark.django_db
def test_it_builds_the_index_once_while_areas_are_unchanged(monkeypatch):
    make_area("230103", lng=126.6, lat=45.7, size=0.1)
    locate(45.75, 126.65)
    builds = []
    monkeypatch.setattr(selectors, "_build_index", lambda v: builds.append(v))

    assert locate(45.75, 126.65).district == Area.objects.get(code="230103")
    assert locate(45.0, 120.0).district is None
    assert builds == []


@pytest.mark.django_db
def test_it_sees_an_area_created_after_the_first_lookup():
    assert locate(45.75, 126.65).district is None

    area = make_area("230103", lng=126.6, lat=45.7, size=0.1)

    assert locate(45.75, 126.65).district == area


@pytest.mark.django_db
def test_it_forgets_a_deleted_or_moved_area():
    area = make_area("230103", lng=126.6, lat=45.7, size=0.1)
    assert locate(45.75, 126.65).district == area

    area.geometry = {"type": "Polygon", "coordinates": square(127.0, 46.0, 0.1)}
    area.save()
    assert locate(45.75, 126.65).district is None

    area.delete()
    assert locate(46.05, 127.05).district is None


@pytest.mark.django_db
def test_it_sees_a_change_made_by_another_process():
    # A bulk update sends no signal, like an import run from a management command elsewhere;
    # the updated_at/count version must catch it.
    make_area("230103", lng=126.6, lat=45.7, size=0.1)
    assert locate(46.05, 127.05).district is None

    Area.objects.update(
        geometry={"type": "Polygon", "coordinates": square(127.0, 46.0, 0.1)},
        updated_at=timezone.now() + timedelta(seconds=1),
    )

    assert locate(46.05, 127.05).district == Area.objects.get(code="230103")


@pytest.mark.django_db
def test_it_ignores_an_area_with_a_broken_boundary(caplog):
    Area.objects.create(code="bad", name="Bad", level="district", geometry={"type": "Point"})
    good = make_area("230103", lng=126.6, lat=45.7, size=0.1)

    assert locate(45.75, 126.65).district == good
    assert "Area" in caplog.text and "no usable polygon" in caplog.text


@pytest.mark.parametrize(("lat", "lng"), [(45.75, 126.63), (0.0, 0.0), (-60.0, 10.0)])
@pytest.mark.parametrize("radius_m", [50, 1_000, 20_000])
def test_it_builds_a_bbox_that_covers_the_radius(lat, lng, radius_m):
    min_lat, min_lng, max_lat, max_lng = nearby_bbox(lat, lng, radius_m)

    assert min_lat <= lat <= max_lat and min_lng <= lng <= max_lng
    for bearing in range(0, 360, 15):
        end_lat, end_lng = destination(lat, lng, radius_m * 0.999, bearing)
        assert min_lat <= end_lat <= max_lat
        assert min_lng <= end_lng <= max_lng


def test_it_shrinks_the_bbox_to_the_point_for_a_zero_radius():
    assert nearby_bbox(45.75, 126.63, 0) == (45.75, 126.63, 45.75, 126.63)


def test_it_keeps_the_bbox_tight():
    min_lat, min_lng, max_lat, max_lng = nearby_bbox(45.75, 126.63, 1_000)
    assert (max_lat - min_lat) * 111_000 == pytest.approx(2_000, rel=0.02)
    assert (max_lng - min_lng) * 111_000 * math.cos(math.radians(45.75)) == pytest.approx(
        2_000, rel=0.02
    )


def test_it_refuses_a_negative_radius():
    with pytest.raises(ValueError, match="radius_m"):
        nearby_bbox(45.75, 126.63, -1)


def destination(lat, lng, distance_m, bearing_deg):
    # Spherical great-circle step; the mean radius is close enough to check bbox coverage.
    radius = 6_371_008.8
    phi, lam, theta = map(math.radians, (lat, lng, bearing_deg))
    delta = distance_m / radius
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)
