import datetime as dt

import pytest
from django.contrib import admin

from suishoupai.timelimits.admin import missing_year_reminder
from suishoupai.timelimits.models import CalendarDay, StageLimit, WorkingPeriod

pytestmark = pytest.mark.django_db


def test_it_reminds_to_enter_next_years_holidays() -> None:
    reminder = missing_year_reminder(dt.date(2026, 11, 25))
    assert reminder is not None
    assert "2027" in reminder


def test_it_stops_reminding_once_next_year_has_rows() -> None:
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday")
    assert missing_year_reminder(dt.date(2026, 11, 25)) is None


def test_it_does_not_remind_while_the_package_knows_next_year() -> None:
    assert missing_year_reminder(dt.date(2025, 11, 25)) is None


@pytest.mark.parametrize("model", [CalendarDay, WorkingPeriod, StageLimit])
def test_it_registers_every_model_without_admin_check_errors(model: type) -> None:
    model_admin: admin.ModelAdmin = admin.site.get_model_admin(model)
    assert model_admin.check() == []
