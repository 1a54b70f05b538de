"""servicerequestupdates.{fmt} (the FixMyStreet extension): our public events as
updates, and updates an external system posts to the cases its key created."""

import pytest

from suishoupai.cases import services as cases
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.cases.states import State
from suishoupai.open311.models import ClientUpdate, KeyUse
from suishoupai.open311.statuses import UPDATE_STATUS

from .conftest import BASE, parse_xml


def test_every_state_has_an_update_status():
    assert set(UPDATE_STATUS) == set(State.values)


def test_public_events_are_listed_as_updates_in_both_formats(both, filed):
    data, _xml = both("servicerequestupdates")
    events = CaseEvent.objects.filter(case=filed, visibility="public").order_by("at", "pk")
    assert [u["update_id"] for u in data] == [str(e.pk) for e in events]
    assert [u["status"] for u in data] == ["OPEN", "OPEN", "ACTION_SCHEDULED"]
    assert data[-1]["service_request_id"] == filed.number
    assert data[-1]["description"] == "请市环卫中心处理"
    assert data[-1]["updated_datetime"] == "2026-11-25T09:00:00+08:00"
    assert data[-1]["media_url"] is None


def test_updates_window_is_checked_like_requests(both, filed, time_machine):
    both("servicerequestupdates", expect=400, start_date="2026-01-01", end_date="2026-12-01")
    both("servicerequestupdates", expect=400, start_date="soon")
    time_machine.move_to("2026-11-25T10:00:00+08:00")
    assert both("servicerequestupdates", start_date="2026-11-25T09:00:01+08:00")[0] == []


def _update(post, key, number, update_id="fms-1", **extra):
    form = {
        "api_key": key,
        "service_request_id": number,
        "update_id": update_id,
        "status": "OPEN",
        "description": "市民来电补充：垃圾堆旁还有碎玻璃",
        "updated_datetime": "2026-11-25T08:30:00+08:00",
        **extra,
    }
    return post("servicerequestupdates.json", form)


def test_a_client_adds_an_update_to_its_own_case_without_moving_it(post, hotline, filed):
    response = _update(post, hotline.raw_key, filed.number, status="FIXED")
    assert response.status_code == 200, response.content
    [answer] = response.json()
    update = ClientUpdate.objects.get()
    assert answer == {"update_id": str(update.event_id), "service_request_id": filed.number}
    filed.refresh_from_db()
    # "FIXED" from outside is a claim, not a verification: the state stays.
    assert filed.state == State.DISPATCHED
    event = update.event
    assert event.action == "case.external_update"
    assert event.visibility == "reporter"
    assert event.note == "市民来电补充：垃圾堆旁还有碎玻璃"
    assert event.data["status"] == "FIXED"
    assert update.updated_datetime.isoformat() == "2026-11-25T00:30:00+00:00"
    assert KeyUse.objects.filter(action="update.create", status=200).count() == 1


def test_the_same_update_id_is_recorded_once(post, hotline, filed):
    first = _update(post, hotline.raw_key, filed.number).json()
    again = _update(post, hotline.raw_key, filed.number, description="重复发送").json()
    assert first == again
    assert ClientUpdate.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.external_update").count() == 1
    other = _update(post, hotline.raw_key, "20261125-0999")
    assert other.status_code == 400


def test_posted_updates_are_not_published_but_their_client_reads_them(web, post, hotline, filed):
    _update(post, hotline.raw_key, filed.number)
    public = web.get(f"{BASE}/servicerequestupdates.json").json()
    assert "碎玻璃" not in str(public)
    own = web.get(f"{BASE}/servicerequestupdates.json", {"api_key": hotline.raw_key}).json()
    assert own[-1]["description"] == "市民来电补充：垃圾堆旁还有碎玻璃"


def test_another_client_may_not_update_the_hotlines_case(post, fixmystreet, filed):
    response = _update(post, fixmystreet.raw_key, filed.number)
    assert response.status_code == 403
    assert not ClientUpdate.objects.exists()


@pytest.mark.parametrize(
    ("fields", "expect"),
    [
        ({"status": "SOLVED"}, 400),
        ({"update_id": ""}, 400),
        ({"updated_datetime": "last tuesday"}, 400),
        ({"media_url": "ftp://x"}, 400),
        ({"service_request_id": "20261125-0999"}, 404),
        ({"api_key": ""}, 403),
    ],
)
def test_bad_updates_are_refused_and_nothing_is_written(post, hotline, filed, fields, expect):
    form = {"api_key": hotline.raw_key, "service_request_id": filed.number, **fields}
    key, number = form.pop("api_key"), form.pop("service_request_id")
    response = _update(post, key, number, **form)
    assert response.status_code == expect, response.content
    assert not ClientUpdate.objects.exists()
    assert not CaseEvent.objects.filter(action="case.external_update").exists()


def test_a_declined_case_reads_no_further_action_for_its_client(web, reported, hotline, olga):
    case = Case.objects.get(number=reported["service_request_id"])
    cases.reject(case, olga, reason="重复上报")
    response = web.get(f"{BASE}/servicerequestupdates.xml", {"api_key": hotline.raw_key})
    updates = parse_xml(response.content)
    assert updates[-1]["status"] == "NO_FURTHER_ACTION"
    assert updates[-1]["description"] == "重复上报"


def test_the_reporter_sees_which_partner_system_added_an_update(post, hotline, filed):
    from suishoupai.cases.presenters import event as present_event

    _update(post, hotline.raw_key, filed.number)
    event = CaseEvent.objects.get(action="case.external_update")
    assert present_event(event, staff_view=False)["actor"] == hotline.name
