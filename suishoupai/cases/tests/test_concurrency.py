"""Real concurrent transactions: PostgreSQL only (SQLite serialises all writers)."""

from datetime import timedelta

from suishoupai.cases import services
from suishoupai.errors import IllegalTransition
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

from .journeys import report

pytestmark = POSTGRES_ONLY


def test_it_lets_exactly_one_of_two_dispatchers_win(city, olga, dora, leo):
    case = report(city)
    services.accept(case, olga, now=WEDNESDAY_9AM + timedelta(minutes=5))
    later = WEDNESDAY_9AM + timedelta(minutes=10)
    results = race(
        lambda: services.dispatch(case.pk, dora, department=city.city_sanitation.pk, now=later),
        lambda: services.dispatch(case.pk, leo, department=city.nangang_roads.pk, now=later),
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], IllegalTransition)
    case.refresh_from_db()
    assert case.department_id == winners[0].department_id
    assert case.events.filter(action="case.dispatched").count() == 1


def test_it_gives_concurrent_reports_distinct_numbers(city):
    results = race(*[lambda: report(city) for _ in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(r.number for r in results)
    assert numbers == [f"20261125-{i:04d}" for i in range(1, 9)]
