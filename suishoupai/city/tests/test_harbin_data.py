"""The Harbin reference files: complete, consistent, and every report routes somewhere."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from suishoupai.catalog.models import Category, CategoryKind
from suishoupai.catalog.selectors import route
from suishoupai.city.services import load_city
from suishoupai.city.tests.conftest import DISTRICTS, HARBIN
from suishoupai.org.models import Department, DepartmentKind
from suishoupai.places.models import Area
from suishoupai.timelimits.models import LimitUnit

CODES = [
    "road_damage",
    "bridge_maintenance",
    "tree_care",
    "park_environment",
    "public_toilet",
    "sanitation",
    "garbage_collection",
    "commercial_noise",
    "construction_nuisance",
    "manhole_cover",
]
COMPONENTS = {"road_damage", "bridge_maintenance", "tree_care", "public_toilet", "manhole_cover"}


def read(name: str) -> Any:
    return json.loads((HARBIN / name).read_text(encoding="utf-8"))


def test_it_has_the_ten_stable_category_codes():
    categories = read("catalog.json")["categories"]

    assert [c["code"] for c in categories] == CODES
    assert {c["code"] for c in categories if c["kind"] == CategoryKind.COMPONENT} == COMPONENTS
    assert all(c["name"] and c["name_en"] and c["icon"] and c["hint"] for c in categories)


def test_it_gives_every_category_subcategories_and_conditions_that_resolve():
    departments = {d["code"] for d in read("departments.json")["departments"]}

    for category in read("catalog.json")["categories"]:
        assert 2 <= len(category["subcategories"]) <= 5, category["code"]
        for sub in category["subcategories"]:
            assert sub["code"].startswith(category["code"] + "-")
            assert 1 <= len(sub["conditions"]) <= 3, sub["code"]
            for condition in sub["conditions"]:
                assert condition["code"].startswith(sub["code"] + "-")
                assert condition["limit_unit"] in LimitUnit.values
                assert condition["limit_amount"] > 0
                assert condition["description"] and condition["closing_criterion"]
                assert condition["default_department"] in departments


def test_it_has_district_units_for_every_district():
    units = [d for d in read("departments.json")["departments"] if d["kind"] == "district"]

    for service in ("sanitation", "roads", "enforcement", "parks"):
        covered = {d["district"] for d in units if d["parent"] == f"city_{service}"}
        assert covered == set(DISTRICTS), service


def test_the_manifest_names_the_files_of_the_directory():
    manifest = read("city.json")

    assert manifest["adcode"] == "230100"
    for key in ("catalog", "departments", "routing"):
        assert (HARBIN / manifest[key]).exists()


@pytest.fixture
def loaded(harbin_dir: Path) -> None:
    call_command("load_reference", str(harbin_dir), stdout=io.StringIO())


@pytest.mark.django_db
def test_it_routes_every_subcategory_in_every_district(loaded):
    districts = list(Area.objects.filter(code__in=DISTRICTS))
    assert len(districts) == 7

    for category in Category.objects.prefetch_related("subcategories"):
        for sub in [None, *category.subcategories.all()]:
            for district in [None, *districts]:
                department = route(category, sub, district)
                assert department is not None, (category.code, sub, district)


@pytest.mark.django_db
def test_it_sends_events_to_the_district_unit_and_components_to_the_owner(loaded):
    daowai = Area.objects.get(code="230104")

    def routed(code: str, sub: str | None = None) -> Department:
        category = Category.objects.get(code=code)
        department = route(category, category.subcategories.get(code=sub) if sub else None, daowai)
        assert department is not None
        return department

    assert routed("sanitation").code == "daowai_sanitation"
    assert routed("construction_nuisance").code == "daowai_enforcement"
    assert routed("commercial_noise", "commercial_noise-equipment").code == "daowai_ecology"
    assert routed("tree_care", "tree_care-illegal_felling").code == "daowai_enforcement"
    assert routed("manhole_cover").code == "drainage_group"
    assert routed("bridge_maintenance").code == "city_roads"
    for code in CODES:
        department = routed(code)
        if code in COMPONENTS - {"public_toilet"}:
            assert department.kind in (DepartmentKind.CITY, DepartmentKind.OWNER), code
        else:
            assert department.district == daowai, code


@pytest.mark.django_db
def test_it_loads_the_harbin_files_twice_without_changes(loaded, harbin_dir):
    again = load_city(harbin_dir)

    assert again.city == "哈尔滨市"
    for kind, counts in again.counts.items():
        assert set(+counts) == {"unchanged"}, kind
