"""POST requests.{fmt}: a client's report becomes a submitted case, marked with the
key's channel; every refusal is a clear Open311 error and stores nothing."""

import pytest

from suishoupai.cases.models import Case, CaseEvent
from suishoupai.open311 import services
from suishoupai.open311.models import ClientRequest, KeyUse, ServiceAttribute
from suishoupai.org.models import hash_token

from .conftest import BASE, garbage_form, parse_xml


def test_a_hotline_report_becomes_a_case_marked_as_hotline(post, schema, hotline, city):
    response = post("requests.json", garbage_form(hotline.raw_key))
    assert response.status_code == 200
    data = response.json()
    schema("swagger:RequestResponse", data)
    case = Case.objects.get(number=data[0]["service_request_id"])
    assert case.channel == "hotline"
    assert case.state == "submitted"
    assert case.subcategory.code == "sanitation.exposed_garbage"
    assert case.reporter_phone == "13800000000"
    assert case.address == "道外区靖宇街100号"
    assert case.suggested_department == city.city_sanitation
    link = case.open311_request
    assert (link.client, link.email, link.last_name) == (hotline, "caller@example.com", "张")
    assert data[0]["token"] == link.token
    assert "受理" in data[0]["service_notice"]
    submitted = CaseEvent.objects.get(case=case, action="case.submitted")
    assert submitted.data == {"channel": "hotline"}


def test_xml_answer_carries_the_same_fields(post, hotline, city):
    response = post("requests.xml", garbage_form(hotline.raw_key))
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    [item] = parse_xml(response.content)
    assert set(item) == {"service_request_id", "token", "service_notice", "account_id"}
    assert Case.objects.filter(number=item["service_request_id"]).exists()


def test_the_key_is_stored_only_as_a_hash_and_its_use_is_recorded(post, hotline, city):
    assert hotline.raw_key.startswith(hotline.prefix)
    assert hotline.key_hash == hash_token(hotline.raw_key)
    post("requests.json", garbage_form(hotline.raw_key))
    hotline.refresh_from_db()
    assert hotline.last_used_at is not None
    use = KeyUse.objects.get(client=hotline)
    assert (use.action, use.status) == ("request.create", 200)
    assert use.case_number == Case.objects.get().number


@pytest.mark.parametrize(
    ("key", "words"),
    [(None, "required"), ("o311_not-a-real-key", "not valid")],
)
def test_missing_or_bad_key_is_403(post, city, key, words):
    form = garbage_form(key or "")
    if key is None:
        del form["api_key"]
    response = post("requests.json?lang=en", form)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert words in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_revoked_or_suspended_key_is_403(post, hotline, fixmystreet):
    services.revoke(hotline)
    fixmystreet.active = False
    fixmystreet.save()
    for client in (hotline, fixmystreet):
        response = post("requests.xml", garbage_form(client.raw_key))
        assert response.status_code == 403
        assert parse_xml(response.content)[0]["code"] == "403"
    assert not Case.objects.exists()


def _refused(post, key, expect=400, **fields):
    response = post("requests.json", garbage_form(key, **fields))
    assert response.status_code == expect, response.content
    assert not Case.objects.exists()
    assert not ClientRequest.objects.exists()
    return response.json()[0]["description"]


def test_unknown_service_is_400(post, hotline):
    assert "no_such" in _refused(post, hotline.raw_key, service_code="no_such")


@pytest.mark.parametrize(
    ("lat", "long"),
    [("91", "126.6"), ("45.7", "181"), ("north", "126.6"), ("nan", "126.6"), ("45.7", "")],
)
def test_bad_lat_long_is_400(post, hotline, lat, long):
    _refused(post, hotline.raw_key, lat=lat, long=long)


def test_an_address_alone_is_refused_because_we_cannot_place_it(post, hotline):
    words = _refused(post, hotline.raw_key, lat="", long="")
    assert "lat" in words and "long" in words


def test_a_place_outside_the_served_area_is_400(post, hotline):
    _refused(post, hotline.raw_key, lat="39.9", long="116.4")  # Beijing


def test_description_is_required_and_at_most_4000_characters(post, hotline):
    _refused(post, hotline.raw_key, description="  ")
    assert "4000" in _refused(post, hotline.raw_key, description="垃" * 4001)


def test_a_long_description_is_kept_whole_and_the_client_is_told(post, web, hotline, olga):
    text = "垃圾" * 1500  # 3000 characters
    data = post("requests.json", garbage_form(hotline.raw_key, description=text)).json()[0]
    case = Case.objects.get(number=data["service_request_id"])
    assert len(case.description) == 2000
    assert case.description.endswith("…")
    assert case.open311_request.description == text
    assert "2000" in data["service_notice"]
    read = web.get(f"{BASE}/requests/{case.number}.json", {"api_key": hotline.raw_key})
    assert read.json()[0]["description"] == text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address_string", "街" * 201),
        ("phone", "1" * 33),
        ("email", "not-an-email"),
        ("media_url", "javascript:alert(1)"),
        ("first_name", "名" * 101),
    ],
)
def test_over_long_or_malformed_contact_fields_are_400(post, hotline, field, value):
    assert field in _refused(post, hotline.raw_key, **{field: value})


def test_media_url_is_kept_as_a_reference_and_never_published(post, web, hotline, filed):
    form = garbage_form(hotline.raw_key, media_url="https://hotline.example/photo/1.jpg")
    number = post("requests.json", form).json()[0]["service_request_id"]
    link = ClientRequest.objects.get(case__number=number)
    assert link.media_url == "https://hotline.example/photo/1.jpg"
    body = web.get(f"{BASE}/requests.json", {"api_key": hotline.raw_key}).content
    assert b"hotline.example" not in body


def test_attributes_are_checked_against_the_service_definition(post, hotline, city):
    sub = city.garbage.subcategory
    ServiceAttribute.objects.create(
        subcategory=sub, code="bags", datatype="number", required=True, description="几袋？"
    )
    key = hotline.raw_key
    assert "bags" in _refused(post, key)
    assert "bags" in _refused(post, key, **{"attribute[bags]": "many"})
    assert "colour" in _refused(post, key, **{"attribute[bags]": "3", "attribute[colour]": "red"})
    assert "condition" in _refused(
        post, key, **{"attribute[bags]": "3", "attribute[condition]": "x"}
    )
    form = garbage_form(
        key,
        **{"attribute[bags]": "3", "attribute[condition]": "sanitation.exposed_garbage.visible"},
    )
    assert post("requests.json", form).status_code == 200
    link = ClientRequest.objects.get()
    assert link.attributes == {"condition": "sanitation.exposed_garbage.visible", "bags": 3.0}


def test_multivaluelist_takes_several_values(post, hotline, city):
    attr = ServiceAttribute.objects.create(
        subcategory=city.garbage.subcategory,
        code="kinds",
        datatype="multivaluelist",
        description="什么垃圾？",
    )
    attr.values.create(key="food", name="厨余")
    attr.values.create(key="bulky", name="大件")
    form = garbage_form(hotline.raw_key)
    form["attribute[kinds][]"] = ["food", "bulky"]
    assert post("requests.json", form).status_code == 200
    assert ClientRequest.objects.get().attributes == {"kinds": ["food", "bulky"]}


def test_a_key_is_rate_limited_per_hour_with_429(post, hotline, settings):
    hotline.requests_per_hour = 2
    hotline.save()
    for _ in range(2):
        assert post("requests.json", garbage_form(hotline.raw_key)).status_code == 200
    response = post("requests.xml", garbage_form(hotline.raw_key))
    assert response.status_code == 429
    assert parse_xml(response.content)[0]["code"] == "429"
    assert Case.objects.count() == 2


def test_refused_writes_are_audited_too(post, hotline):
    post("requests.json", garbage_form(hotline.raw_key, service_code="nope"))
    use = KeyUse.objects.get()
    assert (use.status, use.case_number) == (400, "")
    assert "nope" in use.message
