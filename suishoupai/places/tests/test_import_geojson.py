import copy

import pytest
import shapely
from django.db import IntegrityError
from shapely.geometry import shape

from suishoupai.places.coords import gcj02_to_wgs84
from suishoupai.places.models import Area
from suishoupai.places.services import import_geojson

from .factories import collection, feature, make_area, square

pytestmark = pytest.mark.django_db


def test_it_creates_one_area_per_feature_with_bbox():
    data = collection(feature("230102", "道里区"), feature(230103, "南岗区"))

    result = import_geojson(data, level="district")

    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    area = Area.objects.get(code="230103")  # integer adcodes (as DataV has them) become text
    assert (area.name, area.level, area.in_service) == ("南岗区", "district", True)
    assert (area.min_lng, area.min_lat) == pytest.approx((126.6, 45.7))
    assert (area.max_lng, area.max_lat) == pytest.approx((126.7, 45.8))
    assert shape(area.geometry).area == pytest.approx(0.01)


def test_it_converts_gcj02_vertices_to_wgs84():
    import_geojson(collection(feature("230103")), level="district", crs="gcj02")

    area = Area.objects.get(code="230103")
    assert area.geometry is not None and area.min_lng is not None
    lng, lat = area.geometry["coordinates"][0][0]
    expected_lat, expected_lng = gcj02_to_wgs84(45.7, 126.6)
    assert (lat, lng) == pytest.approx((expected_lat, expected_lng), abs=1e-7)
    assert area.min_lng < 126.6  # GCJ-02 lies east of WGS-84 in Harbin


def test_it_changes_nothing_when_run_twice():
    data = collection(feature("230102", "道里区"), feature("230103", "南岗区"))
    import_geojson(data, level="district", crs="gcj02")
    before = list(Area.objects.values())

    result = import_geojson(copy.deepcopy(data), level="district", crs="gcj02")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Area.objects.values()) == before


def test_it_updates_a_changed_boundary_and_name():
    import_geojson(collection(feature("230103", "南岗")), level="district")

    result = import_geojson(
        collection(feature("230103", "南岗区", rings=square(126.6, 45.7, 0.2))), level="district"
    )

    assert result.updated_codes == ("230103",)
    area = Area.objects.get(code="230103")
    assert area.name == "南岗区"
    assert area.max_lat == pytest.approx(45.9)


def test_it_takes_the_english_name_and_adds_it_to_an_area_imported_before():
    import_geojson(collection(feature("230103", "南岗区")), level="district")
    assert Area.objects.get(code="230103").name_en == ""  # an older file, without one

    result = import_geojson(
        collection(feature("230103", "南岗区", name_en="Nangang District")), level="district"
    )

    assert result.updated_codes == ("230103",)
    assert Area.objects.get(code="230103").name_en == "Nangang District"
    again = import_geojson(
        collection(feature("230103", "南岗区", name_en="Nangang District")), level="district"
    )
    assert again.unchanged_codes == ("230103",)


def test_it_reads_the_english_name_from_the_property_given():
    data = collection(feature("230103", "南岗区", NAME_EN="Nangang"))
    import_geojson(data, level="district", name_en_property="NAME_EN")
    assert Area.objects.get(code="230103").name_en == "Nangang"


def test_it_keeps_in_service_when_updating():
    make_area("230103")
    Area.objects.update(in_service=False)

    import_geojson(collection(feature("230103", "南岗区")), level="district")

    assert Area.objects.get(code="230103").in_service is False


def test_it_imports_only_the_selected_codes():
    data = collection(feature("230102"), feature("230103"), feature("230112"))

    result = import_geojson(data, level="district", only_codes={"230102", "230103"})

    assert result.skipped_codes == ("230112",)
    assert set(Area.objects.values_list("code", flat=True)) == {"230102", "230103"}


def test_it_links_children_to_a_parent_given_by_code_or_property():
    district = make_area("230103", "南岗区")
    streets = collection(feature("S1", "Street 1", district="230103"), feature("S2", "Street 2"))

    import_geojson(streets, level="street", code_property="adcode", parent_code="230103")
    import_geojson(
        collection(feature("C1", "Community", street="S1")),
        level="community",
        parent_property="street",
    )

    assert Area.objects.get(code="S2").parent == district
    assert Area.objects.get(code="C1").parent == Area.objects.get(code="S1")


def test_it_repairs_a_self_intersecting_boundary():
    bow_tie = [[[126.6, 45.7], [126.7, 45.8], [126.7, 45.7], [126.6, 45.8], [126.6, 45.7]]]

    import_geojson(collection(feature("X", rings=bow_tie)), level="grid")

    geom = shape(Area.objects.get(code="X").geometry)
    assert geom.is_valid
    assert geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(0.005)


def test_it_stores_exteriors_counter_clockwise():
    clockwise = [[[126.6, 45.7], [126.6, 45.8], [126.7, 45.8], [126.7, 45.7], [126.6, 45.7]]]

    import_geojson(collection(feature("X", rings=clockwise)), level="grid")

    ring = shape(Area.objects.get(code="X").geometry).exterior
    assert shapely.is_ccw(ring)


def test_it_accepts_a_multipolygon():
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [square(126.6, 45.7, 0.1), square(127, 46, 0.1)],
    }
    data = collection({"type": "Feature", "properties": {"adcode": "M"}, "geometry": geometry})

    import_geojson(data, level="district")

    area = Area.objects.get(code="M")
    assert area.name == "M"  # no name property: the code stands in
    assert (area.min_lng, area.max_lat) == pytest.approx((126.6, 46.1))


def polygon(coordinates):
    return {"type": "Polygon", "coordinates": coordinates}


def with_geometry(geometry):
    return {**feature("230103", "南岗区"), "geometry": geometry}


@pytest.mark.parametrize(
    ("bad_feature", "message"),
    [
        ({"type": "Feature", "properties": {"name": "x"}}, "Feature #2 has no usable 'adcode'"),
        (feature(True), "Feature #2 has no usable 'adcode' property \\(got True\\)"),
        (with_geometry(None), "Feature #2 \\(230103 南岗区\\): geometry type None is not Polygon"),
        (
            with_geometry({"type": "Point", "coordinates": [126.6, 45.7]}),
            "Feature #2 \\(230103 南岗区\\): geometry type 'Point' is not Polygon or MultiPolygon",
        ),
        (
            with_geometry(polygon([[[45.7, 226.6]] * 4])),
            "coordinate \\[45.7, 226.6\\] is out of range",
        ),
        (with_geometry(polygon([[["a", 1]] * 4])), "malformed coordinate \\['a', 1\\]"),
        (with_geometry(polygon([])), "malformed coordinates"),
        (with_geometry(polygon([[[1, 1], [2, 2]]])), "invalid polygon"),
        (with_geometry(polygon([[[1, 1], [2, 2], [3, 3], [1, 1]]])), "encloses no area"),
        (feature("230102"), "Several features share the adcode 230102"),
    ],
)
def test_it_refuses_a_bad_feature_with_a_clear_error_and_writes_nothing(bad_feature, message):
    data = collection(feature("230102", "道里区"), bad_feature)

    with pytest.raises(ValueError, match=message):
        import_geojson(data, level="district")

    assert not Area.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "Feature"}, "not a GeoJSON FeatureCollection"),
        ([], "not a GeoJSON FeatureCollection"),
        (collection(), "The FeatureCollection has no features"),
    ],
)
def test_it_refuses_a_file_without_features(data, message):
    with pytest.raises(ValueError, match=message):
        import_geojson(data, level="district")


def test_it_refuses_an_unknown_level_or_crs():
    with pytest.raises(ValueError, match="Unknown level 'city'"):
        import_geojson(collection(feature("1")), level="city")
    with pytest.raises(ValueError, match="Unknown coordinate system"):
        import_geojson(collection(feature("1")), level="district", crs="utm")


def test_it_refuses_selected_codes_missing_from_the_file():
    with pytest.raises(ValueError, match="No feature has the adcode 999"):
        import_geojson(collection(feature("1")), level="district", only_codes={"1", "999"})
    assert not Area.objects.exists()


def test_it_refuses_a_missing_or_finer_parent_and_writes_nothing():
    make_area("G1", level="grid")

    with pytest.raises(ValueError, match="parent area 'nope' does not exist"):
        import_geojson(collection(feature("S1")), level="street", parent_code="nope")
    with pytest.raises(ValueError, match="parent G1 is a grid, which cannot contain a street"):
        import_geojson(collection(feature("S1")), level="street", parent_code="G1")

    assert list(Area.objects.values_list("code", flat=True)) == ["G1"]


def test_it_refuses_to_change_the_level_of_an_existing_area():
    make_area("230103", level="district")

    with pytest.raises(ValueError, match="already exists as a district, not a street"):
        import_geojson(collection(feature("230103")), level="street")


def test_it_rolls_back_every_area_when_the_database_fails_midway(monkeypatch):
    original_save = Area.save

    def save_failing_on_second_area(self, *args, **kwargs):
        if self.code == "230103":
            raise IntegrityError("simulated failure")
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Area, "save", save_failing_on_second_area)

    with pytest.raises(IntegrityError):
        import_geojson(collection(feature("230102"), feature("230103")), level="district")

    assert not Area.objects.exists()


def test_it_moves_an_area_to_another_parent():
    make_area("D1", "District 1")
    new_parent = make_area("D2", "District 2")
    import_geojson(collection(feature("S1")), level="street", parent_code="D1")

    result = import_geojson(collection(feature("S1")), level="street", parent_code="D2")

    assert result.updated_codes == ("S1",)
    assert Area.objects.get(code="S1").parent == new_parent
