"""/public/: the city's public cases in a list (and the map's settings), for anyone."""

from datetime import timedelta

import pytest
from django.test import Client

from suishoupai import factories as f
from suishoupai.cases.tests.places import noise_category, place, road_category
from suishoupai.places.selectors import distance_m
from suishoupai.web.public import views

PHONE = "13912345678"


@pytest.fixture
def client():
    return Client()


def numbers(response) -> list[str]:
    return [item["case"].number for item in response.context["items"]]


def test_anyone_sees_the_public_cases_newest_first_each_linking_to_its_page(client, city):
    old = place("sanitation", 45.78, 126.65, at=f.WEDNESDAY_9AM - timedelta(days=2))
    new = place("sanitation", 45.78, 126.65, state="closed")
    response = client.get("/public/")
    assert response.status_code == 200
    assert numbers(response) == [new.number, old.number]
    html = response.content.decode()
    assert f'href="/m/cases/{new.number}"' in html
    assert "2 件" in html


def test_hidden_unfiled_declined_and_voided_cases_are_not_listed(client, city):
    for state in ("submitted", "rejected", "voided"):
        place("sanitation", 45.78, 126.65, state=state)
    place("sanitation", 45.78, 126.65, public=False)
    assert numbers(client.get("/public/")) == []
    assert "暂无公开案件" in client.get("/public/").content.decode()


def test_nothing_personal_is_on_the_page(client, city):
    noise_category()
    street = f.AreaFactory(code="230104001", name="靖宇街道", level="street")
    place(
        "sanitation",
        45.78,
        126.65,
        phone=PHONE,
        address="靖宇街 88 号（电话 139-1234-5678）",
        description="垃圾堆在门口，打 139 1234 5678",
    )
    place(
        "commercial_noise",
        45.78,
        126.65,
        street=street,
        district=city.daowai,
        address="道外区靖宇街 90 号 2 单元 301",
        description="楼下音响太吵",
    )
    html = client.get("/public/").content.decode()
    assert "5678" not in html and "***" in html
    # A noise report gives its street, not its door.
    assert "2 单元" not in html and "道外区 · 靖宇街道" in html
    assert "位置约精确到 100 米" in html


def test_the_filters_narrow_the_list(client, city):
    road_category()
    pothole = place("road_damage", 45.73, 126.65, district=city.nangang)
    garbage_open = place("sanitation", 45.78, 126.65, district=city.daowai)
    garbage_closed = place("sanitation", 45.78, 126.65, state="closed", district=city.daowai)
    june = place("sanitation", 45.78, 126.65, at=f.WEDNESDAY_9AM.replace(month=6))
    assert numbers(client.get("/public/", {"category": "road_damage"})) == [pothole.number]
    assert numbers(client.get("/public/", {"district": "230104"})) == [
        garbage_closed.number,
        garbage_open.number,
    ]
    assert numbers(client.get("/public/", {"family": "closed"})) == [garbage_closed.number]
    period = {"since": "2026-06-01", "until": "2026-06-30"}
    assert numbers(client.get("/public/", period)) == [june.number]
    assert numbers(client.get("/public/", {"family": "open", "category": "sanitation"})) == [
        garbage_open.number,
        june.number,
    ]


def test_the_map_gets_the_same_filters_the_list_uses(client, city):
    response = client.get("/public/", {"category": "sanitation", "family": "open", "page": "2"})
    config = response.context["config"]
    assert config["api"] == "/api/v1/public/cases/map"
    assert config["filters"] == {"category": "sanitation", "family": "open"}
    assert config["map"] == {"tiles": None}


def test_bad_filters_are_explained_and_left_out(client, city):
    place("sanitation", 45.78, 126.65)
    response = client.get(
        "/public/",
        {"category": "nope", "since": "2026-12-01", "until": "2026-11-01", "family": "new"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"category", "until", "family"}
    assert response.context["config"]["filters"] == {"since": "2026-12-01"}
    assert numbers(response) == []  # since 1 December: the case is from November


def test_the_list_comes_a_page_at_a_time_and_keeps_its_filters(client, city):
    for i in range(views.PAGE_SIZE + 3):
        place("sanitation", 45.78, 126.65, at=f.WEDNESDAY_9AM - timedelta(hours=i))
    first = client.get("/public/", {"category": "sanitation"})
    assert len(numbers(first)) == views.PAGE_SIZE
    assert 'href="?category=sanitation&amp;page=2"' in first.content.decode()
    second = client.get("/public/", {"category": "sanitation", "page": "2"})
    assert len(numbers(second)) == 3
    assert set(numbers(first)).isdisjoint(numbers(second))
    assert client.get("/public/", {"page": "99"}).status_code == 200


def test_a_page_takes_a_few_queries_however_many_cases(client, city, django_assert_max_num_queries):
    for i in range(60):
        place("sanitation", 45.78, 126.65, at=f.WEDNESDAY_9AM - timedelta(hours=i))
    with django_assert_max_num_queries(6):
        client.get("/public/", {"family": "open"})


def test_it_speaks_english_too(client, city):
    place("sanitation", 45.78, 126.65)
    html = client.get("/public/?lang=en").content.decode()
    assert "Reported problems and how far each has come" in html
    assert "1 case" in html


def test_the_home_pages_latest_reports_keep_the_same_rules(client, city):
    noise_category()
    street = f.AreaFactory(code="230104001", name="靖宇街道", level="street")
    place("commercial_noise", 45.78, 126.65, street=street, address="靖宇街 90 号 2 单元")
    place("sanitation", 45.78, 126.65, phone=PHONE, address="靖宇街 88 号 13912345678")
    html = client.get("/").content.decode()
    assert "2 单元" not in html and "靖宇街道" in html
    assert PHONE not in html and "靖宇街 88 号 ***" in html


def test_open311_readers_get_the_public_place_of_a_noise_report(client, city):
    noise_category()
    case = place("commercial_noise", 45.78123, 126.65234, address="靖宇街 90 号 2 单元")
    [request] = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert (request["lat"], request["long"]) != (case.lat, case.lng)
    assert distance_m(case.lat, case.lng, request["lat"], request["long"]) <= 72
    assert request["address"] is None
