"""Fixtures for the Open311 tests: a 12345 hotline client (hotline) with its key, a
second client (fixmystreet) that must not touch the hotline's cases, and helpers
that speak the wire formats."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from suishoupai import factories as f
from suishoupai.cases import services as cases
from suishoupai.open311 import services
from suishoupai.open311.render import ITEM

BASE = "/open311/v2"
SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "data" / "open311-schemas"
needs_schemas = pytest.mark.skipif(
    not (SCHEMAS / "request.json").exists(),
    reason=f"Open311 schemas not present at {SCHEMAS} (only in the shared workplace)",
)


@pytest.fixture(autouse=True)
def _clock():
    # Requests are listed for the last 90 days by default: keep "now" next to the cases.
    with time_machine.travel(f.WEDNESDAY_9AM, tick=False):
        yield


@pytest.fixture
def hotline(city):
    client, raw = services.issue_client("12345热线平台", channel="hotline", requests_per_hour=50)
    client.raw_key = raw
    return client


@pytest.fixture
def fixmystreet(city):
    client, raw = services.issue_client("FixMyStreet", channel="open311")
    client.raw_key = raw
    return client


@pytest.fixture
def web() -> Client:
    return Client()


def garbage_form(key: str, **extra) -> dict:
    lat, lng = f.DAOWAI
    form = {
        "api_key": key,
        "service_code": "sanitation.exposed_garbage",
        "lat": str(lat),
        "long": str(lng),
        "address_string": "道外区靖宇街100号",
        "description": "路边垃圾堆了三天没人清理",
        "phone": "13800000000",
        "email": "caller@example.com",
        "first_name": "三",
        "last_name": "张",
    }
    return {**form, **extra}


@pytest.fixture
def post(web):
    """post(path, form) → response; form-encoded as the spec says."""

    def send(path: str, form: dict):
        return web.post(f"{BASE}/{path}", form)

    return send


@pytest.fixture
def reported(post, hotline):
    """A case the hotline reported, as its JSON answer."""
    response = post("requests.json", garbage_form(hotline.raw_key))
    assert response.status_code == 200, response.content
    return response.json()[0]


@pytest.fixture
def filed(reported, olga, dora, city):
    """The hotline's report, filed by olga and dispatched by dora to the sanitation centre."""
    from suishoupai.cases.models import Case

    case = Case.objects.get(number=reported["service_request_id"])
    cases.accept(case, olga, note="属实，立案")
    cases.dispatch(case, dora, department=city.city_sanitation.pk, note="请市环卫中心处理")
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------ wire formats


def parse_xml(body: bytes):
    """XML back into the structure the JSON carries (leaves as text, empty → None)."""
    return _element(ET.fromstring(body))


def _element(el):
    if el.tag in ITEM:
        return [_element(child) for child in el]
    children = list(el)
    if children:
        return {child.tag: _element(child) for child in children}
    return el.text if el.text else None


def as_text(value):
    """JSON values as the XML writes them."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@pytest.fixture
def both(web):
    """both(path) → (json data, xml data) after checking status and content types agree."""

    def fetch(path: str, expect: int = 200, **params):
        as_json = web.get(f"{BASE}/{path}.json", params)
        as_xml = web.get(f"{BASE}/{path}.xml", params)
        assert as_json.status_code == expect, as_json.content
        assert as_xml.status_code == expect, as_xml.content
        assert as_json["Content-Type"] == "application/json"
        assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
        data = json.loads(as_json.content)
        assert as_text(data) == parse_xml(as_xml.content)
        return data, parse_xml(as_xml.content)

    return fetch


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@pytest.fixture
def schema():
    """schema(name, data) validates against the shared Open311 JSON schemas."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    if not (SCHEMAS / "request.json").exists():
        pytest.skip(f"Open311 schemas not present at {SCHEMAS} (only in the shared workplace)")
    names = ["request.json", "requests.json", "service.json", "services.json"]
    names.append("service-definition.json")
    registry = Registry().with_resources(
        (n, Resource.from_contents(_load(n), default_specification=DRAFT202012)) for n in names
    )
    swagger = _load("swagger.json")["definitions"]

    def check(name: str, data) -> None:
        if name.startswith("swagger:"):
            contents = {"type": "array", "items": swagger[name.split(":", 1)[1]]}
        else:
            contents = _load(name)
        validator = Draft202012Validator(
            contents, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        validator.validate(data)

    return check
