"""What an outside probe broke (issue 17), kept as explicit cases: dates at the ends of
the calendar, stored control characters in XML, the newest updates of a window, and
errors from every layer in the Open311 error format."""

import json
import xml.etree.ElementTree as ET

import pytest

from suishoupai.cases import services as cases
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.open311 import selectors

from .conftest import BASE, garbage_form, parse_xml

EXTREME_DATES = [
    {"start_date": "0001-01-01"},
    {"start_date": "9999-12-31"},
    {"end_date": "0001-01-01"},
    {"end_date": "9999-12-31"},
    {"start_date": "0001-01-01T00:00:00+14:00"},
    {"end_date": "9999-12-31T23:59:59-23:59"},
]


def _open311_error(response, status: int, fmt: str = "json") -> str:
    """The spec's error list in the requested format, whatever layer answered."""
    assert response.status_code == status, response.content
    if fmt == "json":
        assert response["Content-Type"] == "application/json"
        [error] = json.loads(response.content)
        assert error["code"] == status
        return error["description"]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    [error] = parse_xml(response.content)
    assert error["code"] == str(status)
    return error["description"]


@pytest.mark.parametrize("path", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("params", EXTREME_DATES)
def test_dates_at_the_ends_of_the_calendar_are_a_400_not_a_500(web, filed, path, params):
    for fmt in ("json", "xml"):
        response = web.get(f"{BASE}/{path}.{fmt}", params)
        assert response.status_code == 400, (params, response.content)
        _open311_error(response, 400, fmt)


def test_an_update_dated_at_the_end_of_time_is_a_400(post, hotline, filed):
    form = {
        "api_key": hotline.raw_key,
        "service_request_id": filed.number,
        "update_id": "fms-far",
        "status": "OPEN",
        "description": "补充",
        "updated_datetime": "9999-12-31T23:59:59-23:59",
    }
    message = _open311_error(post("servicerequestupdates.json", form), 400)
    assert "updated_datetime" in message


@pytest.mark.parametrize("character", ["\x01", "\x0b", "\x1f", "\ufffe"])
def test_stored_control_characters_never_break_the_xml(web, city, olga, character):
    # Written past the HTTP door (the door refuses them): as legacy data or an import would.
    case, _token = cases.submit(
        cases.Report(
            category="sanitation",
            description=f"路边{character}垃圾",
            lat=45.78,
            lng=126.65,
            address=f"靖宇街{character}1号",
        )
    )
    case = cases.accept(case, olga, note=f"立案{character}")
    for path, shown in [
        (f"requests/{case.number}.xml", "路边垃圾"),
        ("requests.xml", "靖宇街1号"),
        ("servicerequestupdates.xml", "立案"),
    ]:
        response = web.get(f"{BASE}/{path}")
        assert response.status_code == 200, path
        root = ET.fromstring(response.content)  # raises when not well-formed
        text = "".join(root.itertext())
        assert shown in text and character not in text


def test_updates_by_default_are_the_newest_of_the_window_oldest_first(
    web, filed, lily, monkeypatch
):
    for n in range(4):
        cases.urge(filed, lily, note=f"督办{n}")
    events = list(CaseEvent.objects.filter(case=filed, visibility="public").order_by("at", "pk"))
    monkeypatch.setattr(selectors, "MAX_RESULTS", 3)
    data = web.get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["update_id"] for u in data] == [str(e.pk) for e in events[-3:]]


# ------------------------------------------------------------------ errors from every layer


def test_a_nul_in_the_query_is_an_open311_error_in_the_requested_format(web, city):
    _open311_error(web.get(f"{BASE}/requests.xml?a=%00"), 400, "xml")
    _open311_error(web.get(f"{BASE}/requests.json?status=%00"), 400, "json")


@pytest.mark.parametrize(
    "path", ["requests/%00.json", "tokens/%00.json", "services/%00.json", "requests.%00"]
)
def test_a_nul_in_the_path_is_an_open311_error(web, city, path):
    response = web.get(f"{BASE}/{path}")
    fmt = "json" if path.endswith(".json") else "xml"
    assert response.status_code in (400, 404)
    _open311_error(response, response.status_code, fmt)


def test_an_over_long_query_string_is_a_414_in_open311_form(web, city):
    response = web.get(f"{BASE}/requests.json?service_code=" + "x" * 20_000)
    _open311_error(response, 414, "json")


def test_a_huge_description_is_refused_before_it_is_read(web, hotline):
    form = garbage_form(hotline.raw_key, description="垃" * 3_000_000)
    response = web.post(f"{BASE}/requests.json", form)
    assert _open311_error(response, 413)
    assert not Case.objects.exists()


def test_a_multipart_body_without_a_boundary_is_a_400_in_open311_form(web, hotline):
    response = web.generic(
        "POST", f"{BASE}/requests.xml", b"api_key=x", content_type="multipart/form-data"
    )
    _open311_error(response, 400, "xml")


def test_two_thousand_form_fields_are_a_400_in_open311_form(web, hotline):
    form = garbage_form(hotline.raw_key) | {f"f{n}": "x" for n in range(2000)}
    response = web.post(f"{BASE}/requests.json", form)
    _open311_error(response, 400)
    assert not Case.objects.exists()


def test_an_unknown_path_with_a_nul_is_an_open311_error(web, city):
    response = web.get(f"{BASE}/nothing%00here.json")
    assert response.status_code in (400, 404)
    _open311_error(response, response.status_code, "json")
