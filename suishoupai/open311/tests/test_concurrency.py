"""The same update_id posted twice at the same moment is recorded once: PostgreSQL only."""

from suishoupai.cases.models import CaseEvent
from suishoupai.open311 import services
from suishoupai.open311.models import ClientUpdate
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

from .conftest import garbage_form

pytestmark = POSTGRES_ONLY


def test_a_repeated_update_racing_itself_is_recorded_once(post, hotline):
    number = post("requests.json", garbage_form(hotline.raw_key)).json()[0]["service_request_id"]
    update = services.NewUpdate(
        service_request_id=number, update_id="fms-7", status="OPEN", description="补充"
    )
    results = race(
        lambda: services.post_update(hotline, update),
        lambda: services.post_update(hotline, update),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _u, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert ClientUpdate.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.external_update").count() == 1
