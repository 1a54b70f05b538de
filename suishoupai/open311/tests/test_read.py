"""The read side: discovery, services, service definitions, requests, tokens.

Every JSON answer is checked against the shared GeoReport v2 schemas, and every
XML answer must carry exactly the data of its JSON twin."""

import json
import re

import pytest

from suishoupai import factories as f
from suishoupai.cases import services as cases
from suishoupai.cases.models import Case
from suishoupai.open311.models import AttributeValue, ServiceAttribute

from .conftest import BASE, garbage_form

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_discovery_names_both_formats_and_the_endpoint(both, city):
    data, _xml = both("discovery")
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert data["contact"] == "市数字城管中心"


def test_each_subcategory_is_a_service_grouped_by_category(both, schema, city):
    data, _xml = both("services")
    schema("services.json", data)
    by_code = {s["service_code"]: s for s in data}
    garbage = by_code["sanitation.exposed_garbage"]
    assert garbage["service_name"] == "暴露垃圾"
    assert garbage["group"] == "环境卫生"
    assert garbage["type"] == "realtime"
    # It has filing conditions, offered as an attribute.
    assert garbage["metadata"] is True
    assert by_code["road_damage.pothole"]["group"] == "道路破损"


def test_a_category_without_subcategories_is_a_service_of_its_own(both, schema, city):
    f.CategoryFactory(code="greening", name="园林绿化")
    data, _xml = both("services")
    schema("services.json", data)
    greening = next(s for s in data if s["service_code"] == "greening")
    assert greening["metadata"] is False
    assert greening["group"] == "园林绿化"


def test_inactive_subcategories_are_not_offered(both, city):
    city.pothole.subcategory.__class__.objects.filter(code="road_damage.pothole").update(
        active=False
    )
    data, _xml = both("services")
    assert "road_damage.pothole" not in {s["service_code"] for s in data}
    both("services/road_damage.pothole", expect=404)


def test_service_definition_offers_filing_conditions_and_configured_attributes(both, schema, city):
    sub = city.garbage.subcategory
    size = ServiceAttribute.objects.create(
        subcategory=sub,
        code="size",
        datatype="singlevaluelist",
        required=True,
        description="垃圾有多少？",
        order=1,
    )
    AttributeValue.objects.create(attribute=size, key="small", name="一袋以内", order=1)
    AttributeValue.objects.create(attribute=size, key="large", name="成堆", order=2)
    ServiceAttribute.objects.create(
        subcategory=sub, code="seen_at", datatype="datetime", description="何时发现？", order=2
    )
    data, xml = both("services/sanitation.exposed_garbage")
    schema("service-definition.json", data)
    assert data["service_code"] == "sanitation.exposed_garbage"
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["condition", "size", "seen_at"]
    condition = data["attributes"][0]
    assert condition["datatype"] == "singlevaluelist"
    assert condition["values"] == [
        {"key": "sanitation.exposed_garbage.visible", "name": "主次干道暴露垃圾1处以上"}
    ]
    assert [a["order"] for a in data["attributes"]] == [1, 2, 3]
    assert data["attributes"][1]["values"][1] == {"key": "large", "name": "成堆"}
    assert "values" not in data["attributes"][2]
    assert xml["attributes"][1]["required"] == "true"


def test_unknown_service_definition_is_404_in_open311_form(both, city):
    data, xml = both("services/no_such_thing", expect=404)
    assert data[0]["code"] == 404
    assert "no_such_thing" in data[0]["description"]
    assert xml[0]["code"] == "404"


def test_requests_list_public_cases_with_every_field(both, schema, filed, city):
    data, _xml = both("requests")
    schema("requests.json", data)
    [item] = data
    assert item["service_request_id"] == filed.number
    assert item["status"] == "open"
    assert item["status_notes"] == "请市环卫中心处理"
    assert item["service_code"] == "sanitation.exposed_garbage"
    assert item["service_name"] == "暴露垃圾"
    assert item["agency_responsible"] == "市环卫中心"
    assert item["service_notice"] == "垃圾清理干净"
    assert item["address"] == "道外区靖宇街100号"
    assert (item["lat"], item["long"]) == f.DAOWAI
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[name]), item[name]
    assert item["requested_datetime"] == "2026-11-25T09:00:00+08:00"
    # No photo has a public derivative yet; originals are never offered.
    assert item["media_url"] is None


def test_personal_data_never_appears(web, filed, hotline):
    for path in ("requests.json", "requests.xml", f"requests/{filed.number}.json"):
        body = web.get(f"{BASE}/{path}", {"api_key": hotline.raw_key}).content.decode()
        for secret in ("13800000000", "caller@example.com", "张"):
            assert secret not in body


def test_unfiled_reports_are_hidden_from_the_public_but_not_from_their_client(
    web, reported, hotline, fixmystreet
):
    number = reported["service_request_id"]
    assert web.get(f"{BASE}/requests/{number}.json").status_code == 404
    assert web.get(f"{BASE}/requests.json").json() == []
    others = web.get(f"{BASE}/requests/{number}.json", {"api_key": fixmystreet.raw_key})
    assert others.status_code == 404
    own = web.get(f"{BASE}/requests/{number}.json", {"api_key": hotline.raw_key})
    assert own.status_code == 200
    assert own.json()[0]["status"] == "open"
    assert own.json()[0]["agency_responsible"] is None


def test_a_declined_report_reads_closed_with_the_reason_for_its_client(
    web, reported, hotline, olga
):
    case = Case.objects.get(number=reported["service_request_id"])
    cases.reject(case, olga, reason="不属于城管受理范围，请拨打物业电话")
    item = web.get(f"{BASE}/requests/{case.number}.json", {"api_key": hotline.raw_key}).json()[0]
    assert item["status"] == "closed"
    assert item["status_notes"] == "不属于城管受理范围，请拨打物业电话"
    assert item["expected_datetime"] is None


def test_requests_by_id_list_override_the_other_filters(both, filed):
    data, _xml = both(
        "requests", service_request_id=f"{filed.number}, nope", status="closed", start_date="2001"
    )
    assert [r["service_request_id"] for r in data] == [filed.number]


def test_requests_filter_by_service_code_and_status(both, filed, city):
    data, _ = both("requests", service_code="road_damage.pothole")
    assert data == []
    data, _ = both("requests", service_code="sanitation.exposed_garbage,road_damage.pothole")
    assert len(data) == 1
    assert both("requests", status="closed")[0] == []
    assert len(both("requests", status="open")[0]) == 1
    assert len(both("requests", status="open,closed")[0]) == 1


def test_requests_window_defaults_to_the_last_90_days(both, filed, time_machine):
    time_machine.move_to("2027-02-22T09:00:00+08:00")  # 89 days later
    assert len(both("requests")[0]) == 1
    time_machine.move_to("2027-02-24T09:00:00+08:00")  # 91 days later
    assert both("requests")[0] == []
    assert len(both("requests", start_date="2026-11-25T00:00:00+08:00")[0]) == 1


def test_requests_dates_in_w3c_with_offset_or_z(both, filed):
    found = both("requests", start_date="2026-11-25T00:59:00Z", end_date="2026-11-25T01:01:00Z")
    assert len(found[0]) == 1
    none = both("requests", start_date="2026-11-25T01:01:00Z", end_date="2026-11-26T00:00:00Z")
    assert none[0] == []


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
        ({"start_date": "2026-11-25", "end_date": "2026-11-01"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "no_such_service"}, "no_such_service"),
    ],
)
def test_bad_request_filters_are_400_with_a_reason(both, city, params, words):
    data, xml = both("requests", expect=400, **params)
    assert data[0]["code"] == 400
    assert words in data[0]["description"]
    assert xml[0]["description"] == data[0]["description"]


def test_unknown_request_is_404(both, city):
    data, _ = both("requests/20261125-9999", expect=404)
    assert data[0]["code"] == 404


def test_a_token_leads_to_the_request(both, schema, reported):
    data, _ = both(f"tokens/{reported['token']}")
    schema("swagger:TokenResponse", data)
    assert data == [
        {"service_request_id": reported["service_request_id"], "token": reported["token"]}
    ]
    both("tokens/not-a-token", expect=404)


@pytest.mark.parametrize(
    "path", ["services.html", "services", "requests.yaml", "discovery.csv", "nothing/here.json"]
)
def test_unknown_format_or_endpoint_is_404_as_open311_xml(web, city, path):
    response = web.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code><description>" in response.content


def test_a_bad_key_on_a_read_is_refused_not_ignored(web, city):
    response = web.get(f"{BASE}/services.json", {"api_key": "o311_wrong"})
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_errors_speak_english_when_asked(web, city):
    response = web.get(f"{BASE}/requests/nope.json", {"lang": "en"})
    assert response.json()[0]["description"] == "No such service request: “nope”."


def test_wrong_method_is_405(web, city, hotline):
    response = web.post(f"{BASE}/services.json", garbage_form(hotline.raw_key))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert web.head(f"{BASE}/services.json").status_code == 200


def test_reads_without_a_key_are_rate_limited_per_address(web, city, monkeypatch):
    from suishoupai.open311 import views

    limits = {"catalog": 2, "lookup": 5, "search": 1}
    monkeypatch.setattr(views, "ANONYMOUS_READS_PER_HOUR", limits)
    assert [web.get(f"{BASE}/services.json").status_code for _ in range(3)] == [200, 200, 429]
    assert web.get(f"{BASE}/services.xml").content.count(b"<code>429</code>") == 1


def test_each_kind_of_read_has_its_own_anonymous_limit(web, city, monkeypatch):
    from suishoupai.open311 import views

    limits = {"catalog": 2, "lookup": 5, "search": 1}
    monkeypatch.setattr(views, "ANONYMOUS_READS_PER_HOUR", limits)
    # Searches are spent after one; the service list still answers, and the other way round.
    assert [web.get(f"{BASE}/requests.json").status_code for _ in range(2)] == [200, 429]
    assert [web.get(f"{BASE}/services.json").status_code for _ in range(3)] == [200, 200, 429]
    assert web.get(f"{BASE}/requests/20260101-0001.json").status_code == 404


def test_listing_requests_costs_the_same_queries_for_one_case_or_many(
    web, post, hotline, olga, django_assert_max_num_queries
):
    def file_all():
        for case in Case.objects.filter(state="submitted"):
            cases.accept(case, olga)

    post("requests.json", garbage_form(hotline.raw_key))
    file_all()
    web.get(f"{BASE}/requests.json")  # the rate limiter's counter exists from now on
    with django_assert_max_num_queries(30) as one:
        assert len(web.get(f"{BASE}/requests.json").json()) == 1
    # Count now: the next request resets Django's query log.
    queries_for_one = len(one.captured_queries)
    for _ in range(5):
        post("requests.json", garbage_form(hotline.raw_key))
    file_all()
    with django_assert_max_num_queries(queries_for_one):
        assert len(web.get(f"{BASE}/requests.json").json()) == 6


def test_media_url_is_the_absolute_url_of_the_public_copy(
    both, schema, web, city, olga, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from django.test import Client
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://ssp.example.cn/"
    jpeg = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 130, 140)).save(jpeg, "JPEG")
    jpeg.seek(0)
    jpeg.name = "garbage.jpg"
    lat, lng = f.DAOWAI
    form = {"category": "sanitation", "description": "路边垃圾", "lat": lat, "lng": lng}
    with django_capture_on_commit_callbacks(execute=True):
        created = Client().post("/api/v1/cases", {**form, "photos": [jpeg]})
    assert created.status_code == 201, created.content
    case = Case.objects.get(number=created.json()["number"])
    cases.accept(case, olga)
    photo = case.photos.get()

    data, _xml = both(f"requests/{case.number}")
    schema("requests.json", data)
    url = data[0]["media_url"]
    path = f"/media/public/{photo.uuid}.webp?v={photo.revision}"
    assert url == f"https://ssp.example.cn{path}"
    # It leads to the copy, not the original.
    served = web.get(path)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"


def test_a_repeated_search_is_answered_from_the_cache_until_a_case_moves(
    web, filed, carl, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # A partner's map polls the same search every few seconds: the second answer is the
    # first one's bytes, read from the cache, and the next event on any case is seen at once.
    settings.OPEN311_CACHE_SECONDS = 60
    first = web.get(f"{BASE}/requests.json")
    with django_assert_max_num_queries(8):  # the rate limit and the cache, no case read
        again = web.get(f"{BASE}/requests.json")
    assert again.content == first.content
    assert web.get(f"{BASE}/requests.xml").content != first.content  # its own answer
    with django_capture_on_commit_callbacks(execute=True):
        cases.take(filed, carl)
    moved = web.get(f"{BASE}/requests.json").json()
    assert moved != json.loads(first.content)


def test_a_saved_case_or_photo_starts_a_new_generation_of_answers(
    settings, filed, django_capture_on_commit_callbacks
):
    # A photo hidden by staff (or its public copy made) is saved, not an event: the cached
    # answers that showed it must go at once all the same.
    from suishoupai.open311 import answers
    from suishoupai.photos.models import Photo

    settings.OPEN311_CACHE_SECONDS = 60
    computed = []

    def answer() -> bytes:
        return answers.cached(["search"], lambda: computed.append(1) or b"answer")

    assert answer() == answer() == b"answer" and len(computed) == 1
    with django_capture_on_commit_callbacks(execute=True):
        photo = Photo.objects.create(
            case=filed, kind="report", content_type="image/jpeg", extension="jpg", size=1,
            width=1, height=1, sha256="0" * 64, created_at=filed.created_at,
        )  # fmt: skip
        assert answer() == b"answer" and len(computed) == 1  # not committed yet: the old one
    assert answer() == b"answer" and len(computed) == 2
    with django_capture_on_commit_callbacks(execute=True):
        photo.hidden = True
        photo.save(update_fields=["hidden"])
    answer()
    with django_capture_on_commit_callbacks(execute=True):
        filed.save()
    answer()
    assert len(computed) == 4
