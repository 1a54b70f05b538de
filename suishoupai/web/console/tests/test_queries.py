"""The queues cost the same number of queries for 2 cases as for 20 (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import walk

pytestmark = pytest.mark.django_db

PAGES = [
    ("console:intake", "olga", "submitted"),
    ("console:dispatch", "dora", "filed"),
    ("console:department", "carl", "dispatched"),
    ("console:verify", "ivan", "resolved"),
    ("console:lead", "leo", "verified"),
    ("console:overdue", "lily", "dispatched"),
]


def _queries(client, name) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name)).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name,persona,state", PAGES, ids=[p[0] for p in PAGES])
def test_a_queue_does_not_query_per_row(client, city, people, name, persona, state):
    client.force_login(people[persona])
    for _ in range(2):
        walk(city, people, state)
    Case.objects.update(is_overdue=True)
    few = _queries(client, name)
    for _ in range(18):
        walk(city, people, state)
    Case.objects.update(is_overdue=True)
    assert _queries(client, name) == few
