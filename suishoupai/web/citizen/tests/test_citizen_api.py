"""The citizen channel's server side: idempotent retries, me too, honeypot, limits, places,
phone confirmation, and what public pages never show."""

import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from PIL import Image

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.links import reporter_grant
from suishoupai.cases.models import Case, CaseEvent, CaseSupport
from suishoupai.cases.selectors import CaseFilter, staff_queue
from suishoupai.factories import DAOWAI, WEDNESDAY_9AM
from suishoupai.notify.models import Message
from suishoupai.photos.models import Photo
from suishoupai.places.coords import wgs84_to_gcj02
from suishoupai.places.models import AreaLevel
from suishoupai.web.citizen import services as phone_services
from suishoupai.web.citizen.models import PhoneCode

pytestmark = pytest.mark.django_db

KEY = "k" * 20 + "retry-me"
DEVICE = "d" * 32


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def form(**overrides) -> dict:
    lat, lng = DAOWAI
    body = {
        "category": "sanitation",
        "description": "路边堆放生活垃圾",
        "lat": str(lat),
        "lng": str(lng),
        "address": "道外区靖宇街",
        "phone": "13800000000",
    }
    body.update(overrides)
    return body


def post(client: Client, url: str, body: dict, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def report(client: Client, expect: int = 201, **overrides) -> dict:
    response = client.post("/api/v1/cases", form(**overrides))
    assert response.status_code == expect, response.content
    return response.json()


def sent_code(message) -> str:
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.body)
    assert found, message.body
    return found.group(1)


def open_case(olga, dora) -> Case:
    case, _token = services.submit(
        services.Report(category="sanitation", description="垃圾", lat=DAOWAI[0], lng=DAOWAI[1])
    )
    services.accept(case, olga)
    return Case.objects.get(pk=case.pk)


# ---------------------------------------------------------------- idempotency


def test_a_retried_upload_with_the_same_key_gives_one_case_and_the_same_token(city):
    client = Client()
    first = client.post("/api/v1/cases", form(), headers={"Idempotency-Key": KEY}).json()
    again = client.post(
        "/api/v1/cases",
        {**form(), "photos": [io.BytesIO(jpeg())]},
        headers={"Idempotency-Key": KEY},
    ).json()
    assert again["number"] == first["number"]
    assert again["tracking_token"] == first["tracking_token"]
    assert Case.objects.count() == 1
    assert Photo.objects.count() == 0  # the retry's photos are not attached a second time
    follow = client.get(
        f"/api/v1/cases/{first['number']}/private",
        headers={"X-Case-Token": again["tracking_token"]},
    )
    assert follow.status_code == 200


def test_the_key_may_come_as_a_form_field_and_other_keys_make_other_cases(city):
    client = Client()
    a = report(client, idempotency_key=KEY)
    b = report(client, idempotency_key=KEY)
    c = report(client, idempotency_key="another-key-0123456789")
    assert a["number"] == b["number"] != c["number"]
    assert Case.objects.count() == 2


def test_the_database_keeps_only_a_hash_of_the_key(city):
    report(Client(), idempotency_key=KEY)
    assert Case.objects.get().client_ref not in ("", None, KEY)


def test_a_short_guessable_key_is_refused_and_nothing_is_stored(city):
    body = report(Client(), expect=400, idempotency_key="1")
    assert body["errors"][0]["field"] == "idempotency_key"
    assert Case.objects.count() == 0


def test_a_report_without_a_key_still_works_every_time(city):
    client = Client()
    report(client)
    report(client)
    assert Case.objects.count() == 2


# ---------------------------------------------------------------- me too


def test_me_too_counts_once_per_device_and_shows_on_public_views(city, olga, dora):
    case = open_case(olga, dora)
    client = Client()
    url = f"/api/v1/cases/{case.number}/support"
    first = post(client, url, {"device": DEVICE}).json()
    second = post(client, url, {"device": DEVICE}).json()
    other = post(client, url, {"device": "e" * 32, "phone": "13900000000"}).json()
    assert (first["counted"], second["counted"], other["counted"]) == (True, False, True)
    assert other["support_count"] == 2
    assert CaseSupport.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, action="case.supported").count() == 2
    public = client.get(f"/api/v1/cases/{case.number}").json()
    assert public["support_count"] == 2
    assert "13900000000" not in json.dumps(public)


def test_me_too_is_refused_for_a_case_not_yet_filed(city):
    created = report(Client())
    response = post(Client(), f"/api/v1/cases/{created['number']}/support", {"device": DEVICE})
    # Not filed yet: not public, so it is not found at all.
    assert response.status_code == 404
    assert CaseSupport.objects.count() == 0


def test_me_too_is_refused_for_a_closed_case(city, olga):
    case = open_case(olga, None)
    services.void(case, _lead(city), reason="误报")
    with pytest.raises(Exception) as exc:
        services.support(case, device=DEVICE)
    assert getattr(exc.value, "status", None) == 409


def _lead(city):
    from suishoupai.factories import UserFactory
    from suishoupai.org.models import Role

    return UserFactory(username="leo2", role=Role.SHIFT_LEAD, department=city.centre)


# ---------------------------------------------------------------- honeypot and limits


def test_a_filled_honeypot_is_refused_quietly_and_nothing_is_stored(city):
    response = Client().post(
        "/api/v1/cases", {**form(website="http://spam.example"), "photos": [io.BytesIO(jpeg())]}
    )
    assert response.status_code == 400
    assert "website" not in response.content.decode()
    assert Case.objects.count() == 0
    assert Photo.objects.count() == 0


def test_too_many_reports_from_one_address_get_a_429_in_chinese(city, settings):
    client = Client()
    for _ in range(20):
        report(client, phone="")
    response = client.post("/api/v1/cases", form(phone=""))
    assert response.status_code == 429
    assert "稍后" in response.json()["detail"]
    assert Case.objects.count() == 20


def test_one_phone_number_is_limited_across_addresses(city):
    for i in range(10):
        report(Client(REMOTE_ADDR=f"10.0.0.{i}"))
    response = Client(REMOTE_ADDR="10.0.1.1").post("/api/v1/cases", form())
    assert response.status_code == 429


def test_me_too_and_rating_are_rate_limited(city, olga, dora):
    case = open_case(olga, dora)
    client = Client()
    url = f"/api/v1/cases/{case.number}/support"
    codes = [post(client, url, {"device": f"{i:032d}"}).status_code for i in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429
    rating = [
        post(client, "/api/v1/cases/x/rating", {"rating": "satisfied"}).status_code
        for _ in range(31)
    ]
    assert rating[:30] == [404] * 30 and rating[30] == 429


def test_validation_errors_name_their_field_in_chinese(city):
    body = report(Client(), expect=422, description="", phone="abc")
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) >= {"description", "phone"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in fields.values())


# ---------------------------------------------------------------- places


def test_the_preview_names_the_department_and_district(city):
    lat, lng = DAOWAI
    body = Client().get(f"/api/v1/cases/preview?category=sanitation&lat={lat}&lng={lng}").json()
    assert body["in_service"] is True
    assert body["district"]["name"] == "道外区"
    assert body["department"] == "市环卫中心"


def test_a_place_outside_the_served_area_gets_a_clear_message_before_and_on_sending(city):
    body = Client().get("/api/v1/cases/preview?lat=39.9&lng=116.4").json()
    assert body["in_service"] is False
    assert "服务" in body["message"] or "范围" in body["message"]
    sent = report(Client(), expect=400, lat="39.9", lng="116.4")
    assert sent["errors"][0]["field"] == "lat"
    assert Case.objects.count() == 0


def test_the_preview_converts_gcj02_pins_from_amap_tiles(city):
    lat, lng = DAOWAI
    body = Client().get(f"/api/v1/cases/preview?lat={lat}&lng={lng}&coord_system=gcj02").json()
    assert abs(body["lat"] - lat) > 1e-4 or abs(body["lng"] - lng) > 1e-4


def test_district_outlines_are_small_geojson_of_served_districts(city):
    response = Client().get("/m/districts.geojson")
    assert response.status_code == 200
    names = {f["properties"]["name"] for f in response.json()["features"]}
    assert names == {"道外区", "南岗区"}
    assert "public" in response["Cache-Control"]


def _street(city, code: str, name: str, west: float, east: float, north: float = 45.80):
    return f.AreaFactory(
        code=code,
        name=name,
        level=AreaLevel.STREET,
        parent=city.daowai,
        geometry=f.square(west, 45.76, east, north),
        min_lng=west,
        min_lat=45.76,
        max_lng=east,
        max_lat=north,
    )


def test_the_pin_is_named_by_its_district_and_the_street_that_holds_it(city):
    _street(city, "230104001", "靖宇街道", 126.60, 126.65)
    body = Client().get("/m/api/place?lat=45.78&lng=126.62").json()
    assert body == {
        "in_service": True,
        "district": {"code": "230104", "name": "道外区", "name_en": ""},
        "street": {"code": "230104001", "name": "靖宇街道", "name_en": "", "distance_m": 0},
    }


def test_a_pin_just_outside_every_street_is_named_by_the_nearest_with_its_distance(city):
    _street(city, "230104001", "靖宇街道", 126.60, 126.65)
    _street(city, "230104002", "太古街道", 126.66, 126.70, north=45.78)
    body = Client().get("/m/api/place?lat=45.77&lng=126.652").json()
    assert body["street"]["name"] == "靖宇街道"
    assert 150 <= body["street"]["distance_m"] <= 162
    far = Client().get("/m/api/place?lat=45.79&lng=126.69").json()  # > 300 m from both
    assert far["district"]["name"] == "道外区" and far["street"] is None


def test_a_pin_on_amap_tiles_is_converted_before_naming(city):
    _street(city, "230104001", "靖宇街道", 126.60, 126.65)
    # 40 m inside the street's east edge; on 高德's GCJ-02 tiles the same spot is drawn
    # some 500 m further east, outside the street if it were taken as WGS-84.
    lat, lng = wgs84_to_gcj02(45.78, 126.6495)
    assert lng - 126.6495 > 0.004
    as_gcj = Client().get(f"/m/api/place?lat={lat}&lng={lng}&coord_system=gcj02").json()
    assert as_gcj["street"]["distance_m"] == 0
    as_wgs = Client().get(f"/m/api/place?lat={lat}&lng={lng}").json()
    assert as_wgs["street"] is None or as_wgs["street"]["distance_m"] > 0


def test_a_bad_position_gets_a_clear_message(city):
    for query in ("", "lat=abc&lng=126.6", "lat=95&lng=126.6", "lat=45.7&lng=126.6&coord_system=x"):
        response = Client().get("/m/api/place?" + query)
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["field"] in ("lat", "coord_system")
    assert "位置" in Client().get("/m/api/place?lat=abc&lng=1").json()["detail"]


def test_street_outlines_are_served_and_the_page_knows_there_are_some(city):
    assert '"streets": false' in Client().get("/m/").content.decode()
    _street(city, "230104001", "靖宇街道", 126.60, 126.65)
    response = Client().get("/m/streets.geojson")
    assert [f["properties"]["name"] for f in response.json()["features"]] == ["靖宇街道"]
    assert '"streets": true' in Client().get("/m/").content.decode()


# ---------------------------------------------------------------- phone confirmation


def test_a_confirmed_phone_sees_its_cases_from_another_device(city):
    created = report(Client(), phone="13800000000")
    other_device = Client()
    assert post(other_device, "/m/api/phone/code", {"phone": "138 0000 0000"}).status_code == 200
    sms = Message.objects.get(kind="citizen.phone_code")
    code = sent_code(sms)
    stored = PhoneCode.objects.get()
    assert code not in stored.code_hash
    confirm = {"phone": "13800000000", "code": code}
    assert post(other_device, "/m/api/phone/confirm", confirm).status_code == 200
    mine = post(other_device, "/m/api/mine", {"cases": []}).json()
    assert [c["number"] for c in mine["cases"]] == [created["number"]]
    assert mine["phone"] == "138****0000"
    own = other_device.get(f"/m/api/cases/{created['number']}")
    assert own.status_code == 200


def test_a_code_works_once_and_wrong_guesses_use_up_its_tries(city):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        phone_services.send_code("13800000000")
        for _ in range(5):
            with pytest.raises(Exception, match="不正确"):
                phone_services.confirm_code("13800000000", "000000x")
        assert PhoneCode.objects.get().attempts == 5
        with pytest.raises(Exception, match="失效"):
            phone_services.confirm_code("13800000000", "000000x")


def test_a_code_expires(city):
    with time_machine.travel(WEDNESDAY_9AM, tick=False) as traveller:
        phone_services.send_code("13800000000")
        sms = Message.objects.get(kind="citizen.phone_code")
        code = sent_code(sms)
        traveller.shift(timedelta(minutes=11))
        with pytest.raises(Exception, match="失效"):
            phone_services.confirm_code("13800000000", code)


def test_sending_codes_is_rate_limited_per_phone(city):
    codes = [
        post(Client(REMOTE_ADDR=f"10.1.0.{i}"), "/m/api/phone/code", {"phone": "13800000000"})
        for i in range(6)
    ]
    assert [r.status_code for r in codes] == [200] * 5 + [429]


def test_without_token_or_confirmed_phone_the_case_is_not_found(city):
    created = report(Client())
    assert Client().get(f"/m/api/cases/{created['number']}").status_code == 404
    wrong = Client().get(f"/m/api/cases/{created['number']}", headers={"X-Case-Token": "nope"})
    assert wrong.status_code == 404
    right = Client().get(
        f"/m/api/cases/{created['number']}", headers={"X-Case-Token": created["tracking_token"]}
    )
    assert right.status_code == 200
    assert right.json()["state_words"]


def test_the_signed_link_of_a_message_opens_that_case_and_lets_its_reporter_rate(
    city, olga, leo, dora, carl, ivan
):
    created = report(Client())
    case = Case.objects.get(number=created["number"])
    for step in (
        lambda: services.accept(case, olga),
        lambda: services.dispatch(case, dora),
        lambda: services.take(case, carl),
        lambda: services.feedback(case, carl, note="已清运"),
        lambda: services.verify_pass(case, ivan),
        lambda: services.close(case, leo),
    ):
        step()
    grant = reporter_grant(case.number)
    other = report(Client())["number"]
    headers = {"X-Case-Grant": grant}
    assert Client().get(f"/m/api/cases/{case.number}", headers=headers).status_code == 200
    assert Client().get(f"/m/api/cases/{other}", headers=headers).status_code == 404
    body = {"rating": "satisfied", "stars": 5}
    rated = post(Client(), f"/m/api/cases/{case.number}/rating", body, **headers)
    assert rated.status_code == 200, rated.content
    case.refresh_from_db()
    assert case.rating == "satisfied"


def test_an_expired_or_forged_link_opens_nothing(city, settings):
    created = report(Client())
    grant = reporter_grant(created["number"])
    forged = grant[:-2] + "xx"
    assert (
        Client()
        .get(f"/m/api/cases/{created['number']}", headers={"X-Case-Grant": forged})
        .status_code
        == 404
    )
    with time_machine.travel(timedelta(days=settings.REPORTER_LINK_DAYS, minutes=1)):
        expired = Client().get(f"/m/api/cases/{created['number']}", headers={"X-Case-Grant": grant})
    assert expired.status_code == 404


# ---------------------------------------------------------------- rating and the shift lead


def test_an_unsatisfied_rating_waits_in_the_shift_leads_queue_until_a_call_back(
    city, olga, leo, dora, carl, ivan
):
    created = report(Client())
    case = Case.objects.get(number=created["number"])
    services.accept(case, olga)
    services.dispatch(case, dora)
    services.take(case, carl)
    services.feedback(case, carl, note="已清运")
    services.verify_pass(case, ivan)
    services.close(case, leo)
    client = Client()
    url = f"/m/api/cases/{case.number}/rating"
    headers = {"X-Case-Token": created["tracking_token"]}
    body = {"rating": "unsatisfied", "stars": 1, "comment": "没清干净"}
    rated = post(client, url, body, **headers)
    assert rated.status_code == 200, rated.content
    queue = staff_queue(leo, CaseFilter(), todo=True)
    assert case.number in [c.number for c in queue]
    services.callback(case, leo, result="unsatisfied", note="已解释")
    assert case.number not in [c.number for c in staff_queue(leo, CaseFilter(), todo=True)]


# ---------------------------------------------------------------- privacy


def test_public_pages_and_lists_never_show_the_reporters_phone(city, olga, dora):
    created = report(Client(), phone="13812345678")
    services.accept(Case.objects.get(number=created["number"]), olga)
    client = Client()
    for url in (
        f"/api/v1/cases/{created['number']}",
        "/api/v1/cases",
        f"/api/v1/cases/nearby?lat={DAOWAI[0]}&lng={DAOWAI[1]}",
        "/",
        "/m/",
    ):
        body = client.get(url).content.decode()
        assert "13812345678" not in body, url
        assert created["tracking_token"] not in body, url


def test_the_qr_code_is_drawn_only_for_links_to_case_pages(city):
    client = Client()
    ok = post(client, "/m/api/qr", {"text": "https://ssp.example/m/cases/20261125-0001#t=abc"})
    assert ok.status_code == 200 and ok.content.startswith(b"<svg")
    assert post(client, "/m/api/qr", {"text": "https://evil.example/"}).status_code == 400


def test_the_pages_render_in_chinese(city):
    client = Client()
    assert "问题类型" in client.get("/m/").content.decode()
    assert client.get("/m/mine").status_code == 200
    assert client.get("/m/cases/20261125-0001").status_code == 200


def test_the_map_uses_the_configured_tiles_and_their_coordinate_system(city, settings):
    page = Client().get("/m/").content.decode()
    assert '"tiles": null' in page  # default: outlines only, no map service needed
    settings.MAP_TILES = "amap"
    assert '"crs": "gcj02"' in Client().get("/m/").content.decode()
    settings.MAP_TILES, settings.TIANDITU_KEY = "tianditu", "k123"
    page = Client().get("/m/").content.decode()
    assert "tk=k123" in page and '"crs": "wgs84"' in page


def test_one_phone_saying_me_too_is_limited_across_devices(city, olga, dora):
    case = open_case(olga, dora)
    url = f"/api/v1/cases/{case.number}/support"
    codes = [
        post(
            Client(REMOTE_ADDR=f"10.2.0.{i}"), url, {"device": f"{i:032d}", "phone": "139"}
        ).status_code
        for i in range(31)
    ]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_the_pages_switch_to_english_on_request(city):
    page = Client().get("/m/?lang=en").content.decode()
    assert "What kind of problem?" in page and "问题类型" not in page
    assert '"me_too": "Me too"' in page  # the scripts' strings follow the page's language


def test_anyone_follows_a_public_case_without_the_reporters_data(client, olga):
    created = report(client)
    case = Case.objects.get(number=created["number"])
    # Not filed yet: not public, whoever asks.
    assert client.get(f"/m/api/public/{case.number}").status_code == 404
    services.accept(case, olga)
    page = client.get(f"/m/api/public/{case.number}")
    assert page.status_code == 200
    data = page.json()
    assert data["public_view"] is True
    assert [e["action"] for e in data["timeline"]] == ["case.submitted", "case.filed"]
    assert data["state_words"]
    assert "13800000000" not in page.content.decode()
    assert "phone" not in data and "tracking_token" not in data


def test_a_case_the_reporter_kept_private_has_no_public_view(client, olga):
    created = report(client, public="false")
    case = Case.objects.get(number=created["number"])
    services.accept(case, olga)
    assert client.get(f"/m/api/public/{case.number}").status_code == 404
