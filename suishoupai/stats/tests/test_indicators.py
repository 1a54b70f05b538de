"""Hand-built histories: every indicator asserted exactly (docs/stats.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from suishoupai import factories as c
from suishoupai.cases import services
from suishoupai.cases.tests.journeys import report

from .utils import MINUTE, assert_rollups_equal_recomputation, closed_case, values

pytestmark = pytest.mark.django_db

T0 = c.WEDNESDAY_9AM  # Wednesday 25 November 2026, 09:00
DAY = T0.date()


def filed(city, people, t=T0):
    case = report(city, t)
    services.accept(case, people["olga"], now=t + 10 * MINUTE)
    return case


def test_a_case_closed_on_time_counts_everywhere_once(city, people):
    case = filed(city, people)
    closed_case(people, case, T0 + 20 * MINUTE)
    v = values(DAY)
    assert (v["reported"], v["received"], v["filed"], v["filing_rate"]) == (
        1,
        1,
        1,
        Decimal("100.00"),
    )
    assert (v["filed_on_time_rate"], v["dispatched"], v["accurate_dispatch_rate"]) == (
        Decimal("100.00"),
        1,
        Decimal("100.00"),
    )
    assert (v["due_handle"], v["handled"], v["handled_on_time_rate"]) == (1, 1, Decimal("100.00"))
    assert (v["due_close"], v["closed"], v["closing_rate"], v["closed_on_time_rate"]) == (
        1,
        1,
        Decimal("100.00"),
        Decimal("100.00"),
    )
    assert (v["rated"], v["satisfaction_rate"], v["rework_rate"]) == (
        1,
        Decimal("100.00"),
        Decimal("0.00"),
    )
    # Dispatched 09:20, handled 09:40: 20 minutes, in the first hour.
    assert (v["mean_hours"], v["median_hours"]) == (Decimal("0.3"), Decimal("0.5"))
    # Nothing on the day before or after.
    assert values(DAY - timedelta(days=1)) == {} and values(DAY + timedelta(days=1)) == {}
    assert_rollups_equal_recomputation()


def test_a_case_reworked_twice_counts_three_handlings_and_two_reworks(city, people):
    case = filed(city, people)
    t = T0 + 20 * MINUTE
    services.dispatch(case, people["dora"], now=t)
    services.take(case, people["carl"], now=t + 5 * MINUTE)
    for i in range(2):
        services.feedback(case, people["carl"], note="已清理", now=t + (10 + 20 * i) * MINUTE)
        services.verify_fail(case, people["ivan"], note="仍有垃圾", now=t + (20 + 20 * i) * MINUTE)
    services.feedback(case, people["carl"], note="已清理干净", now=t + 50 * MINUTE)
    services.verify_pass(case, people["ivan"], now=t + 60 * MINUTE)
    services.close(case, people["leo"], now=t + 70 * MINUTE)
    v = values(DAY)
    assert (v["due_handle"], v["handled"], v["reworked"]) == (3, 3, 2)
    assert v["rework_rate"] == Decimal("66.67")  # 返工率 = 返工数 / 处置数 = 2 / 3
    assert (v["due_close"], v["closed"], v["closed_on_time"], v["verified"]) == (1, 1, 1, 3)
    # Handling time runs from the dispatch (09:20) to the last handling (10:10).
    assert v["mean_hours"] == Decimal("0.8")
    posts = values(DAY, by="post")
    assert posts["ivan"]["verified"] == 3 and posts["dora"]["dispatched"] == 1
    assert_rollups_equal_recomputation()


def test_an_extension_counts_once_and_moves_the_deadline(city, people):
    extended, plain = filed(city, people), filed(city, people)
    t = T0 + 20 * MINUTE
    for case in (extended, plain):
        services.dispatch(case, people["dora"], now=t)
        services.take(case, people["carl"], now=t)
    services.request_extension(extended, people["carl"], reason="等材料", amount=Decimal(2), now=t)
    services.approve_extension(extended, people["leo"], now=t + MINUTE)
    # The plain case's 4 working hours end at 14:50 (lunch 12:00–13:30); the extended
    # one's at 16:50. Both handled at 15:30: one late, one on time.
    late = T0.replace(hour=15, minute=30)
    for case in (extended, plain):
        services.feedback(case, people["carl"], note="已清理", now=late)
    v = values(DAY)
    assert (v["due_handle"], v["handled"], v["extended"]) == (2, 2, 1)
    assert v["extension_rate"] == Decimal("50.00")
    assert v["handled_on_time_rate"] == Decimal("50.00")
    # Handled, not verified yet: both are due for closing and neither is closed.
    assert (v["due_close"], v["closed"], v["closing_rate"]) == (2, 0, Decimal("0.00"))
    assert_rollups_equal_recomputation()


def test_a_suspended_case_leaves_the_denominators_until_it_resumes(city, people):
    case = filed(city, people)
    t = T0 + 20 * MINUTE
    services.dispatch(case, people["dora"], now=t)
    services.take(case, people["carl"], now=t)
    services.request_suspension(case, people["carl"], reason="需夏季施工", now=t)
    services.approve_suspension(case, people["leo"], now=t + MINUTE)
    # A week later its deadline would long have passed, yet nothing is owed.
    week = timedelta(days=7)
    v = values(DAY, DAY + week)
    assert (v["suspended"], v["due_handle"], v["due_close"]) == (1, 0, 0)
    resumed = T0 + week  # Wednesday 2 December, 09:00
    services.resume(case, people["leo"], now=resumed)
    services.feedback(case, people["carl"], note="已修复", now=resumed + 30 * MINUTE)
    v = values(DAY, DAY + week)
    assert (v["due_handle"], v["handled_on_time"], v["due_close"]) == (1, 1, 1)
    # Counted on the day it was handled, not the day it was suspended.
    assert values(DAY)["due_handle"] == 0
    assert_rollups_equal_recomputation()


def test_a_return_counts_against_the_dispatcher_not_the_department(city, people):
    case = filed(city, people)
    t = T0 + 20 * MINUTE
    services.dispatch(case, people["dora"], department=city.nangang_roads.pk, now=t)
    services.request_return(case, people["nina"], reason="不属于本部门", now=t + MINUTE)
    services.approve_return(case, people["leo"], now=t + 2 * MINUTE)
    closed_case(people, case, t + 5 * MINUTE)
    v = values(DAY)
    assert (v["dispatched"], v["returned"]) == (2, 1)
    assert v["accurate_dispatch_rate"] == Decimal("50.00")  # (2 − 1) / 2
    assert (v["due_close"], v["closed"]) == (1, 1)
    depts = values(DAY, by="department")
    # 南岗区道桥 owes nothing for a case that was never its own.
    assert depts["南岗区道桥部门"]["due_handle"] == 0 and depts["南岗区道桥部门"]["due_close"] == 0
    assert depts["市环卫中心"]["closed"] == 1
    assert values(DAY, by="post")["dora"]["returned"] == 1
    assert_rollups_equal_recomputation()


def test_a_merged_report_and_a_voided_case_are_owed_by_nobody(city, people):
    primary = filed(city, people)
    duplicate = report(city, T0)
    services.merge(duplicate, people["olga"], into=primary.number, now=T0 + 15 * MINUTE)
    services.dispatch(primary, people["dora"], now=T0 + 20 * MINUTE)
    services.void(primary, people["leo"], reason="测试数据", now=T0 + 30 * MINUTE)
    v = values(DAY)
    assert (v["reported"], v["received"], v["filed"], v["filing_rate"]) == (
        2,
        2,
        1,
        Decimal("50.00"),
    )
    assert (v["dispatched"], v["due_handle"], v["due_close"], v["closing_rate"]) == (1, 0, 0, None)
    assert_rollups_equal_recomputation()


def test_a_second_level_dispatch_counts_for_the_unit_and_its_parent_with_units(city, people):
    case = filed(city, people)
    t = T0 + 20 * MINUTE
    services.dispatch(case, people["dora"], now=t)  # to 市环卫中心
    services.take(case, people["carl"], now=t + MINUTE)
    services.dispatch_on(case, people["carl"], department=city.daowai_sanitation.pk, now=t)
    closed_case_from_unit(people, case, t + 5 * MINUTE)
    alone = values(DAY, by="department")
    assert alone["道外区环卫部门"]["closed"] == 1
    assert alone["市环卫中心"]["due_close"] == 0 and alone["市环卫中心"]["dispatched"] == 1
    together = values(DAY, by="department", with_subunits=True)
    assert together["市环卫中心"]["closed"] == 1 and together["道外区环卫部门"]["closed"] == 1
    assert_rollups_equal_recomputation()


def closed_case_from_unit(people, case, t):
    services.take(case, people["hans"], now=t)
    services.feedback(case, people["hans"], note="已清理", now=t + MINUTE)
    services.verify_pass(case, people["ivan"], now=t + 2 * MINUTE)
    services.close(case, people["leo"], now=t + 3 * MINUTE)


def test_an_appealed_overdue_mark_is_not_counted_and_the_handling_is_on_time(city, people):
    waived, kept = filed(city, people), filed(city, people)
    t = T0 + 20 * MINUTE
    for case in (waived, kept):
        services.dispatch(case, people["dora"], now=t)
        services.take(case, people["carl"], now=t)
    waived.refresh_from_db()
    late = waived.due_at + MINUTE  # 14:50 + 1 minute
    assert sorted(services.mark_overdue(now=late)) == sorted([waived.number, kept.number])
    assert values(DAY)["overdue"] == 2
    for case in (waived, kept):
        services.request_appeal(case, people["carl"], reason="现场被围挡", now=late)
    services.approve_appeal(waived, people["leo"], now=late + MINUTE)
    services.deny_appeal(kept, people["leo"], now=late + MINUTE)
    for case in (waived, kept):
        services.feedback(case, people["carl"], note="已清理", now=late + 10 * MINUTE)
    v = values(DAY)
    assert (v["overdue"], v["handled"], v["handled_on_time"]) == (1, 2, 1)
    assert values(DAY, by="department")["市环卫中心"]["overdue"] == 1
    assert_rollups_equal_recomputation()


def test_a_late_verification_is_the_centres_overdue_not_the_departments(city, people):
    case = filed(city, people)
    t = T0 + 20 * MINUTE
    services.dispatch(case, people["dora"], now=t)
    services.take(case, people["carl"], now=t)
    services.feedback(case, people["carl"], note="已清理", now=t + 10 * MINUTE)
    case.refresh_from_db()
    # Handled on time; then nobody at the centre verifies it in time.
    assert services.mark_overdue(now=case.due_at + MINUTE) == [case.number]
    mark = case.events.get(action="case.urged")
    assert mark.department_id is None and mark.from_state == "resolved"
    v = values(DAY)
    assert (v["overdue"], v["handled_on_time"]) == (1, 1)
    assert values(DAY, by="department")["市环卫中心"].get("overdue", 0) == 0
    # Not the department's to appeal either.
    from suishoupai.cases import selectors

    assert not selectors.appealable_marks(case, people["carl"]).exists()
    assert_rollups_equal_recomputation()


def test_a_rating_changed_within_its_window_counts_once_as_the_last_answer(city, people):
    case = closed_case(people, filed(city, people), T0 + 20 * MINUTE, rating="unsatisfied")
    assert values(DAY)["satisfaction_rate"] == Decimal("0.00")
    services.rate(case, rating="basically_satisfied", now=T0 + timedelta(days=2))
    v = values(DAY)
    assert (v["rated"], v["satisfaction_rate"]) == (1, Decimal("100.00"))
    # Counted on the day of the first answer, not the change.
    assert values(DAY + timedelta(days=2)) == {}
    assert_rollups_equal_recomputation()


def test_a_period_that_cuts_a_case_in_half_counts_each_part_once(city, people):
    monday = T0.replace(day=30, hour=16)  # Monday 30 November 2026
    case = report(city, monday)
    services.accept(case, people["olga"], now=monday + 10 * MINUTE)
    services.dispatch(case, people["dora"], now=monday + 60 * MINUTE)  # 17:00
    services.take(case, people["carl"], now=monday + 70 * MINUTE)
    # 30 working minutes on Monday, 3.5 hours on Tuesday: due 1 December 12:00.
    tuesday = monday.replace(month=12, day=1, hour=10)
    services.feedback(case, people["carl"], note="已清理", now=tuesday)
    services.verify_pass(case, people["ivan"], now=tuesday + 10 * MINUTE)
    services.close(case, people["leo"], now=tuesday + 20 * MINUTE)
    nov = values(monday.date().replace(day=1), monday.date())
    dec = values(tuesday.date(), tuesday.date().replace(day=31))
    assert (nov["reported"], nov["filed"], nov["dispatched"], nov["due_close"]) == (1, 1, 1, 0)
    assert (dec["reported"], dec["due_close"], dec["closed"], dec["closed_on_time"]) == (0, 1, 1, 1)
    # Two partial months (daily rows) and a whole one (monthly rows) give the same.
    across = values(monday.date().replace(day=20), tuesday.date().replace(day=5))
    whole = values(monday.date().replace(day=1), tuesday.date().replace(day=31))
    assert across == whole and (across["reported"], across["closed"]) == (1, 1)
    # 17:00 to 10:00 the next day: 17 clock hours, 2 counted working hours.
    assert (dec["mean_hours"], dec["mean_working_hours"]) == (Decimal("17.0"), Decimal("2.0"))
    # The condition counts in working hours: the row's own unit.
    assert (dec["mean_own_unit"], dec["median_own_unit"]) == (Decimal("2.0"), Decimal("2.5"))
    assert_rollups_equal_recomputation()


def test_a_case_not_handled_by_its_deadline_is_owed_on_that_day(city, people):
    case = filed(city, people)
    services.dispatch(case, people["dora"], now=T0 + 20 * MINUTE)
    v = values(DAY)
    assert (v["due_handle"], v["handled"], v["handling_rate"]) == (1, 0, Decimal("0.00"))
    assert (v["due_close"], v["closed"], v["closing_rate"]) == (1, 0, Decimal("0.00"))
    assert values(DAY + timedelta(days=1)) == {}
