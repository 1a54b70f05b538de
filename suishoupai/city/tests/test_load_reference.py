import io
import json
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from suishoupai.catalog.models import Category, FilingCondition, RoutingRule, Subcategory
from suishoupai.city.services import load_city
from suishoupai.city.tests.conftest import EditJson
from suishoupai.org.models import Department
from suishoupai.places.models import Area
from suishoupai.timelimits.models import CalendarDay, StageLimit, WorkingPeriod

pytestmark = pytest.mark.django_db

MODELS = (Area, Department, Category, Subcategory, FilingCondition, RoutingRule)
ALL_MODELS = (*MODELS, WorkingPeriod, StageLimit, CalendarDay)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        m.__name__: [dict(row) for row in m.objects.order_by("pk").values()] for m in ALL_MODELS
    }


def load(city_dir: Path) -> str:
    out = io.StringIO()
    call_command("load_reference", str(city_dir), stdout=out)
    return out.getvalue()


def test_it_loads_a_city(city_dir):
    load(city_dir)

    assert Area.objects.filter(level="district").count() == 7
    assert Category.objects.count() == 10
    daowai = Department.objects.select_related("parent", "district").get(code="daowai_sanitation")
    assert daowai.parent and daowai.parent.code == "city_sanitation"
    assert daowai.district and daowai.district.code == "230104"
    assert daowai.kind == "district"
    missing = FilingCondition.objects.get(code="manhole_cover-missing-hazard")
    assert (missing.limit_amount, missing.limit_unit) == (Decimal(2), "urgent_hours")
    assert missing.default_department
    assert missing.default_department.code == "drainage_group"
    assert RoutingRule.objects.count() == len(
        json.loads((city_dir / "routing.json").read_text(encoding="utf-8"))["rules"]
    )
    assert [(p.start, p.end) for p in WorkingPeriod.objects.all()] == [
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    ]
    assert StageLimit.objects.count() > 0


def test_it_loads_the_english_names_of_districts_departments_and_the_catalogue(city_dir):
    load(city_dir)

    assert Area.objects.get(code="230104").name_en == "Daowai District"
    assert Department.objects.get(code="daowai_sanitation").name_en == "Daowai District Sanitation"
    road = Category.objects.get(code="road_damage")
    assert road.name_en == "Road damage" and road.hint_en.startswith("Potholes")
    assert Subcategory.objects.get(code="road_damage-pothole").name_en == "Pothole"
    # Every name the interface shows has its English one in Harbin's data.
    for model in (Department, Category, Subcategory):
        assert not model.objects.filter(name_en="").exists(), model.__name__
    assert not Area.objects.filter(level="district", name_en="").exists()
    assert not Category.objects.filter(hint_en="").exists()


def test_an_install_loaded_before_english_names_gets_them_from_load_reference(city_dir):
    load(city_dir)
    # As an install made before the data carried English names.
    Area.objects.update(name_en="")
    Department.objects.update(name_en="")
    Category.objects.update(name_en="", hint_en="")
    Subcategory.objects.update(name_en="")

    result = load_city(city_dir)

    assert result.counts["departments"]["updated"] == Department.objects.count()
    assert result.counts["areas"]["updated"] == 7
    assert Department.objects.get(code="centre").name_en.startswith("Digital Urban Management")
    assert Area.objects.get(code="230102").name_en == "Daoli District"
    assert Subcategory.objects.get(code="road_damage-pothole").name_en == "Pothole"
    assert +load_city(city_dir).counts["departments"] == {"unchanged": Department.objects.count()}


def test_it_prints_a_summary(city_dir):
    out = load(city_dir)

    assert "Loaded 哈尔滨市" in out
    assert "categories: 10 created" in out
    assert "areas: 7 created" in out


def test_it_changes_nothing_when_loaded_twice(city_dir):
    load(city_dir)
    before = snapshot()

    result = load_city(city_dir)

    assert snapshot() == before
    for kind, counts in result.counts.items():
        assert set(+counts) == {"unchanged"}, kind


def test_it_updates_in_place_and_deactivates_what_the_file_dropped(city_dir, edit: EditJson):
    load(city_dir)
    ids = {m.__name__: set(m.objects.values_list("pk", flat=True)) for m in MODELS[:5]}

    def drop_bulky_and_rename(data: dict) -> None:
        garbage = next(c for c in data["categories"] if c["code"] == "garbage_collection")
        garbage["subcategories"] = [
            s for s in garbage["subcategories"] if s["code"] != "garbage_collection-bulky"
        ]
        garbage["name"] = "垃圾收运"

    edit("catalog.json", drop_bulky_and_rename)
    edit("departments.json", lambda d: d["departments"].pop())  # the last owner
    load(city_dir)

    assert {m.__name__: set(m.objects.values_list("pk", flat=True)) for m in MODELS[:5]} == ids
    assert Category.objects.get(code="garbage_collection").name == "垃圾收运"
    bulky = Subcategory.objects.get(code="garbage_collection-bulky")
    assert not bulky.active
    assert not bulky.conditions.get().active
    assert Department.objects.filter(active=False).count() == 1


def test_it_reactivates_an_entry_that_comes_back(city_dir):
    load(city_dir)
    Category.objects.filter(code="sanitation").update(active=False)

    load(city_dir)

    assert Category.objects.get(code="sanitation").active


def test_it_replaces_the_routing_rules(city_dir):
    load(city_dir)
    sanitation = Category.objects.get(code="sanitation")
    stray = RoutingRule.objects.create(
        category=sanitation, department=Department.objects.get(code="centre"), priority=1
    )
    first = RoutingRule.objects.filter(category=sanitation, district=None).get(priority=100)
    first_department = first.department
    first.department = Department.objects.get(code="centre")
    first.save()
    count = RoutingRule.objects.count()

    load(city_dir)

    assert not RoutingRule.objects.filter(pk=stray.pk).exists()
    first.refresh_from_db()
    assert first.department == first_department
    assert RoutingRule.objects.count() == count - 1


def test_it_upserts_calendar_days_by_date(city_dir, edit: EditJson):
    CalendarDay.objects.create(date=date(2027, 3, 8), kind="holiday", note="local")

    def add_days(data: dict) -> None:
        data["calendar_days"] = [
            {"date": "2027-01-01", "kind": "holiday", "note": "元旦"},
            {"date": "2027-02-07", "kind": "workday"},
        ]

    edit("calendar.json", add_days)
    load(city_dir)
    load(city_dir)

    assert list(CalendarDay.objects.values_list("date", "kind", "note")) == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 2, 7), "workday", ""),
        (date(2027, 3, 8), "holiday", "local"),
    ]


def test_it_uses_the_project_harbin_directory_by_default(settings, city_dir):
    (city_dir / "cities").mkdir()
    settings.BASE_DIR = city_dir
    (city_dir / "cities" / "harbin").symlink_to(city_dir, target_is_directory=True)

    call_command("load_reference", stdout=io.StringIO())

    assert Category.objects.count() == 10


def _first_category(data: dict) -> dict:
    return data["categories"][0]


def _first_condition(data: dict) -> dict:
    return data["categories"][0]["subcategories"][0]["conditions"][0]


BAD_FILES = [
    pytest.param(
        "catalog.json",
        lambda d: _first_condition(d).update(default_department="nowhere"),
        ["catalog.json", "road_damage-pothole-hazard", "unknown department 'nowhere'"],
        id="unknown-department",
    ),
    pytest.param(
        "catalog.json",
        lambda d: _first_condition(d).update(limit_unit="fortnights"),
        ["catalog.json", "road_damage-pothole-hazard", "limit_unit", "fortnights"],
        id="unknown-unit",
    ),
    pytest.param(
        "catalog.json",
        lambda d: _first_condition(d).update(limit_amount=0),
        ["catalog.json", "road_damage-pothole-hazard", "greater than zero"],
        id="zero-limit",
    ),
    pytest.param(
        "catalog.json",
        lambda d: d["categories"][1].update(code="road_damage"),
        ["catalog.json", "duplicate category code 'road_damage'"],
        id="duplicate-category",
    ),
    pytest.param(
        "catalog.json",
        lambda d: d["categories"][0]["subcategories"][0].update(code="road_damage.pothole"),
        ["catalog.json", "road_damage.pothole", "code"],
        id="code-not-a-slug",
    ),
    pytest.param(
        "catalog.json",
        lambda d: _first_category(d).update(kind="thing"),
        ["catalog.json", "categories[0] 'road_damage'", "kind"],
        id="unknown-kind",
    ),
    pytest.param(
        "catalog.json",
        lambda d: _first_condition(d).update(limit_unti="working_days"),
        ["catalog.json", "unknown key limit_unti"],
        id="misspelt-key",
    ),
    pytest.param(
        "departments.json",
        lambda d: d["departments"][-1].update(district="999999"),
        ["departments.json", "telecom_china_mobile", "unknown district (area code) '999999'"],
        id="unknown-district",
    ),
    pytest.param(
        "departments.json",
        lambda d: d["departments"][-1].update(parent="nobody"),
        ["departments.json", "telecom_china_mobile", "unknown parent 'nobody'"],
        id="unknown-parent",
    ),
    pytest.param(
        "departments.json",
        lambda d: d["departments"][1].update(parent="daoli_sanitation"),
        ["departments.json", "parent cycle"],
        id="parent-cycle",
    ),
    pytest.param(
        "departments.json",
        lambda d: d["departments"].append(dict(d["departments"][0])),
        ["departments.json", "duplicate department code 'centre'"],
        id="duplicate-department",
    ),
    pytest.param(
        "routing.json",
        lambda d: d["rules"].append({"subcategory": "sanitation-ufo", "department": "centre"}),
        ["routing.json", "unknown subcategory 'sanitation-ufo'"],
        id="unknown-subcategory",
    ),
    pytest.param(
        "routing.json",
        lambda d: d["rules"].append(dict(d["rules"][0])),
        ["routing.json", "duplicate rule"],
        id="duplicate-rule",
    ),
    pytest.param(
        "routing.json",
        lambda d: d["rules"][0].update(district="230199"),
        ["routing.json", "rules[0]", "unknown district (area code) '230199'"],
        id="routing-unknown-district",
    ),
    pytest.param(
        "calendar.json",
        lambda d: d["working_periods"].append(["11:00", "14:00"]),
        ["calendar.json", "overlap"],
        id="overlapping-periods",
    ),
    pytest.param(
        "calendar.json",
        lambda d: d["stage_limits"][0].update(stage="lunch"),
        ["calendar.json", "stage_limits[0]", "lunch"],
        id="unknown-stage",
    ),
    pytest.param(
        "districts.geojson",
        lambda d: d["features"][0].update(geometry=None),
        ["districts.geojson", "230102"],
        id="bad-geometry",
    ),
]


@pytest.mark.parametrize(("name", "change", "expected"), BAD_FILES)
def test_it_refuses_a_bad_file_and_writes_nothing(city_dir, edit: EditJson, name, change, expected):
    edit(name, change)

    with pytest.raises(CommandError) as error:
        load(city_dir)

    for text in expected:
        assert text in str(error.value)
    assert {m.__name__: m.objects.count() for m in ALL_MODELS} == dict.fromkeys(
        (m.__name__ for m in ALL_MODELS), 0
    )


def test_it_keeps_the_previous_load_when_a_reload_fails(city_dir, edit: EditJson):
    load(city_dir)
    before = snapshot()
    edit("catalog.json", lambda d: _first_category(d).update(name="改了"))
    edit("routing.json", lambda d: d["rules"][0].update(department="nowhere"))

    with pytest.raises(CommandError, match=r"routing\.json: rules\[0\]: unknown department"):
        load(city_dir)

    assert snapshot() == before


def test_it_names_a_missing_file(city_dir):
    (city_dir / "routing.json").unlink()

    with pytest.raises(CommandError, match=r"routing\.json: file not found"):
        load(city_dir)


def test_it_names_a_file_that_is_not_json(city_dir):
    (city_dir / "catalog.json").write_text("{", encoding="utf-8")

    with pytest.raises(CommandError, match=r"catalog\.json: not valid JSON"):
        load(city_dir)


def test_it_names_a_missing_manifest(tmp_path):
    with pytest.raises(CommandError, match=r"city\.json: file not found"):
        load(tmp_path)


def test_it_moves_entries_to_a_new_parent(city_dir, edit: EditJson):
    load(city_dir)
    snow = Subcategory.objects.get(code="sanitation-snow_ice")

    def move_snow(data: dict) -> None:
        by_code = {c["code"]: c for c in data["categories"]}
        subs = by_code["sanitation"]["subcategories"]
        by_code["road_damage"]["subcategories"].append(subs.pop())

    def move_unit(data: dict) -> None:
        unit = next(d for d in data["departments"] if d["code"] == "daoli_ecology")
        unit["parent"] = "city_enforcement"

    edit("catalog.json", move_snow)
    edit("departments.json", move_unit)
    load(city_dir)

    snow.refresh_from_db()
    assert snow.category.code == "road_damage"
    moved = Department.objects.get(code="daoli_ecology")
    assert moved.parent and moved.parent.code == "city_enforcement"
