"""An external check of the read side: the third-party PyPI client `georeport`
(pinned in the dev extras) talks to a live server, over real HTTP, in both formats.

georeport 0.3.1 has no discovery call and cannot create requests (its README says
so); discovery is fetched with `requests`, the HTTP library georeport itself uses,
and parsed with `xmltodict`, georeport's XML parser.
"""

import threading
from time import monotonic, sleep

import pytest
import requests
import xmltodict
from django.test import Client
from georeport import GeoReport

from suishoupai import factories as f
from suishoupai.cases import services as cases
from suishoupai.cases.models import Case
from suishoupai.open311 import services

from .conftest import BASE, garbage_form


@pytest.fixture
def served(live_server, transactional_db, city, olga, dora):
    """A live server with one public, dispatched case reported by the hotline.

    The clock stands at Wednesday 9:00 for the server thread too (conftest)."""
    _hotline, raw = services.issue_client("12345热线平台", channel="hotline")
    answer = Client().post(f"{BASE}/requests.json", garbage_form(raw)).json()[0]
    case = Case.objects.get(number=answer["service_request_id"])
    cases.accept(case, olga)
    cases.dispatch(case, dora, department=city.city_sanitation.pk, note="请处理")
    yield live_server.url + BASE, case.number
    # A keep-alive request thread still closing its database connection when the
    # session ends would fail on the shared in-memory SQLite: let them finish.
    deadline = monotonic() + 5
    while monotonic() < deadline and any(
        "process_request" in t.name for t in threading.enumerate()
    ):
        sleep(0.05)


# The case was reported on 25 November 2026; the client asks for that window.
WINDOW = {"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-30T00:00:00+08:00"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(served, fmt):
    root, number = served
    client = GeoReport(root, output_format=fmt)

    service_list = client.get_service_list()
    # xmltodict gives a single <service> as a dict, several as a list.
    service_list = service_list if isinstance(service_list, list) else [service_list]
    codes = {s["service_code"] for s in service_list}
    assert {"sanitation.exposed_garbage", "road_damage.pothole"} <= codes

    definition = client.get_service_definition("sanitation.exposed_garbage")
    assert definition["service_code"] == "sanitation.exposed_garbage"

    found = client.get_service_requests(**WINDOW)
    found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [number]
    assert found[0]["agency_responsible"] == "市环卫中心"

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert str(one["lat"]) == str(f.DAOWAI[0])

    by_id = client.get_service_requests(service_request_id=number, status="open")
    by_id = by_id if isinstance(by_id, list) else [by_id]
    assert by_id[0]["service_code"] == "sanitation.exposed_garbage"


def test_discovery_over_http_in_both_formats(served):
    root, _number = served
    as_json = requests.get(f"{root}/discovery.json", timeout=10).json()
    as_xml = xmltodict.parse(requests.get(f"{root}/discovery.xml", timeout=10).content)
    assert as_json["endpoints"][0]["url"] == root
    assert as_xml["discovery"]["endpoints"]["endpoint"]["url"] == root
    assert as_xml["discovery"]["endpoints"]["endpoint"]["formats"]["format"] == [
        "text/xml",
        "application/json",
    ]
