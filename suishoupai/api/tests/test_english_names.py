"""The public API adds the city's English names beside its documented Chinese `name` fields."""

import pytest
from django.test import Client

from suishoupai.cases import services
from suishoupai.cases.tests.journeys import walk
from suishoupai.catalog.models import Category, Subcategory
from suishoupai.factories import DAOWAI
from suishoupai.org.models import Department
from suishoupai.places.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(city):
    Area.objects.filter(pk=city.daowai.pk).update(name_en="Daowai District")
    Department.objects.filter(pk=city.city_sanitation.pk).update(name_en="City Sanitation Centre")
    Category.objects.filter(code="sanitation").update(name_en="Sanitation")
    Subcategory.objects.filter(category__code="sanitation").update(name_en="Exposed garbage")


def test_a_public_case_names_its_category_district_and_department_in_both(city, people, english):
    case = walk(city, people, "dispatched")
    body = Client().get(f"/api/v1/cases/{case.number}", headers={"Accept-Language": "en"}).json()
    # The documented fields keep the city's own names, whatever the language asked for ...
    assert body["category"]["name"] == case.category.name
    assert body["district"] == {"code": "230104", "name": "道外区", "name_en": "Daowai District"}
    assert body["department"] == "市环卫中心"
    # ... and the English ones are added beside them.
    assert body["category"]["name_en"] == "Sanitation"
    assert body["subcategory"]["name_en"] == "Exposed garbage"
    assert body["department_en"] == "City Sanitation Centre"
    dispatched = [e for e in body["timeline"] if e["action"] == "case.dispatched"]
    assert dispatched[0]["department_en"] == "City Sanitation Centre"


def test_the_list_nearby_and_preview_carry_them_too(city, people, english):
    case = walk(city, people, "dispatched")
    listed = Client().get("/api/v1/cases").json()["results"]
    assert listed[0]["district"]["name_en"] == "Daowai District"
    lat, lng = DAOWAI
    nearby = Client().get(f"/api/v1/cases/nearby?lat={lat}&lng={lng}").json()
    assert nearby[0]["number"] == case.number and nearby[0]["department_en"]
    preview = Client().get(f"/api/v1/cases/preview?lat={lat}&lng={lng}&category=sanitation").json()
    assert preview["district"]["name_en"] == "Daowai District"
    assert preview["department"] == "市环卫中心"
    assert preview["department_en"] == "City Sanitation Centre"


def test_a_name_without_english_is_an_empty_string_not_missing(city, people):
    case = walk(city, people, "filed")
    services.dispatch(case, people["dora"])
    body = Client().get(f"/api/v1/cases/{case.number}").json()
    assert body["district"]["name_en"] == "" and body["department_en"] == ""
