"""Real concurrent transactions: PostgreSQL only (SQLite serialises all writers)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from suishoupai.cases import services
from suishoupai.errors import IllegalTransition
from suishoupai.factories import WEDNESDAY_9AM

from .journeys import report

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(*calls) -> list:
    """Run the calls at the same moment in separate threads and connections."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


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
