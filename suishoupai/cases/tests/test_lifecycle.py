"""Deadlines, requests, supervision and numbering along a case's life."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent, Decision, Visibility
from suishoupai.errors import IllegalTransition, InvalidInput
from suishoupai.factories import TZ, WEDNESDAY_9AM

from .journeys import report, walk

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_it_numbers_cases_by_day_in_sequence(city):
    first = report(city, now=at(2026, 11, 25, 9, 0))
    second = report(city, now=at(2026, 11, 25, 23, 59))
    next_day = report(city, now=at(2026, 11, 26, 0, 1))
    assert [first.number, second.number, next_day.number] == [
        "20261125-0001",
        "20261125-0002",
        "20261126-0001",
    ]


def test_it_starts_each_stage_clock_from_its_own_limit(city, people):
    case = report(city)  # Wednesday 09:00
    assert case.due_at == at(2026, 11, 25, 10, 0)  # accept: 1 working hour
    case = services.accept(case, people["olga"], now=at(2026, 11, 25, 11, 50))
    assert case.due_at == at(2026, 11, 25, 13, 50)  # 0.5 wh, lunch 12:00-13:30 skipped
    case = services.dispatch(case, people["dora"], now=at(2026, 11, 25, 16, 0))
    # Exposed garbage: 4 working hours from 16:00 → 1.5 h today + 2.5 h Thursday.
    assert case.handle_due_at == at(2026, 11, 26, 11, 0)
    assert case.due_at == at(2026, 11, 25, 17, 0)  # sign for within 1 working hour
    case = services.take(case, people["carl"], now=at(2026, 11, 25, 16, 30))
    assert case.due_at == case.handle_due_at


def test_it_counts_working_days_across_the_weekend(city, people):
    case = report(city, now=at(2026, 11, 27, 9, 0), category="road_damage")  # Friday
    services.accept(case, people["olga"], now=at(2026, 11, 27, 9, 10))
    case = services.dispatch(case, people["dora"], now=at(2026, 11, 27, 10, 0))
    # 3 working days from Friday 10:00 → Monday, Tuesday, Wednesday 10:00.
    assert case.handle_due_at == at(2026, 12, 2, 10, 0)


def test_it_keeps_the_handling_clock_when_a_department_passes_the_case_down(city, people):
    case = walk(city, people, "dispatched")
    due = case.handle_due_at
    services.dispatch_on(
        case,
        people["carl"],
        department=city.daowai_sanitation.pk,
        now=WEDNESDAY_9AM + timedelta(hours=1),
    )
    case.refresh_from_db()
    assert (case.department, case.first_department) == (
        city.daowai_sanitation,
        city.city_sanitation,
    )
    assert case.handle_due_at == due
    services.take(case, people["hans"], now=WEDNESDAY_9AM + timedelta(hours=1, minutes=5))


def test_it_refuses_to_pass_a_case_sideways_or_up(city, people):
    case = walk(city, people, "in_progress")
    for target in (city.nangang_roads, city.city_sanitation):
        with pytest.raises(InvalidInput):
            services.dispatch_on(case, people["carl"], department=target.pk)


def test_it_pauses_the_clock_while_suspended(city, people):
    case = walk(city, people, "in_progress")  # handling due Wednesday 13:10 + ...
    due = case.handle_due_at
    services.request_suspension(
        case, people["carl"], reason="需协调产权单位", now=at(2026, 11, 25, 10, 0)
    )
    services.approve_suspension(case, people["leo"], now=at(2026, 11, 25, 10, 0))
    case.refresh_from_db()
    assert case.due_at is None
    remaining = case.paused_remaining_minutes
    assert remaining > 0
    # A week later work resumes: the same working minutes remain.
    services.resume(case, people["carl"], now=at(2026, 12, 2, 9, 0))
    case.refresh_from_db()
    assert case.handle_due_at > due
    from suishoupai.timelimits import clock

    assert (
        clock.counted_minutes(at(2026, 12, 2, 9, 0), case.handle_due_at, "working_hours")
        == remaining
    )


def test_it_moves_the_deadline_only_when_an_extension_is_approved(city, people):
    case = walk(city, people, "in_progress")
    due = case.handle_due_at
    services.request_extension(
        case,
        people["carl"],
        reason="等待材料",
        amount=Decimal(2),
        now=WEDNESDAY_9AM + timedelta(hours=1),
    )
    case.refresh_from_db()
    assert case.handle_due_at == due
    services.approve_extension(case, people["leo"], now=WEDNESDAY_9AM + timedelta(hours=1))
    case.refresh_from_db()
    from suishoupai.timelimits import clock

    assert case.handle_due_at == clock.add(due, 2, "working_hours")
    assert case.requests.get().decision == Decision.APPROVED


def test_it_allows_one_pending_request_of_a_kind(city, people):
    case = walk(city, people, "in_progress")
    services.request_return(case, people["carl"], reason="非本部门职责")
    with pytest.raises(IllegalTransition):
        services.request_return(case, people["carl"], reason="再次申请")
    services.deny_return(case, people["leo"], note="属于环卫职责")
    services.request_return(case, people["carl"], reason="补充材料后再申请")


def test_it_sends_a_returned_case_back_to_dispatch_and_cancels_other_requests(city, people):
    case = walk(city, people, "in_progress")
    services.request_extension(case, people["carl"], reason="x", amount=Decimal(1))
    services.request_return(case, people["carl"], reason="非本部门职责")
    services.approve_return(case, people["leo"])
    case.refresh_from_db()
    assert (case.state, case.department, case.handle_due_at) == ("filed", None, None)
    assert set(case.requests.values_list("decision", flat=True)) == {
        Decision.APPROVED,
        Decision.CANCELLED,
    }


def test_it_marks_overdue_cases_once_with_an_automatic_urge(city, people):
    case = walk(city, people, "in_progress")
    late = case.due_at + timedelta(minutes=1)
    assert services.mark_overdue(now=late) == [case.number]
    assert services.mark_overdue(now=late + timedelta(hours=1)) == []
    case.refresh_from_db()
    assert (case.is_overdue, case.urge_count) == (True, 1)
    urge = case.events.get(action="case.urged")
    assert urge.actor is None and urge.data["automatic"] is True
    assert urge.visibility == Visibility.INTERNAL


def test_it_clears_the_overdue_mark_when_the_stage_changes(city, people):
    case = walk(city, people, "in_progress")
    services.mark_overdue(now=case.due_at + timedelta(minutes=1))
    services.feedback(case, people["carl"], note="已处理", now=case.due_at + timedelta(hours=1))
    case.refresh_from_db()
    assert case.is_overdue is False
    resolved = case.events.get(action="case.resolved")
    assert resolved.data["on_time"] is False


def test_it_sends_failed_verification_back_for_rework(city, people):
    case = walk(city, people, "resolved")
    services.verify_fail(case, people["ivan"], note="路面仍有垃圾")
    case.refresh_from_db()
    assert (case.state, case.rework_count, case.resolved_at) == ("in_progress", 1, None)


def test_it_reopens_a_closed_case_after_an_unsatisfied_rating(city, people):
    case = walk(city, people, "closed")
    services.rate(
        case,
        rating="unsatisfied",
        stars=1,
        comment="没有清理干净",
        now=WEDNESDAY_9AM + timedelta(days=1),
    )
    services.reopen(case, people["leo"], reason="市民不满意,重新派遣")
    case.refresh_from_db()
    assert (case.state, case.rating, case.closed_at) == ("filed", "", None)
    assert case.events.filter(action="case.rated").exists()


def test_it_lets_the_reporter_change_a_rating_only_within_the_window(city, people, settings):
    settings.RATING_CHANGE_WINDOW_DAYS = 7
    case = walk(city, people, "closed")
    rated_at = WEDNESDAY_9AM + timedelta(days=1)
    services.rate(case, rating="unsatisfied", now=rated_at)
    services.rate(case, rating="satisfied", now=rated_at + timedelta(days=6))
    with pytest.raises(IllegalTransition):
        services.rate(case, rating="unsatisfied", now=rated_at + timedelta(days=14))
    case.refresh_from_db()
    assert case.rating == "satisfied"
    assert case.events.filter(action="case.rating_changed").count() == 1


def test_it_merges_a_duplicate_into_an_open_case(city, people):
    primary = report(city)
    duplicate = report(city)
    services.merge(duplicate, people["olga"], into=primary.number)
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == ("merged", primary)
    assert primary.events.filter(action="case.merge_received").exists()
    with pytest.raises(IllegalTransition):
        services.merge(report(city), people["olga"], into=duplicate.number)


def test_it_records_a_callback_without_changing_the_state(city, people):
    case = walk(city, people, "closed")
    services.callback(case, people["olga"], result="basically_satisfied", contact="本人")
    case.refresh_from_db()
    assert case.state == "closed"
    assert case.events.get(action="case.callback").data["result"] == "basically_satisfied"
    with pytest.raises(InvalidInput):
        services.callback(case, people["olga"], result="maybe")


def test_it_keeps_the_event_log_append_only_and_complete(city, people):
    case = walk(city, people, "closed")
    states = list(case.events.values_list("from_state", "to_state"))
    assert states[0] == ("", "submitted")
    # Each event starts where the previous one ended.
    assert all(prev[1] == nxt[0] for prev, nxt in pairwise(states))
    assert states[-1][1] == "closed"


def test_it_refuses_a_report_outside_the_served_districts(city):
    with pytest.raises(InvalidInput) as err:
        report(city, where=(39.9, 116.4))
    assert err.value.field == "lat"
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
