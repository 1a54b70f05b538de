"""The whole story through the JSON API, and every kind of refusal."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from PIL import Image

from suishoupai.cases.models import Case
from suishoupai.factories import DAOWAI, WEDNESDAY_9AM

pytestmark = pytest.mark.django_db

SHARED_PHOTOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "photos"


def jpeg_bytes(color=(120, 120, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def report_body(**overrides) -> dict:
    lat, lng = DAOWAI
    body = {
        "category": "sanitation",
        "description": "靖宇街路边堆放大量生活垃圾",
        "lat": lat,
        "lng": lng,
        "address": "道外区靖宇街与南十四道街交口",
        "phone": "13800000000",
    }
    body.update(overrides)
    return body


def post_json(client: Client, url: str, body: dict | None = None, **headers):
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def create(client: Client, **overrides) -> dict:
    response = post_json(client, "/api/v1/cases", report_body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def act(client: Client, number: str, action: str, body: dict | None = None, expect: int = 200):
    response = post_json(client, f"/api/v1/staff/cases/{number}/{action}", body)
    assert response.status_code == expect, response.content
    return response.json()


def test_it_takes_a_case_from_report_to_rating(
    city, olga, leo, dora, carl, hans, ivan, staff_client
):
    citizen = Client()
    with time_machine.travel(WEDNESDAY_9AM, tick=False) as traveller:
        created = create(citizen)
        number, token = created["number"], created["tracking_token"]
        assert number.startswith("20261125-")
        assert created["suggested_department"] == "市环卫中心"

        act(staff_client(olga), number, "accept")
        act(staff_client(dora), number, "dispatch")
        # 市环卫中心 passes it down to 道外区环卫, who signs for it and handles it.
        act(staff_client(carl), number, "dispatch", {"department": city.daowai_sanitation.pk})
        act(staff_client(hans), number, "take")
        traveller.shift(timedelta(hours=2))
        response = staff_client(hans).post(
            f"/api/v1/staff/cases/{number}/feedback",
            {"note": "已清运完毕", "photos": [io.BytesIO(jpeg_bytes())]},
        )
        assert response.status_code == 200, response.content
        act(staff_client(ivan), number, "verify-pass", {"note": "现场已清理"})
        closed = act(staff_client(leo), number, "close")
        assert closed["state"] == "closed"

        mine = citizen.get(f"/api/v1/cases/{number}/private", headers={"X-Case-Token": token})
        assert mine.status_code == 200
        actions = [e["action"] for e in mine.json()["timeline"]]
        assert actions == [
            "case.submitted",
            "case.filed",
            "case.dispatched",
            "case.dispatched_on",
            "case.taken",
            "case.resolved",
            "case.verified",
            "case.closed",
        ]

        rated = post_json(
            citizen,
            f"/api/v1/cases/{number}/rating",
            {"rating": "satisfied", "stars": 5, "comment": "很快"},
            **{"X-Case-Token": token},
        )
        assert rated.status_code == 200, rated.content
        assert rated.json()["rating"] == "satisfied"


def test_it_accepts_a_multipart_report_with_a_real_photo(city):
    photo = SHARED_PHOTOS / "street_garbage_1.jpg"
    if not photo.exists():
        pytest.skip(f"shared test photos not found at {SHARED_PHOTOS}")
    with photo.open("rb") as fh:
        response = Client().post("/api/v1/cases", {**report_body(), "photos": [fh]})
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.photos.count() == 1
    assert case.photos.get().content_type == "image/jpeg"


def test_it_refuses_a_file_that_is_not_a_photo_and_stores_nothing(city):
    fake = io.BytesIO(b"%PDF-1.4 not a photo")
    fake.name = "garbage.jpg"
    response = Client().post("/api/v1/cases", {**report_body(), "photos": [fake]})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "photos"
    assert "garbage.jpg" in body["detail"]
    assert Case.objects.count() == 0


def test_it_converts_gcj02_positions_to_wgs84(city):
    from suishoupai.places.coords import wgs84_to_gcj02

    lat, lng = wgs84_to_gcj02(*DAOWAI)
    created = create(Client(), lat=lat, lng=lng, coord_system="gcj02")
    case = Case.objects.get(number=created["number"])
    assert case.lat == pytest.approx(DAOWAI[0], abs=1e-5)
    assert case.lng == pytest.approx(DAOWAI[1], abs=1e-5)
    assert case.district == city.daowai


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "no_such_thing"}, "category"),
        ({"description": ""}, "description"),
        ({"lat": 91}, "lat"),
        ({"lat": "north"}, "lat"),
        ({"coord_system": "mars"}, "coord_system"),
        ({"phone": "call me"}, "phone"),
        ({"lat": 39.9, "lng": 116.4}, "lat"),  # Beijing: outside the served area
    ],
)
def test_it_explains_bad_reports_field_by_field(city, overrides, field):
    response = post_json(Client(), "/api/v1/cases", report_body(**overrides))
    assert response.status_code in (400, 422), response.content
    body = response.json()
    assert body["detail"]
    assert field in [e["field"] for e in body["errors"]]
    assert Case.objects.count() == 0


def test_it_answers_malformed_json_with_400_not_500(city):
    response = Client().post("/api/v1/cases", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_it_speaks_chinese_by_default_and_english_on_request(city):
    zh = post_json(Client(), "/api/v1/cases", report_body(description=""))
    en = post_json(
        Client(), "/api/v1/cases", report_body(description=""), **{"Accept-Language": "en"}
    )
    assert zh.json()["detail"] != en.json()["detail"]
    assert en.json()["detail"] == "Please correct the marked fields."


def test_it_never_shows_personal_data_publicly(city, olga):
    from suishoupai.cases import services

    created = create(Client())
    case = Case.objects.get(number=created["number"])
    services.accept(case, olga)
    public = Client().get(f"/api/v1/cases/{created['number']}")
    listing = Client().get("/api/v1/cases")
    for response in (public, listing):
        assert response.status_code == 200
        text = response.content.decode()
        assert "13800000000" not in text
        assert created["tracking_token"] not in text
        assert "olga" not in text


def test_it_hides_unfiled_and_private_cases_from_the_public(city, olga):
    unfiled = create(Client())
    private = create(Client(), public=False)
    from suishoupai.cases import services

    services.accept(Case.objects.get(number=private["number"]), olga)
    for number in (unfiled["number"], private["number"]):
        assert Client().get(f"/api/v1/cases/{number}").status_code == 404
    assert Client().get("/api/v1/cases").json()["count"] == 0


def test_it_filters_the_public_list(city, olga):
    from suishoupai.cases import services

    for _ in range(3):
        services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    client = Client()
    assert client.get("/api/v1/cases?family=open").json()["count"] == 3
    assert client.get("/api/v1/cases?family=closed").json()["count"] == 0
    assert client.get("/api/v1/cases?category=road_damage").json()["count"] == 0
    assert client.get("/api/v1/cases?district=230104").json()["count"] == 3
    assert client.get("/api/v1/cases?bbox=126.6,45.77,126.7,45.79").json()["count"] == 3
    assert client.get("/api/v1/cases?bbox=120,30,121,31").json()["count"] == 0
    page = client.get("/api/v1/cases?page=2&page_size=2").json()
    assert (page["count"], len(page["results"])) == (3, 1)
    assert client.get("/api/v1/cases?bbox=1,2,3").status_code == 400
    assert client.get("/api/v1/cases?since=yesterday").status_code == 422


def test_a_map_app_follows_next_links_through_the_public_list_without_gaps(city, olga):
    # Wei's map app walks the whole public list by its `next` links (keyset paging):
    # every case once, newest first, even when a report arrives between two pages.
    from suishoupai.cases import services

    for _ in range(5):
        services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    client = Client()
    first = client.get("/api/v1/cases?page_size=2&family=open").json()
    assert (first["count"], first["count_exact"], first["page"]) == (5, True, 1)
    assert "family=open" in first["next"] and "cursor=" in first["next"]
    seen = [c["number"] for c in first["results"]]
    services.accept(Case.objects.get(number=create(Client())["number"]), olga)  # newer
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        assert page["page"] is None
        seen += [c["number"] for c in page["results"]]
    expected = list(
        Case.objects.public().order_by("-created_at", "-pk").values_list("number", flat=True)
    )
    assert seen == expected[1:]  # all the first ones, none twice; the new one is above
    numbered = client.get("/api/v1/cases?page=3&page_size=2&family=open").json()
    assert [c["number"] for c in numbered["results"]] == expected[4:6]
    assert numbered["next"] is None
    assert client.get("/api/v1/cases?cursor=bm90LWEtY3Vyc29y").status_code == 400


def test_a_count_above_the_cap_is_flagged_as_estimated(city, olga, monkeypatch):
    # Above COUNT_CAP matching cases the list does not count them all: on PostgreSQL
    # it says `count_exact: false` and gives the planner's estimate, never below the cap.
    from suishoupai.cases import selectors, services

    for _ in range(3):
        services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = Client().get("/api/v1/cases").json()
    if connection.vendor == "postgresql":
        assert page["count_exact"] is False and page["count"] >= 3
    else:
        assert (page["count"], page["count_exact"]) == (3, True)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    assert Client().get("/api/v1/cases").json()["count_exact"] is True


def test_a_page_of_the_public_list_asks_the_same_few_queries_for_any_number_of_cases(
    city, olga, django_assert_max_num_queries, django_assert_num_queries
):
    # The list loads only the columns the public view shows: reading any other one
    # would cost a query per case, which Wei's page of 100 must never pay.
    from suishoupai.cases import services

    services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    client = Client()
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/cases").json()["results"]) == 1
    queries = len(one.captured_queries)  # now: the next request clears the log
    for _ in range(4):
        services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    with django_assert_num_queries(queries):
        assert len(client.get("/api/v1/cases").json()["results"]) == 5


def test_a_public_case_read_again_comes_from_the_cache_until_it_changes(
    city, olga, leo, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # A case shared in a WeChat group is read by hundreds: the answer is presented once,
    # and the next me-too (an event) or a photo hidden by staff is seen on the next read.
    from suishoupai.cases import services

    settings.PUBLIC_ANSWER_CACHE_SECONDS = 60
    number = create(Client())["number"]
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(Case.objects.get(number=number), olga)
    client = Client()
    first = client.get(f"/api/v1/cases/{number}")
    with django_assert_max_num_queries(2):  # the cache's version and answer
        again = client.get(f"/api/v1/cases/{number}")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert client.get(f"/api/v1/cases/{number}", HTTP_ACCEPT_LANGUAGE="en").content != (
        first.content
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.support(Case.objects.get(number=number), device="d" * 20)
    assert client.get(f"/api/v1/cases/{number}").json()["support_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.void(Case.objects.get(number=number), leo, reason="重复")
    assert client.get(f"/api/v1/cases/{number}").status_code == 404


def test_the_public_lists_count_is_kept_until_a_case_changes(
    city, olga, settings, django_capture_on_commit_callbacks
):
    from suishoupai.cases import services

    settings.PUBLIC_ANSWER_CACHE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(Case.objects.get(number=create(Client())["number"]), olga)
    client = Client()
    assert client.get("/api/v1/cases").json()["count"] == 1
    Case.objects.update(is_public=False)  # no event, no save: the kept count stands
    assert client.get("/api/v1/cases").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        number = create(Client())["number"]
        services.accept(Case.objects.get(number=number), olga)
    assert client.get("/api/v1/cases").json()["count"] == 1  # counted afresh: the new one
    assert client.get("/api/v1/cases").json()["results"][0]["number"] == number


def test_it_shows_the_reporter_view_only_with_the_right_token(city):
    created = create(Client())
    url = f"/api/v1/cases/{created['number']}/private"
    assert Client().get(url).status_code == 404
    assert Client().get(url, headers={"X-Case-Token": "guess"}).status_code == 404
    mine = Client().get(url, headers={"X-Case-Token": created["tracking_token"]})
    assert mine.status_code == 200
    assert mine.json()["phone"] == "13800000000"


def test_it_refuses_a_rating_before_the_case_is_closed(city):
    created = create(Client())
    response = post_json(
        Client(),
        f"/api/v1/cases/{created['number']}/rating",
        {"rating": "satisfied"},
        **{"X-Case-Token": created["tracking_token"]},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_it_answers_staff_errors_with_the_right_status(
    city, olga, nina, hans, carl, dora, staff_client
):
    number = create(Client())["number"]
    assert Client().get("/api/v1/staff/cases").status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer nope"}).get("/api/v1/staff/cases").status_code
        == 401
    )
    act(staff_client(olga), "20990101-9999", "accept", expect=404)
    act(staff_client(dora), number, "accept", expect=403)  # wrong role
    act(staff_client(olga), number, "close", expect=403)  # operators do not close
    act(staff_client(olga), number, "accept")
    act(staff_client(olga), number, "accept", expect=409)  # already filed
    act(staff_client(olga), number, "reject", {"reason": "重复"}, expect=409)
    act(staff_client(dora), number, "dispatch")
    # nina (南岗区道桥) is another department: she must not see or touch it.
    assert staff_client(nina).get(f"/api/v1/staff/cases/{number}").status_code == 403
    act(staff_client(nina), number, "take", expect=403)
    assert staff_client(nina).get("/api/v1/staff/cases").json()["count"] == 0
    # hans is below 市环卫中心: he sees it only once it is passed down to him.
    assert staff_client(hans).get(f"/api/v1/staff/cases/{number}").status_code == 403
    act(staff_client(carl), number, "dispatch", {"department": city.daowai_sanitation.pk})
    assert staff_client(hans).get(f"/api/v1/staff/cases/{number}").status_code == 200
    assert staff_client(carl).get("/api/v1/staff/cases").json()["count"] == 1


def test_it_validates_action_bodies(city, olga, staff_client):
    number = create(Client())["number"]
    response = act(staff_client(olga), number, "reject", {"reason": ""}, expect=422)
    assert response["errors"][0]["field"] == "reason"
    response = act(staff_client(olga), number, "accept", {"condition": "no-such"}, expect=400)
    assert response["errors"][0]["field"] == "condition"


def test_it_keeps_the_reporters_phone_from_departments(city, olga, dora, carl, staff_client):
    number = create(Client())["number"]
    act(staff_client(olga), number, "accept")
    act(staff_client(dora), number, "dispatch")
    seen_by_carl = staff_client(carl).get(f"/api/v1/staff/cases/{number}").json()
    seen_by_olga = staff_client(olga).get(f"/api/v1/staff/cases/{number}").json()
    assert seen_by_carl["phone"] is None
    assert seen_by_olga["phone"] == "13800000000"


def test_it_serves_originals_only_to_staff_who_may_see_the_case(city, olga, nina, staff_client):
    created = (
        Client()
        .post("/api/v1/cases", {**report_body(), "photos": [io.BytesIO(jpeg_bytes())]})
        .json()
    )
    detail = staff_client(olga).get(f"/api/v1/staff/cases/{created['number']}").json()
    url = detail["photos"][0]["url"]
    assert staff_client(olga).get(url).status_code == 200
    assert staff_client(nina).get(url).status_code == 403
    assert Client().get(url).status_code == 401
    public = (
        Client()
        .get(
            f"/api/v1/cases/{created['number']}/private",
            headers={"X-Case-Token": created["tracking_token"]},
        )
        .json()
    )
    assert public["photos"][0]["url"] is None


def test_it_publishes_an_openapi_document_and_an_offline_docs_page(city):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/categories",
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/private",
        "/api/v1/cases/{number}/rating",
        "/api/v1/staff/cases",
        "/api/v1/staff/cases/{number}/dispatch",
        "/api/v1/staff/cases/{number}/approve-extension",
    ]:
        assert path in paths
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_it_lists_the_catalogue(city):
    catalogue = Client().get("/api/v1/categories").json()
    sanitation = next(c for c in catalogue if c["code"] == "sanitation")
    condition = sanitation["subcategories"][0]["conditions"][0]
    assert condition["limit"] == {
        "amount": "4.00",
        "unit": "working_hours",
        "unit_label": condition["limit"]["unit_label"],
    }
    assert condition["default_department"] == "市环卫中心"


@pytest.mark.parametrize(
    "query",
    [
        "page=3381821826305836544",
        "page_size=3600",
        "until=9999-12-31",
        "since=0001-01-01",
        "bbox=nan,1,2,3",
        "bbox=-inf,1,2,3",
    ],
)
def test_it_refuses_out_of_range_list_queries_without_a_server_error(city, query):
    response = Client().get(f"/api/v1/cases?{query}")
    assert response.status_code in (400, 422), response.content


def test_it_refuses_an_impossible_department_id(city, olga, dora, staff_client):
    number = create(Client())["number"]
    act(staff_client(olga), number, "accept")
    act(staff_client(dora), number, "dispatch", {"department": 2**70}, expect=422)


def test_it_gives_times_in_the_citys_time_zone_and_readable_chinese(city):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        created = create(Client())
    response = Client().get(
        f"/api/v1/cases/{created['number']}/private",
        headers={"X-Case-Token": created["tracking_token"]},
    )
    assert response.json()["created_at"] == "2026-11-25T09:00:00+08:00"
    assert "靖宇街" in response.content.decode()


def _todo(client: Client) -> list[str]:
    return [c["number"] for c in client.get("/api/v1/staff/cases?todo=true").json()["results"]]


def test_each_post_sees_what_it_must_act_on_next(
    city, olga, dora, carl, hans, ivan, leo, lily, staff_client
):
    number = create(Client())["number"]
    assert _todo(staff_client(olga)) == [number]
    assert _todo(staff_client(dora)) == []
    act(staff_client(olga), number, "accept")
    assert (_todo(staff_client(olga)), _todo(staff_client(dora))) == ([], [number])
    act(staff_client(dora), number, "dispatch")
    assert _todo(staff_client(carl)) == [number]
    act(staff_client(carl), number, "dispatch", {"department": city.daowai_sanitation.pk})
    # Passed down: 道外区环卫 has it to do; 市环卫中心 still sees it, but through hans.
    assert _todo(staff_client(hans)) == [number]
    act(staff_client(hans), number, "take")
    act(staff_client(hans), number, "request-extension", {"reason": "等待车辆", "amount": 1})
    assert _todo(staff_client(leo)) == [number]  # a pending request to decide
    act(staff_client(leo), number, "approve-extension")
    assert _todo(staff_client(leo)) == []
    act(staff_client(hans), number, "feedback", {"note": "已清运"})
    assert _todo(staff_client(ivan)) == [number]
    act(staff_client(ivan), number, "verify-pass")
    assert _todo(staff_client(leo)) == [number]
    act(staff_client(leo), number, "close")
    assert _todo(staff_client(lily)) == []


def test_a_merged_reporter_follows_the_case_it_was_merged_into(city, olga, dora, staff_client):
    primary = create(Client())
    duplicate = create(Client())
    act(staff_client(olga), primary["number"], "accept")
    act(staff_client(olga), duplicate["number"], "merge", {"into": primary["number"]})
    act(staff_client(dora), primary["number"], "dispatch")
    mine = (
        Client()
        .get(
            f"/api/v1/cases/{duplicate['number']}/private",
            headers={"X-Case-Token": duplicate["tracking_token"]},
        )
        .json()
    )
    assert mine["merged_into"] == primary["number"]
    assert [e["action"] for e in mine["merged_into_timeline"]][-1] == "case.dispatched"


STAFF_ACTIONS = [
    "accept",
    "reject",
    "merge",
    "dispatch",
    "redispatch",
    "take",
    "feedback",
    "request-return",
    "approve-return",
    "deny-return",
    "request-extension",
    "approve-extension",
    "deny-extension",
    "request-suspension",
    "approve-suspension",
    "deny-suspension",
    "request-appeal",
    "approve-appeal",
    "deny-appeal",
    "resume",
    "verify-pass",
    "verify-fail",
    "close",
    "void",
    "urge",
    "callback",
    "reopen",
]


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_every_action_refuses_a_department_that_does_not_hold_the_case(
    city, olga, dora, nina, staff_client, action
):
    number = create(Client())["number"]
    act(staff_client(olga), number, "accept")
    act(staff_client(dora), number, "dispatch")  # now with 市环卫中心, not 南岗区道桥
    before = Case.objects.get(number=number).events.count()
    response = post_json(staff_client(nina), f"/api/v1/staff/cases/{number}/{action}", {})
    assert response.status_code == 403
    assert Case.objects.get(number=number).events.count() == before


def test_it_leaves_no_file_or_row_behind_when_storing_a_photo_fails(
    city, monkeypatch, settings, tmp_path
):
    from django.core.files.storage import FileSystemStorage

    from suishoupai.photos.models import Photo

    settings.MEDIA_ROOT = tmp_path
    calls = {"n": 0}
    real_save = FileSystemStorage._save

    def second_save_fails(self, name, content):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", second_save_fails)
    photos = [io.BytesIO(jpeg_bytes()), io.BytesIO(jpeg_bytes((200, 10, 10)))]
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/cases", {**report_body(), "photos": photos})
    assert response.status_code == 500
    assert Case.objects.count() == 0 and Photo.objects.count() == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_it_finds_open_cases_of_the_same_kind_nearby_nearest_first(city, olga):
    from suishoupai.cases import services

    lat, lng = DAOWAI
    near = create(Client(), lat=lat + 0.0009, lng=lng)  # ~100 m north
    nearer = create(Client(), lat=lat + 0.0003, lng=lng)  # ~33 m north
    far = create(Client(), lat=lat + 0.01, lng=lng)  # ~1.1 km
    unfiled = create(Client(), lat=lat, lng=lng)
    for number in (near["number"], nearer["number"], far["number"]):
        services.accept(Case.objects.get(number=number), olga)
    found = (
        Client()
        .get(f"/api/v1/cases/nearby?lat={lat}&lng={lng}&radius=300&category=sanitation")
        .json()
    )
    assert [c["number"] for c in found] == [nearer["number"], near["number"]]
    assert 25 < found[0]["distance_m"] < 40
    assert unfiled["number"] not in [c["number"] for c in found]
    other_kind = Client().get(f"/api/v1/cases/nearby?lat={lat}&lng={lng}&category=road_damage")
    assert other_kind.json() == []
    assert Client().get("/api/v1/cases/nearby?lat=45&lng=126&radius=99999").status_code == 422


@pytest.mark.django_db
def test_the_staff_queue_filters_by_the_channel_a_report_came_in_by(city, olga, staff_client):
    from suishoupai.cases.models import Case, Channel
    from suishoupai.cases.tests.journeys import report

    hotline, app = report(city), report(city)
    Case.objects.filter(pk=hotline.pk).update(channel=Channel.HOTLINE)
    page = staff_client(olga).get("/api/v1/staff/cases", {"channel": "hotline"}).json()
    assert [c["number"] for c in page["results"]] == [hotline.number]
    assert app.number not in [c["number"] for c in page["results"]]
    assert staff_client(olga).get("/api/v1/staff/cases", {"channel": "fax"}).status_code == 422
