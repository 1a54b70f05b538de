import datetime as dt
import logging

import pytest
from django.db import transaction

from suishoupai.timelimits import calendar
from suishoupai.timelimits.models import CalendarDay, WorkingPeriod

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (D(2026, 3, 13), True),  # ordinary Friday
        (D(2026, 3, 14), False),  # ordinary Saturday
        (D(2026, 2, 14), True),  # Saturday make-up day before Spring Festival
        (D(2026, 2, 16), False),  # Monday in Spring Festival
        (D(2026, 2, 23), False),  # last day of Spring Festival, a Monday
        (D(2026, 9, 20), True),  # Sunday make-up day for National Day
        (D(2026, 9, 25), False),  # Mid-Autumn Festival, a Friday
        (D(2026, 10, 1), False),  # National Day
        (D(2026, 10, 10), True),  # Saturday make-up day after National Day
    ],
)
def test_it_follows_the_2026_statutory_calendar(day: dt.date, works: bool) -> None:
    assert calendar.is_workday(day) is works


def test_it_falls_back_to_weekdays_for_a_year_the_package_does_not_know() -> None:
    assert calendar.is_workday(D(2027, 3, 5))  # Friday
    assert not calendar.is_workday(D(2027, 3, 6))  # Saturday


def test_it_warns_once_per_unknown_year(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger=calendar.__name__):
        calendar.is_workday(D(2030, 1, 7))
        calendar.is_workday(D(2030, 1, 8))
        calendar.is_workday(D(2031, 1, 7))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "2030" in messages[0]
    assert "calendar table" in messages[0]


def test_it_does_not_warn_for_a_year_entered_in_the_table(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar, "_warned_years", set())
    CalendarDay.objects.create(date=D(2027, 1, 1), kind="holiday", note="New Year's Day")
    with caplog.at_level(logging.WARNING, logger=calendar.__name__):
        assert calendar.is_workday(D(2027, 3, 5))
    assert caplog.records == []


def test_it_lets_a_table_row_override_the_package() -> None:
    CalendarDay.objects.create(date=D(2026, 3, 16), kind="holiday", note="Local day off")
    CalendarDay.objects.create(date=D(2026, 10, 11), kind="workday", note="Extra make-up day")
    assert not calendar.is_workday(D(2026, 3, 16))
    assert calendar.is_workday(D(2026, 10, 11))


def test_it_lets_table_rows_turn_2027_weekdays_and_weekends_around() -> None:
    CalendarDay.objects.create(date=D(2027, 3, 5), kind="holiday")
    CalendarDay.objects.create(date=D(2027, 3, 6), kind="workday")
    assert not calendar.is_workday(D(2027, 3, 5))
    assert calendar.is_workday(D(2027, 3, 6))


def test_it_sees_deleted_rows_go() -> None:
    row = CalendarDay.objects.create(date=D(2026, 3, 16), kind="holiday")
    assert not calendar.is_workday(D(2026, 3, 16))
    row.delete()
    assert calendar.is_workday(D(2026, 3, 16))


def test_it_forgets_rows_of_a_rolled_back_transaction() -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        CalendarDay.objects.create(date=D(2026, 3, 16), kind="holiday")
        assert not calendar.is_workday(D(2026, 3, 16))
        raise Abort
    assert calendar.is_workday(D(2026, 3, 16))


def test_it_defaults_to_the_usual_working_periods() -> None:
    assert calendar.working_periods() == [
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    ]


def test_it_reads_working_periods_from_the_table_in_order() -> None:
    WorkingPeriod.objects.create(start=dt.time(14), end=dt.time(18))
    WorkingPeriod.objects.create(start=dt.time(9), end=dt.time(12))
    assert calendar.working_periods() == [(dt.time(9), dt.time(12)), (dt.time(14), dt.time(18))]


def test_it_merges_overlapping_working_periods() -> None:
    WorkingPeriod.objects.create(start=dt.time(8), end=dt.time(12))
    WorkingPeriod.objects.create(start=dt.time(11), end=dt.time(13))
    WorkingPeriod.objects.create(start=dt.time(13), end=dt.time(17))
    assert calendar.working_periods() == [(dt.time(8), dt.time(17))]


def test_it_lists_the_known_years() -> None:
    years = calendar.known_years()
    assert years[0] == 2004
    assert 2026 in years
    assert 2027 not in years


def test_it_counts_a_year_entered_in_the_table_as_known() -> None:
    CalendarDay.objects.create(date=D(2027, 1, 1), kind="holiday")
    assert 2027 in calendar.known_years()
