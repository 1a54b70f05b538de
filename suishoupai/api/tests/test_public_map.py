"""GET /api/v1/public/cases/map: cell counts zoomed out, markers close up, for anyone.

The counts must be exactly the public cases that match; nothing hidden, unfiled or
voided may show; a noise report's place comes snapped to a fixed ~100 m grid.
"""

import random
from datetime import timedelta

import pytest
from django.test import Client

from suishoupai import factories as f
from suishoupai.cases import public_map
from suishoupai.cases.models import Case
from suishoupai.cases.tests.places import noise_category, place, road_category, scatter
from suishoupai.places.selectors import distance_m

URL = "/api/v1/public/cases/map"
CITY_BBOX = "126.40,45.60,126.90,45.90"
STREET_BBOX = "126.645,45.775,126.655,45.785"  # a few hundred metres around DAOWAI


@pytest.fixture
def client():
    return Client()


def get(client, expect=200, **params):
    response = client.get(URL, params)
    assert response.status_code == expect, response.content
    return response.json()


def in_box(qs, bbox):
    min_lng, min_lat, max_lng, max_lat = bbox
    return qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)


@pytest.fixture
def year(city):
    """300 cases over a year, of three categories, some never public."""
    cats = [city.garbage.subcategory.category, road_category(), noise_category()]
    scatter(300, cats, [city.daowai, city.nangang, None], seed=3)


@pytest.mark.parametrize("zoom", [9, 11, 12, 13])
def test_the_cells_sum_to_the_number_of_matching_public_cases(client, year, zoom):
    data = get(client, bbox=CITY_BBOX, zoom=zoom)
    assert data["mode"] == "cells"
    expected = in_box(Case.objects.public(), data["bbox"]).count()
    assert 200 < expected < 300  # the fixture's hidden ones really are left out
    assert sum(c["count"] for c in data["cells"]) == data["total"] == expected


@pytest.mark.parametrize(
    "params, query",
    [
        ({"category": "road_damage"}, {"category__code": "road_damage"}),
        ({"family": "closed"}, {"state__in": ["closed", "merged"]}),
        ({"family": "open"}, {"state__in": ["filed", "dispatched", "in_progress", "resolved"]}),
        ({"district": "230104"}, {"district__code": "230104"}),
        ({"since": "2026-06-01", "until": "2026-06-30"}, {"created_at__month": 6}),
        (
            {"category": "commercial_noise", "family": "open"},
            {
                "category__code": "commercial_noise",
                "state__in": ["filed", "dispatched", "in_progress", "resolved"],
            },
        ),
    ],
)
def test_the_filters_count_exactly_the_cases_they_name(client, year, params, query):
    data = get(client, bbox=CITY_BBOX, zoom=11, **params)
    expected = in_box(Case.objects.public().filter(**query), data["bbox"]).count()
    assert expected > 0
    assert data["total"] == sum(c["count"] for c in data["cells"]) == expected


def test_a_new_family_is_valid_and_empty_as_no_unfiled_case_is_public(client, year):
    assert get(client, bbox=CITY_BBOX, zoom=11, family="new")["total"] == 0


def test_hidden_unfiled_declined_and_voided_cases_never_appear(client, city):
    for state in ("submitted", "rejected", "voided"):
        place("sanitation", 45.78, 126.65, state=state)
    place("sanitation", 45.78, 126.65, state="closed", public=False)
    for zoom in (5, 11, 16):
        data = get(client, bbox=CITY_BBOX, zoom=zoom)
        assert data["total"] == 0 and data["cells"] == [] and data["markers"] == []
    shown = place("sanitation", 45.78, 126.65, state="merged")
    data = get(client, bbox=STREET_BBOX, zoom=16)
    assert [m["number"] for m in data["markers"]] == [shown.number]


def test_cells_lie_on_a_fixed_grid_that_panning_does_not_move(client, year):
    a = get(client, bbox="126.40,45.60,126.90,45.90", zoom=12)
    b = get(client, bbox="126.41,45.61,126.91,45.91", zoom=12)
    size = a["cell_size"]
    assert size == public_map.cell_size(12)
    for cell in a["cells"]:
        west, south, east, north = cell["bounds"]
        # Bounds are rounded to 6 decimals (~0.1 m).
        assert west / size == pytest.approx(round(west / size), abs=1e-3)
        assert east - west == pytest.approx(size, abs=1e-5)
        assert cell["lat"] == pytest.approx((south + north) / 2)
    inner = [c for c in a["cells"] if 45.62 < c["lat"] < 45.88 and 126.42 < c["lng"] < 126.88]
    counts_b = {(c["lat"], c["lng"]): c["count"] for c in b["cells"]}
    assert inner and all(counts_b[(c["lat"], c["lng"])] == c["count"] for c in inner)


def test_close_up_it_sends_the_cases_newest_first_with_their_public_page(client, city):
    old = place("sanitation", 45.779, 126.649, at=f.WEDNESDAY_9AM - timedelta(days=3))
    new = place("sanitation", 45.781, 126.651, state="closed")
    place("sanitation", 45.70, 126.60)  # outside the view
    data = get(client, bbox=STREET_BBOX, zoom=16)
    assert data["mode"] == "markers" and data["total"] == 2 and data["cells"] == []
    first, second = data["markers"]
    assert [first["number"], second["number"]] == [new.number, old.number]
    assert first == {
        "number": new.number,
        "lat": 45.781,
        "lng": 126.651,
        "coarse": False,
        "category": {"code": "sanitation", "name": "环境卫生", "name_en": ""},
        "state": "closed",
        "state_label": "已结案",
        "family": "closed",
        "created_at": "2026-11-25T09:00:00+08:00",
        "url": f"/m/cases/{new.number}",
    }
    # Nothing personal: no phone, no description, no address in a marker.
    assert set(first) == set(second)


def test_a_crowded_close_up_comes_as_cells_instead(client, city, monkeypatch):
    monkeypatch.setattr(public_map, "MAX_MARKERS", 3)
    for i in range(4):
        place("sanitation", 45.78 + i * 0.0001, 126.65)
    data = get(client, bbox=STREET_BBOX, zoom=17)
    assert data["mode"] == "cells" and data["total"] == 4 and data["markers"] == []
    # Never finer than ~200 m, whatever the zoom: a cell's count must not pin a noise case.
    assert data["cell_size"] == public_map.MIN_CELL_DEG
    monkeypatch.setattr(public_map, "MAX_MARKERS", 4)
    assert get(client, bbox=STREET_BBOX, zoom=17)["mode"] == "markers"


def test_noise_reports_come_snapped_to_the_same_100m_square_every_time(client, city):
    noise_category()
    rnd = random.Random(5)
    for _ in range(40):
        case = place(
            "commercial_noise",
            45.78 + rnd.uniform(-0.004, 0.004),
            126.65 + rnd.uniform(-0.004, 0.004),
        )
        marker = _marker(client, case)
        again = _marker(client, case)
        assert (marker["lat"], marker["lng"]) == (again["lat"], again["lng"])
        assert marker["coarse"] is True
        # The centre of a 100 m square is at most ~71 m from any point in it.
        assert 0 < distance_m(case.lat, case.lng, marker["lat"], marker["lng"]) <= 72


def test_neighbouring_noise_squares_are_100m_apart(client, city):
    noise_category()
    a = place("commercial_noise", 45.7800, 126.6500)
    north = place("commercial_noise", 45.7800 + 0.0027, 126.6500)  # ~300 m north
    east = place("commercial_noise", 45.7800, 126.6500 + 0.0039)  # ~300 m east
    ma, mn, me = _marker(client, a), _marker(client, north), _marker(client, east)
    # Centres of whole squares apart: a multiple of 100 m, 3 or 4 of them.
    to_north = distance_m(ma["lat"], ma["lng"], mn["lat"], ma["lng"])
    to_east = distance_m(ma["lat"], ma["lng"], me["lat"], me["lng"])
    for metres in (to_north, to_east):
        assert round(metres / 100) in (3, 4)
        assert metres == pytest.approx(round(metres / 100) * 100, abs=1)
    # Another report in the same square is the same place to the public.
    near = place("commercial_noise", ma["lat"] + 0.0001, ma["lng"] - 0.0001)
    mnear = _marker(client, near)
    assert (mnear["lat"], mnear["lng"]) == (ma["lat"], ma["lng"])


def _marker(client, case):
    box = f"{case.lng - 0.01},{case.lat - 0.01},{case.lng + 0.01},{case.lat + 0.01}"
    markers = get(client, bbox=box, zoom=18)["markers"]
    return next(m for m in markers if m["number"] == case.number)


def test_the_public_case_views_give_a_noise_report_the_same_coarse_place_and_no_door(
    client, city, people
):
    noise_category()
    street = f.AreaFactory(code="230104001", name="靖宇街道", level="street")
    case = place(
        "commercial_noise",
        45.78123,
        126.65234,
        street=street,
        address="道外区靖宇街 88 号 3 单元",
        phone="13912345678",
        description="楼下店铺音响太吵，电话 139 1234 5678",
    )
    marker = _marker(client, case)
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    listed = client.get("/api/v1/cases", {"category": "commercial_noise"}).json()["results"][0]
    for view in (detail, listed):
        assert (view["lat"], view["lng"]) == (marker["lat"], marker["lng"])
        assert view["address"] == "靖宇街道"
        assert "5678" not in view["description"]
    # Staff keep the exact place.
    token = f.token_for(people["olga"])
    staff = client.get(
        f"/api/v1/staff/cases/{case.number}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert (staff["lat"], staff["lng"], staff["address"]) == (45.78123, 126.65234, case.address)


def test_other_categories_keep_their_place_and_address_in_public(client, city):
    case = place(
        "sanitation",
        45.78123,
        126.65234,
        phone="13912345678",
        address="靖宇街 88 号，联系 13912345678",
    )
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    assert (detail["lat"], detail["lng"]) == (45.78123, 126.65234)
    assert detail["address"] == "靖宇街 88 号，联系 ***"


@pytest.mark.parametrize("zoom, bbox", [(9, CITY_BBOX), (16, STREET_BBOX)])
def test_it_answers_with_one_query(client, year, zoom, bbox, django_assert_num_queries):
    with django_assert_num_queries(1):
        get(client, bbox=bbox, zoom=zoom)


@pytest.mark.parametrize(
    "params, status, field, words",
    [
        ({"bbox": "126.4,45.6,126.9"}, 400, "bbox", "four numbers"),
        ({"bbox": "a,b,c,d"}, 400, "bbox", "four numbers"),
        ({"bbox": "126.9,45.6,126.4,45.9"}, 400, "bbox", "larger than its maximum"),
        ({"bbox": "126.4,45.6,126.9,95"}, 400, "bbox", "between -90 and 90"),
        ({"bbox": "-190,45.6,126.9,45.9"}, 400, "bbox", "between -180 and 180"),
        ({"bbox": "nan,45.6,126.9,45.9"}, 400, "bbox", "four numbers"),
        ({"bbox": "73,18,135,54", "zoom": 13}, 400, "bbox", "too large for this zoom"),
        ({"bbox": None}, 422, "bbox", "required"),
        ({"zoom": None}, 422, "zoom", "required"),
        ({"zoom": 20}, 422, "zoom", "too large"),
        ({"zoom": -1}, 422, "zoom", "too small"),
        ({"zoom": "near"}, 422, "zoom", "whole number"),
        ({"since": "2026-13-01"}, 422, "since", "YYYY-MM-DD"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, 400, "since", "after until"),
        ({"family": "pending"}, 422, "family", "allowed values"),
    ],
)
def test_bad_input_is_refused_with_a_message_that_says_what_to_fix(
    client, city, params, status, field, words
):
    query = {"bbox": CITY_BBOX, "zoom": 11, **params}
    query = {k: v for k, v in query.items() if v is not None}
    data = get(Client(headers={"Accept-Language": "en"}), status, **query)
    assert data["code"] in ("invalid_input",)
    assert [e["field"] for e in data["errors"]] == [field]
    assert words in (data["detail"] + " ".join(e["message"] for e in data["errors"]))


def test_it_needs_no_sign_in_and_sets_no_cookie(client, city):
    response = client.get(URL, {"bbox": CITY_BBOX, "zoom": 11})
    assert response.status_code == 200
    assert not response.cookies


# ------------------------------------------------------------------ the cached cell answers

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def cached(settings):
    """The cell answers cached as in production (tests count afresh by default)."""
    settings.CACHES = LOCMEM
    settings.PUBLIC_MAP_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_citizen_sees_a_newly_filed_case_on_the_cached_map_within_a_minute(
    client, year, cached, city, olga, django_capture_on_commit_callbacks, monkeypatch
):
    """Olga files a report: the zoomed-out answer cached before counts it once a minute has
    passed since that answer was made. In a quiet city (no event) an answer stays in use
    however old it is: the event is what puts it out of date."""
    import time as clock

    from suishoupai.cases import services
    from suishoupai.cases.tests.journeys import report

    case = report(city)
    before = get(client, bbox=CITY_BBOX, zoom=11, family="open")["total"]
    now = clock.time()
    monkeypatch.setattr(public_map.time, "time", lambda: now + 3000)
    assert get(client, bbox=CITY_BBOX, zoom=11, family="open")["total"] == before
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(case, olga)
    after = get(client, bbox=CITY_BBOX, zoom=11, family="open")
    assert after["total"] == before + 1
    family = ["filed", "dispatched", "in_progress", "resolved"]
    expected = in_box(Case.objects.public().filter(state__in=family), after["bbox"])
    assert after["total"] == expected.count()


def test_a_cached_answer_is_used_until_an_event_or_until_it_is_a_minute_old(
    client, year, cached, monkeypatch
):
    """Without an event the cached answer stands (a change made behind the services'
    back is not seen); made under an older version, it is used for at most a minute."""
    import time as clock

    first = get(client, bbox=CITY_BBOX, zoom=11)
    Case.objects.public().filter(pk=Case.objects.public().first().pk).update(is_public=False)
    assert get(client, bbox=CITY_BBOX, zoom=11)["total"] == first["total"]  # cached
    public_map._bump()  # an event elsewhere: the answer is out of date, but young
    assert get(client, bbox=CITY_BBOX, zoom=11)["total"] == first["total"]
    now = clock.time()
    monkeypatch.setattr(public_map.time, "time", lambda: now + 61)
    assert get(client, bbox=CITY_BBOX, zoom=11)["total"] == first["total"] - 1
    # Another question is never answered from this one's entry.
    other = get(client, bbox=CITY_BBOX, zoom=11, category="road_damage")
    expected = in_box(Case.objects.public().filter(category__code="road_damage"), other["bbox"])
    assert other["total"] == expected.count()
