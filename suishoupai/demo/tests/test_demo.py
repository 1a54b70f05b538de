"""`manage.py load_demo`: users for every role, cases in every state, safe to run again."""

from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent, CaseRequest, Channel, Decision, RequestKind
from suishoupai.cases.states import State
from suishoupai.catalog.models import Category
from suishoupai.city.services import load_city
from suishoupai.demo.services import DAY, PASSWORD, load_demo
from suishoupai.factories import TZ, WEDNESDAY_9AM
from suishoupai.org.models import Role, User
from suishoupai.places.models import Area, AreaLevel
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import LimitUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbin(settings):
    load_city(settings.BASE_DIR / "cities" / "harbin")


def run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Case, CaseEvent, CaseRequest, User))


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One load shared by a class of read-mostly tests, to keep the file fast. Each
    test still runs in its own savepoint: nothing one writes is seen by the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_city(Path(settings.BASE_DIR) / "cities" / "harbin")
        yield run()
        transaction.set_rollback(True)


class TestTheLoadedDemo:
    def test_it_creates_a_user_for_every_role(self, demo):
        assert {u.role for u in User.objects.all()} == set(Role.values)
        assert all(u.check_password(PASSWORD) and u.display_name for u in User.objects.all())
        admin = User.objects.get(username="admin")
        assert admin.is_staff and admin.is_superuser
        assert not User.objects.exclude(username="admin").filter(is_staff=True).exists()
        assert User.objects.get(username="hans").department.code == "daowai_sanitation"
        assert "Users created: olga" in demo

    def test_it_creates_cases_in_every_state_category_and_district(self, demo):
        cases = Case.objects.all()
        assert {c.state for c in cases} == set(State.values)
        categories = Category.objects.values_list("code", flat=True)
        assert {c.category.code for c in cases} == set(categories)
        served = Area.objects.filter(level=AreaLevel.DISTRICT, in_service=True)
        assert {c.district_id for c in cases} == set(served.values_list("pk", flat=True))
        # The address names the district the point was located in.
        assert all(c.address.startswith(c.district.name) for c in cases)
        assert f"Demo cases created: {cases.count()}" in demo

    def test_it_shows_requests_reworks_and_ratings(self, demo):
        def requests(kind, decision):
            return CaseRequest.objects.filter(kind=kind, decision=decision)

        assert requests(RequestKind.RETURN, Decision.PENDING).exists()
        assert requests(RequestKind.EXTENSION, Decision.PENDING).exists()
        assert requests(RequestKind.EXTENSION, Decision.APPROVED).exists()
        suspension = requests(RequestKind.SUSPENSION, Decision.APPROVED).get()
        assert suspension.case.state == State.SUSPENDED
        assert Case.objects.filter(state=State.RESOLVED, rework_count=1).exists()
        # Passed on by 市环卫中心 to 道外区环卫部门, not yet signed for.
        second_level = Case.objects.get(
            state=State.DISPATCHED, first_department__code="city_sanitation"
        )
        assert second_level.department.code == "daowai_sanitation"
        assert Case.objects.get(state=State.MERGED).merged_into == second_level
        ratings = Case.objects.filter(state=State.CLOSED).values_list("rating", flat=True)
        assert {"satisfied", "basically_satisfied", "unsatisfied"} <= set(ratings)
        assert CaseEvent.objects.filter(action="case.callback").exists()
        channels = set(Case.objects.values_list("channel", flat=True))
        assert channels == {Channel.CITIZEN, Channel.HOTLINE, Channel.PATROL}
        assert Case.objects.filter(is_anonymous=True).exists()
        assert Case.objects.filter(is_public=False).count() == 1

    def test_it_changes_nothing_when_run_twice(self, demo):
        olga = User.objects.get(username="olga")
        olga.set_password("changed-by-olga")
        olga.save()
        before = counts()

        out = run()

        assert counts() == before
        assert User.objects.get(username="olga").check_password("changed-by-olga")
        assert "Users kept as they were: olga" in out
        assert "no demo cases added" in out


@pytest.mark.parametrize(
    "now",
    [
        WEDNESDAY_9AM,
        datetime(2026, 11, 29, 3, 0, tzinfo=TZ),  # Sunday night
        datetime(2026, 10, 4, 12, 0, tzinfo=TZ),  # National Day holiday
    ],
    ids=["working-morning", "sunday-night", "holiday"],
)
def test_it_tells_the_same_story_whatever_the_moment(harbin, now):
    result = load_demo(now=now)

    assert set(result.cases_by_state) == set(State.values)
    overdue = Case.objects.filter(is_overdue=True)
    # The three written to be late are late; cases left unsigned-for past the
    # sign-for limit may be too, depending on where "now" falls in office hours.
    assert {"manhole_cover", "sanitation", "tree_care"} <= {c.category.code for c in overdue}
    assert all(c.due_at < now for c in overdue)
    assert sorted(result.overdue) == sorted(c.number for c in overdue)
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    # About two weeks of office time; a long holiday stretches it on the calendar.
    first = Case.objects.order_by("created_at").first()
    assert clock.counted_minutes(first.created_at, now, LimitUnit.WORKING_HOURS) <= 11 * DAY
    # Submitted in order: numbers and submission times agree.
    times = list(Case.objects.order_by("number").values_list("created_at", flat=True))
    assert times == sorted(times)


def test_it_adds_no_cases_next_to_existing_ones(harbin):
    services.submit(
        services.Report(category="sanitation", description="路边有垃圾", lat=45.7808, lng=126.6488),
        now=WEDNESDAY_9AM,
    )

    run()

    assert Case.objects.count() == 1
    assert User.objects.filter(role=Role.OPERATOR).exists()


def test_it_fails_clearly_without_the_reference_data(db):
    with pytest.raises(CommandError, match="load_reference"):
        run()

    assert not User.objects.exists()
