"""suishoupai.refcache: reference rows read once, dropped on a save, re-read after its time."""

from decimal import Decimal

import pytest
import time_machine

from suishoupai.catalog.selectors import active_category, route
from suishoupai.refcache import invalidate_all
from suishoupai.timelimits.models import LimitUnit, Stage, StageLimit
from suishoupai.timelimits.selectors import stage_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.REFERENCE_CACHE_SECONDS = 30
    yield
    invalidate_all()  # rows of this test's rolled-back transaction must not outlive it


def test_a_second_read_asks_the_database_nothing(city, cached, django_assert_num_queries):
    stage_limit(Stage.ACCEPT)
    route(city.pothole.subcategory.category, city.pothole.subcategory, city.nangang)
    with django_assert_num_queries(0):
        assert stage_limit(Stage.ACCEPT) == (Decimal("1.00"), LimitUnit.WORKING_HOURS)
        dept = route(city.pothole.subcategory.category, city.pothole.subcategory, city.nangang)
        assert dept == city.nangang_roads


def test_a_save_drops_the_copy_at_once(city, cached):
    assert stage_limit(Stage.ACCEPT)[0] == Decimal("1.00")
    limit = StageLimit.objects.get(stage=Stage.ACCEPT)
    limit.amount = Decimal("2")
    limit.save()
    assert stage_limit(Stage.ACCEPT)[0] == Decimal("2")
    city.pothole.subcategory.category.active = False
    city.pothole.subcategory.category.save()
    assert active_category("road_damage") is None


def test_a_change_made_elsewhere_is_seen_after_the_cache_s_time(city, cached):
    with time_machine.travel("2026-11-25 09:00 +0800", tick=False) as clock:
        assert stage_limit(Stage.ACCEPT)[0] == Decimal("1.00")
        # Another process's change: no signal here.
        StageLimit.objects.filter(stage=Stage.ACCEPT).update(amount=Decimal("3"))
        assert stage_limit(Stage.ACCEPT)[0] == Decimal("1.00")
        clock.shift(31)
        assert stage_limit(Stage.ACCEPT)[0] == Decimal("3")
