"""The same update_id posted twice at the same moment is recorded once: PostgreSQL only."""

import threading

import pytest
from django.db import connection

from suishoupai.cases.models import CaseEvent
from suishoupai.open311 import services
from suishoupai.open311.models import ClientUpdate

from .conftest import garbage_form

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_a_repeated_update_racing_itself_is_recorded_once(post, hotline):
    number = post("requests.json", garbage_form(hotline.raw_key)).json()[0]["service_request_id"]
    update = services.NewUpdate(
        service_request_id=number, update_id="fms-7", status="OPEN", description="补充"
    )
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i):
        try:
            barrier.wait()
            results[i] = services.post_update(hotline, update)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _u, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert ClientUpdate.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.external_update").count() == 1
