"""超期申诉: a department appeals an overdue mark and a shift lead decides."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from suishoupai.api.tests.test_cases import act, create, post_json
from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseRequest, Decision, RequestKind, Visibility
from suishoupai.errors import IllegalTransition, NotAllowed

from .journeys import walk

pytestmark = pytest.mark.django_db


def overdue_case(city, people, state="in_progress"):
    """A case marked overdue while 市环卫中心 (carl) handled it."""
    case = walk(city, people, state, overdue=True)
    assert case.events.filter(action="case.urged", data__reason="overdue").count() == 1
    return case


def test_an_approved_appeal_waives_the_mark_and_the_next_scan_leaves_it(city, people):
    case = overdue_case(city, people)
    assert case.is_overdue is True
    deadline = case.due_at
    later = deadline + timedelta(hours=1)
    req = services.request_appeal(
        case, people["carl"], reason="现场被施工围挡，无法进入", now=later
    )
    assert (req.kind, req.decision, req.department) == (
        RequestKind.APPEAL,
        Decision.PENDING,
        city.city_sanitation,
    )
    # Pending: nothing changes until the shift lead decides.
    case.refresh_from_db()
    assert case.is_overdue is True

    services.approve_appeal(case, people["leo"], note="情况属实", now=later + timedelta(hours=1))
    case.refresh_from_db()
    assert case.is_overdue is False
    assert case.waived_due_at == deadline
    waived = case.events.get(action="case.overdue_waived")
    mark = case.events.get(action="case.urged")
    assert waived.data == {
        "request": req.pk,
        "mark": mark.pk,
        "due_at": deadline.isoformat(),
        "stage": "in_progress",
        "cleared": True,
    }
    assert waived.department == city.city_sanitation
    assert waived.visibility == Visibility.INTERNAL
    # The same deadline is still in the past: the scan must not flag it again.
    assert services.mark_overdue(now=later + timedelta(days=3)) == []
    case.refresh_from_db()
    assert (case.is_overdue, case.urge_count) == (False, 1)


def test_a_new_deadline_after_a_waiver_can_be_marked_again(city, people):
    case = overdue_case(city, people)
    t = case.due_at + timedelta(hours=1)
    services.request_appeal(case, people["carl"], reason="派遣晚了", now=t)
    services.approve_appeal(case, people["leo"], now=t)
    services.request_extension(case, people["carl"], reason="等材料", amount=Decimal(1), now=t)
    services.approve_extension(case, people["leo"], now=t)
    case.refresh_from_db()
    assert services.mark_overdue(now=case.due_at + timedelta(minutes=1)) == [case.number]


def test_a_denied_appeal_keeps_the_mark_and_cannot_be_repeated(city, people):
    case = overdue_case(city, people)
    t = case.due_at + timedelta(hours=1)
    services.request_appeal(case, people["carl"], reason="举报位置有误", now=t)
    req = services.deny_appeal(case, people["leo"], note="现场核实位置无误", now=t)
    assert req.decision == Decision.DENIED
    case.refresh_from_db()
    assert case.is_overdue is True
    assert case.events.filter(action="case.appeal_denied").count() == 1
    assert not case.events.filter(action="case.overdue_waived").exists()
    with pytest.raises(IllegalTransition, match="已申诉过"):
        services.request_appeal(case, people["carl"], reason="再次申诉", now=t)


def test_there_is_no_appeal_without_an_overdue_mark(city, people):
    case = walk(city, people, "in_progress")
    with pytest.raises(IllegalTransition, match="没有针对本部门的超时记录"):
        services.request_appeal(case, people["carl"], reason="并未超期", now=case.taken_at)
    assert not CaseRequest.objects.filter(case=case).exists()
    assert not case.events.filter(action="case.appeal_requested").exists()


def test_a_late_verification_is_not_the_departments_to_appeal(city, people):
    case = walk(city, people, "resolved")
    services.mark_overdue(now=case.due_at + timedelta(minutes=1))  # the inspector was late
    case.refresh_from_db()
    assert case.is_overdue is True
    with pytest.raises(IllegalTransition):
        services.request_appeal(case, people["carl"], reason="核查超期", now=case.due_at)


def test_an_appeal_after_feedback_records_the_waiver_for_statistics(city, people):
    case = overdue_case(city, people, "closed")
    t = case.closed_at + timedelta(hours=1)
    services.request_appeal(case, people["carl"], reason="交办时已超过时限", now=t)
    services.approve_appeal(case, people["leo"], now=t)
    case.refresh_from_db()
    waived = case.events.get(action="case.overdue_waived")
    resolved = case.events.get(action="case.resolved")
    # The late feedback event stays as written; the waiver names its deadline.
    assert resolved.data["on_time"] is False
    assert waived.data["due_at"] == resolved.data["due_at"]
    assert waived.data["cleared"] is False  # the current stage was never late


def test_the_department_the_mark_was_against_appeals_it(city, people):
    case = overdue_case(city, people)
    t = case.due_at + timedelta(hours=1)
    services.dispatch_on(case, people["carl"], department=city.daowai_sanitation.pk, now=t)
    # hans's unit got the case after the mark: the lateness was not theirs.
    with pytest.raises(IllegalTransition, match="没有针对本部门的超时记录"):
        services.request_appeal(case, people["hans"], reason="刚收到", now=t)
    # 市环卫中心 (above hans's unit, where the case is now) may still appeal its own mark.
    req = services.request_appeal(case, people["carl"], reason="派遣时已超期", now=t)
    assert req.overdue_mark.department == city.city_sanitation


def test_another_department_may_not_appeal(city, people):
    case = overdue_case(city, people)
    with pytest.raises(NotAllowed):
        services.request_appeal(case, people["nina"], reason="试试", now=case.due_at)
    assert not CaseRequest.objects.filter(case=case).exists()


def test_an_approved_return_cancels_a_pending_appeal(city, people):
    case = overdue_case(city, people)
    t = case.due_at + timedelta(hours=1)
    services.request_appeal(case, people["carl"], reason="非本部门职责", now=t)
    services.request_return(case, people["carl"], reason="非本部门职责", now=t)
    services.approve_return(case, people["leo"], now=t)
    assert CaseRequest.objects.get(case=case, kind=RequestKind.APPEAL).decision == (
        Decision.CANCELLED
    )


# ------------------------------------------------------------------ the staff API


def _overdue_via_api(city, olga, dora, carl, staff_client) -> str:
    number = create(Client())["number"]
    act(staff_client(olga), number, "accept")
    act(staff_client(dora), number, "dispatch")
    act(staff_client(carl), number, "take")
    case = Case.objects.get(number=number)
    services.mark_overdue(now=case.due_at + timedelta(minutes=1))
    return number


def _todo(client) -> list[str]:
    return [c["number"] for c in client.get("/api/v1/staff/cases?todo=true").json()["results"]]


def test_the_api_takes_an_appeal_to_the_shift_leads_todo_and_back(
    city, olga, dora, carl, leo, staff_client
):
    number = _overdue_via_api(city, olga, dora, carl, staff_client)
    assert _todo(staff_client(leo)) == []
    act(staff_client(carl), number, "request-appeal", {"reason": "现场被围挡"})
    assert _todo(staff_client(leo)) == [number]
    act(staff_client(carl), number, "request-appeal", {"reason": "再次"}, expect=409)
    act(staff_client(leo), number, "approve-appeal", {"note": "属实"})
    assert _todo(staff_client(leo)) == []
    case = Case.objects.get(number=number)
    assert case.is_overdue is False
    timeline = staff_client(leo).get(f"/api/v1/staff/cases/{number}").json()["timeline"]
    labels = {e["action"]: e["label"] for e in timeline}
    assert labels["case.appeal_requested"] == "提出超时申诉"
    assert labels["case.overdue_waived"] == "超时记录已撤销"


def test_the_api_explains_why_there_is_nothing_to_appeal(city, olga, dora, carl, staff_client):
    number = create(Client())["number"]
    act(staff_client(olga), number, "accept")
    act(staff_client(dora), number, "dispatch")
    body = act(staff_client(carl), number, "request-appeal", {"reason": "并未超期"}, expect=409)
    assert body["detail"] == "本案件没有针对本部门的超时记录，无需申诉。"
    act(staff_client(carl), number, "request-appeal", {"reason": ""}, expect=422)


def test_the_api_lets_only_the_shift_lead_decide_an_appeal(
    city, olga, dora, carl, nina, leo, staff_client
):
    number = _overdue_via_api(city, olga, dora, carl, staff_client)
    response = post_json(
        staff_client(nina), f"/api/v1/staff/cases/{number}/request-appeal", {"reason": "x"}
    )
    assert response.status_code == 403
    act(staff_client(carl), number, "request-appeal", {"reason": "派遣晚了"})
    act(staff_client(carl), number, "deny-appeal", expect=403)
    act(staff_client(olga), number, "approve-appeal", expect=403)
    act(staff_client(leo), number, "deny-appeal", {"note": "不属实"})
    assert Case.objects.get(number=number).is_overdue is True
