"""The case-event signals: every event the services write is announced twice,
inside its transaction (event_recorded) and after commit (event_committed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.cases.signals import event_committed, event_recorded
from suishoupai.factories import WEDNESDAY_9AM

from .journeys import report, walk
from .test_transitions import _photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Events each signal delivered, and whether the sender was inside a transaction."""
    seen = {"recorded": [], "committed": [], "in_transaction": []}

    def on_recorded(sender, event, **kwargs):
        seen["recorded"].append(event.pk)
        seen["in_transaction"].append(transaction.get_connection().in_atomic_block)

    def on_committed(sender, event, **kwargs):
        seen["committed"].append(event.pk)

    event_recorded.connect(on_recorded, dispatch_uid="test.recorded")
    event_committed.connect(on_committed, dispatch_uid="test.committed")
    yield seen
    event_recorded.disconnect(dispatch_uid="test.recorded")
    event_committed.disconnect(dispatch_uid="test.committed")


def test_every_event_the_services_write_is_announced_in_and_after_its_transaction(
    city, people, heard, django_capture_on_commit_callbacks
):
    t = WEDNESDAY_9AM + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        case = walk(city, people, "in_progress", overdue=True)  # also the overdue mark
        services.dispatch_on(case, people["carl"], department=city.daowai_sanitation.pk)
        services.request_extension(case, people["hans"], reason="需协调", amount=Decimal(1))
        services.deny_extension(case, people["leo"])
        services.external_update(case, client_label="12345", note="市民来电催办")
        photo = _photo(case)
        services.redact_photo(photo, people["olga"], [{"x": 0, "y": 0, "w": 9, "h": 9}])
        services.hide_photo(photo, people["olga"])
        services.show_photo(photo, people["leo"])
        duplicate = report(city, t)
        services.merge(duplicate, people["olga"], into=case.number)
        closed = walk(city, people, "closed")
        services.rate(closed, rating="satisfied", stars=5)

    written = list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True))
    actions = set(CaseEvent.objects.values_list("action", flat=True))
    assert {"case.external_update", "photo.redacted", "photo.hidden", "photo.shown"} <= actions
    assert {"case.merge_received", "case.urged", "case.rated"} <= actions
    assert heard["recorded"] == written
    assert heard["committed"] == written
    assert all(heard["in_transaction"])


def test_a_listener_failing_inside_the_transaction_undoes_the_move(city, people):
    case = walk(city, people, "submitted")

    def refuse(sender, event, **kwargs):
        raise RuntimeError("rollup failed")

    event_recorded.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            services.accept(case, people["olga"])
    finally:
        event_recorded.disconnect(dispatch_uid="test.refuse")
    assert Case.objects.get(pk=case.pk).state == "submitted"
    assert not CaseEvent.objects.filter(case=case, action="case.filed").exists()


def test_nothing_is_announced_after_commit_for_a_move_that_rolled_back(
    city, people, heard, django_capture_on_commit_callbacks
):
    case = walk(city, people, "submitted")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.accept(case, people["olga"])
        raise RuntimeError("the caller's transaction fails later")
    assert heard["recorded"] != [] and heard["committed"] == []
    assert callbacks == []


def test_a_failing_listener_after_commit_is_logged_and_the_move_stands(
    city, people, heard, caplog, django_capture_on_commit_callbacks
):
    case = walk(city, people, "submitted")

    def broken(sender, event, **kwargs):
        raise RuntimeError("mail server down")

    event_committed.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.accept(case, people["olga"])
    finally:
        event_committed.disconnect(dispatch_uid="test.broken")
    assert Case.objects.get(pk=case.pk).state == "filed"
    filed = CaseEvent.objects.get(case=case, action="case.filed")
    # The other listeners still heard it.
    assert heard["committed"] == [filed.pk]
    assert "mail server down" in caplog.text
