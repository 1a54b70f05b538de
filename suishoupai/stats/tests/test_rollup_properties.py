"""Property: whatever happens to cases, the daily rollups kept event by event equal a
full recomputation from the events (and `rebuild` gives the same cells)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suishoupai import factories as c
from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import report
from suishoupai.errors import DomainError
from suishoupai.stats import services as stats

from .utils import assert_rollups_equal_recomputation

pytestmark = pytest.mark.django_db

ACTIONS = [
    "report",
    "accept",
    "reject",
    "merge",
    "dispatch",
    "dispatch_nangang",
    "redispatch",
    "dispatch_on",
    "take",
    "feedback",
    "return",
    "extension",
    "suspension",
    "resume",
    "verify_pass",
    "verify_fail",
    "close",
    "void",
    "urge",
    "mark_overdue",
    "appeal_approved",
    "appeal_denied",
    "callback",
    "rate",
    "reopen",
    "support",
]
steps = st.lists(
    st.tuples(
        # "advance" (the next step of the usual path) often, so histories get far.
        st.sampled_from(ACTIONS + ["advance"] * len(ACTIONS)),
        st.sampled_from([0, 0, 0, 1, 2, 3]),  # which case, mostly the first
        st.integers(min_value=0, max_value=2 * 24 * 60),  # minutes later
        st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied"]),
    ),
    min_size=15,
    max_size=40,
)


def _holder(city, people, case: Case):
    return {
        city.city_sanitation.pk: people["carl"],
        city.daowai_sanitation.pk: people["hans"],
        city.nangang_roads.pk: people["nina"],
    }.get(case.department_id, people["carl"])


def _do(city, people, action: str, case: Case, other: Case, t, rating: str) -> None:
    p, h = people, _holder(city, people, case)
    if action == "advance":
        action = NEXT.get(case.state, "rate")
    match action:
        case "accept":
            services.accept(case, p["olga"], now=t)
        case "reject":
            services.reject(case, p["olga"], reason="不属实", now=t)
        case "merge":
            services.merge(case, p["olga"], into=other.number, now=t)
        case "dispatch":
            services.dispatch(case, p["dora"], now=t)
        case "dispatch_nangang":
            services.dispatch(case, p["dora"], department=city.nangang_roads.pk, now=t)
        case "redispatch":
            services.redispatch(case, p["dora"], department=city.city_sanitation.pk, now=t)
        case "dispatch_on":
            services.dispatch_on(case, h, department=city.daowai_sanitation.pk, now=t)
        case "take":
            services.take(case, h, now=t)
        case "feedback":
            services.feedback(case, h, note="已处理", now=t)
        case "return":
            services.request_return(case, h, reason="非本部门", now=t)
            services.approve_return(case, p["leo"], now=t)
        case "extension":
            services.request_extension(case, h, reason="等材料", amount=Decimal(3), now=t)
            services.approve_extension(case, p["leo"], now=t)
        case "suspension":
            services.request_suspension(case, h, reason="需施工季", now=t)
            services.approve_suspension(case, p["leo"], now=t)
        case "resume":
            services.resume(case, p["leo"], now=t)
        case "verify_pass":
            services.verify_pass(case, p["ivan"], now=t)
        case "verify_fail":
            services.verify_fail(case, p["ivan"], note="未处理完", now=t)
        case "close":
            services.close(case, p["leo"], now=t)
        case "void":
            services.void(case, p["leo"], reason="测试", now=t)
        case "urge":
            services.urge(case, p["leo"], now=t)
        case "mark_overdue":
            services.mark_overdue(now=t)
        case "appeal_approved" | "appeal_denied":
            services.request_appeal(case, h, reason="围挡", now=t)
            decide = (
                services.approve_appeal if action == "appeal_approved" else services.deny_appeal
            )
            decide(case, p["leo"], now=t)
        case "callback":
            services.callback(case, p["olga"], result="satisfied", now=t)
        case "rate":
            services.rate(case, rating=rating, now=t)
        case "reopen":
            services.reopen(case, p["leo"], reason="不满意", now=t)
        case "support":
            services.support(case, device=f"device-{t.timestamp()}", now=t)


NEXT = {
    "submitted": "accept",
    "filed": "dispatch",
    "dispatched": "take",
    "in_progress": "feedback",
    "resolved": "verify_pass",
    "verified": "close",
    "suspended": "resume",
}


class Rollback(Exception):
    pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=steps)
def test_rollups_always_equal_a_recomputation_from_the_events(city, people, history):
    try:
        with transaction.atomic():
            t = c.WEDNESDAY_9AM
            cases = [report(city, t)]
            for action, which, later, rating in history:
                t += timedelta(minutes=later)
                if action == "report":
                    cases.append(report(city, t))
                    continue
                case = Case.objects.get(pk=cases[which % len(cases)].pk)
                other = cases[(which + 1) % len(cases)]
                try:
                    with transaction.atomic():
                        _do(city, people, action, case, other, t, rating)
                except DomainError:
                    pass  # not a move this case can make now: nothing changed
                stats.compact()
            assert_rollups_equal_recomputation()
            before = stats.stored_cells()
            stats.rebuild()
            assert stats.stored_cells() == before
            raise Rollback
    except Rollback:
        pass
