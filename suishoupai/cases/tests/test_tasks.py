from datetime import timedelta

import pytest
import time_machine

from suishoupai.cases.tasks import mark_overdue_cases

from .journeys import walk


@pytest.mark.django_db
def test_the_periodic_task_marks_overdue_cases(city, people):
    case = walk(city, people, "in_progress")
    with time_machine.travel(case.due_at + timedelta(minutes=5), tick=False):
        # huey runs tasks inline in tests (HUEY immediate); .call_local runs the body.
        assert mark_overdue_cases.call_local() == [case.number]
        assert mark_overdue_cases.call_local() == []
    case.refresh_from_db()
    assert case.is_overdue
