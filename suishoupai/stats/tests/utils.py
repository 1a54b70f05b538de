from datetime import date, timedelta

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.stats import selectors
from suishoupai.stats.models import KEY_FIELDS, CaseFact
from suishoupai.stats.services import recompute, stored_cells

MINUTE = timedelta(minutes=1)


def values(
    since: date, until: date | None = None, by: str = "total", **kw
) -> dict[str, object] | dict:
    """{code: value} of the total row, or {label: {code: value}} with a breakdown."""
    q = selectors.Query(since, until or since, by, **kw)
    rows = selectors.indicators(q)
    if by == "total":
        return {k: v.value for k, v in rows[0].values.items()} if rows else {}
    return {r.label: {k: v.value for k, v in r.values.items()} for r in rows}


def assert_rollups_equal_recomputation() -> None:
    cells, per_case = recompute()
    assert stored_cells() == cells
    facts: dict[int, dict] = {}
    for f in CaseFact.objects.all():
        facts.setdefault(f.case_id, {})[tuple(getattr(f, k) for k in KEY_FIELDS)] = (
            f.count,
            f.total,
        )
    assert facts == {pk: v for pk, v in per_case.items() if v}


def closed_case(people, case: Case, t, *, handler="carl", rating="satisfied") -> Case:
    """Filed case → dispatched → handled → verified → closed (→ rated), 10 minutes apart."""
    services.dispatch(case, people["dora"], now=t)
    services.take(case, people[handler], now=t + 10 * MINUTE)
    services.feedback(case, people[handler], note="已清理", now=t + 20 * MINUTE)
    services.verify_pass(case, people["ivan"], now=t + 30 * MINUTE)
    services.close(case, people["leo"], now=t + 40 * MINUTE)
    if rating:
        services.rate(case, rating=rating, now=t + 50 * MINUTE)
    case.refresh_from_db()
    return case


def two_departments_history(city, people, t0):
    """One case closed by 道外区环卫 (passed on by 市环卫中心), satisfied; one pothole
    closed by 南岗区道桥, unsatisfied; one report still waiting; one overdue at 市环卫中心."""
    from suishoupai import factories as c
    from suishoupai.cases.tests.journeys import report

    a = report(None, t0)
    services.accept(a, people["olga"], now=t0 + MINUTE)
    services.dispatch(a, people["dora"], now=t0 + 2 * MINUTE)
    services.take(a, people["carl"], now=t0 + 3 * MINUTE)
    services.dispatch_on(a, people["carl"], department=city.daowai_sanitation.pk, now=t0)
    services.take(a, people["hans"], now=t0 + 4 * MINUTE)
    services.feedback(a, people["hans"], note="已清理", now=t0 + 5 * MINUTE)
    services.verify_pass(a, people["ivan"], now=t0 + 6 * MINUTE)
    services.close(a, people["leo"], now=t0 + 7 * MINUTE)
    services.rate(a, rating="satisfied", now=t0 + 8 * MINUTE)
    b = report(None, t0, where=c.NANGANG, category="road_damage")
    services.accept(b, people["olga"], condition="road_damage.pothole.large", now=t0 + MINUTE)
    closed_case(people, b, t0 + 2 * MINUTE, handler="nina", rating="unsatisfied")
    report(None, t0 + 3 * MINUTE)
    late = report(None, t0)
    services.accept(late, people["olga"], now=t0 + MINUTE)
    services.dispatch(late, people["dora"], now=t0 + 2 * MINUTE)
    services.take(late, people["carl"], now=t0 + 3 * MINUTE)
    late.refresh_from_db()
    services.mark_overdue(now=late.due_at + MINUTE)
    services.urge(late, people["lily"], now=late.due_at + 2 * MINUTE)
    return a, b, late
