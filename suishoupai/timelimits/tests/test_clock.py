import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from suishoupai.timelimits import calendar, clock
from suishoupai.timelimits.models import CalendarDay, WorkingPeriod

from .utils import DAYS, HOURS, SHANGHAI, URGENT, at

pytestmark = pytest.mark.django_db

# 2026 dates from chinese_calendar 1.11:
# - 2026-03-13 is an ordinary Friday, 2026-03-16 an ordinary Monday.
# - Spring Festival: 2026-02-15 (Sun) to 2026-02-23 (Mon) off; make-up Saturdays 02-14, 02-28.
# - Mid-Autumn 2026-09-25 (Fri) to 09-27 off, National Day 10-01 to 10-07 off;
#   make-up days Sunday 2026-09-20 and Saturday 2026-10-10.


@pytest.mark.parametrize(
    ("amount", "unit", "minutes"),
    [
        (1, HOURS, 60),
        (Decimal("0.5"), HOURS, 30),
        (Decimal("1.5"), URGENT, 90),
        (1, DAYS, 450),
        (0.1, DAYS, 45),
        (Decimal("0.01"), HOURS, 1),  # 0.6 min rounds half up
    ],
)
def test_it_converts_limits_to_minutes(
    amount: Decimal | int | float, unit: str, minutes: int
) -> None:
    assert clock.minutes_for(amount, unit) == minutes


class TestAcrossAWeekend:
    def test_it_counts_urgent_hours_through_the_weekend(self) -> None:
        assert clock.add(at(2026, 3, 13, 16), 24, URGENT) == at(2026, 3, 14, 16)

    def test_it_resumes_working_hours_on_monday(self) -> None:
        # 90 minutes on Friday, the other 150 from Monday 08:30.
        assert clock.add(at(2026, 3, 13, 16), 4, HOURS) == at(2026, 3, 16, 11)

    def test_it_makes_one_working_day_from_friday_due_at_the_same_time_monday(self) -> None:
        assert clock.add(at(2026, 3, 13, 16), 1, DAYS) == at(2026, 3, 16, 16)

    def test_it_makes_one_working_day_from_saturday_due_at_the_end_of_monday(self) -> None:
        assert clock.add(at(2026, 3, 14, 10), 1, DAYS) == at(2026, 3, 16, 17, 30)


class TestAcrossAStatutoryHoliday:
    def test_it_counts_urgent_hours_through_national_day(self) -> None:
        assert clock.add(at(2026, 9, 30, 16), 48, URGENT) == at(2026, 10, 2, 16)

    def test_it_skips_national_day_for_working_hours(self) -> None:
        assert clock.add(at(2026, 9, 30, 16), 2, HOURS) == at(2026, 10, 8, 9)

    def test_it_skips_national_day_for_working_days(self) -> None:
        assert clock.add(at(2026, 9, 30, 16), 1, DAYS) == at(2026, 10, 8, 16)

    def test_it_skips_the_mid_autumn_friday(self) -> None:
        assert clock.add(at(2026, 9, 24, 16), 1, DAYS) == at(2026, 9, 28, 16)

    def test_it_skips_spring_festival_but_counts_its_make_up_saturday(self) -> None:
        # Friday 90 min + Saturday 02-14 450 min + Tuesday 02-24 360 min = 2 x 450.
        assert clock.add(at(2026, 2, 13, 16), 2, DAYS) == at(2026, 2, 24, 16)


class TestOnAMakeUpWorkingDay:
    def test_it_counts_the_make_up_saturday_as_working_time(self) -> None:
        assert clock.add(at(2026, 10, 9, 17), 1, HOURS) == at(2026, 10, 10, 9)

    def test_it_counts_the_make_up_sunday_as_a_working_day(self) -> None:
        assert clock.add(at(2026, 9, 19, 10), 1, DAYS) == at(2026, 9, 20, 17, 30)

    def test_it_does_not_change_urgent_hours(self) -> None:
        assert clock.add(at(2026, 10, 9, 17), 1, URGENT) == at(2026, 10, 9, 18)

    def test_it_counts_minutes_worked_on_the_make_up_day(self) -> None:
        assert clock.counted_minutes(at(2026, 10, 9, 17), at(2026, 10, 12, 9), HOURS) == (
            30 + 450 + 30
        )


class TestIn2027WithoutPackageData:
    def test_it_counts_weekdays_as_working_days(self) -> None:
        assert clock.add(at(2027, 3, 4, 16), 1, DAYS) == at(2027, 3, 5, 16)
        assert clock.add(at(2027, 3, 5, 16), 1, DAYS) == at(2027, 3, 8, 16)

    def test_it_follows_table_rows_that_swap_a_friday_and_a_saturday(self) -> None:
        CalendarDay.objects.create(date=dt.date(2027, 3, 5), kind="holiday", note="Test day off")
        CalendarDay.objects.create(date=dt.date(2027, 3, 6), kind="workday", note="Test make-up")
        assert clock.add(at(2027, 3, 4, 16), 1, DAYS) == at(2027, 3, 6, 16)
        assert clock.add(at(2027, 3, 4, 16), 2, HOURS) == at(2027, 3, 6, 9)


class TestStartOutsideWorkingTime:
    def test_it_starts_counting_at_the_morning_period(self) -> None:
        assert clock.add(at(2026, 3, 16, 7), 1, HOURS) == at(2026, 3, 16, 9, 30)

    def test_it_starts_counting_after_lunch(self) -> None:
        assert clock.add(at(2026, 3, 16, 12, 30), 1, HOURS) == at(2026, 3, 16, 14, 30)

    def test_it_starts_counting_the_next_working_morning(self) -> None:
        assert clock.add(at(2026, 3, 16, 20), 1, HOURS) == at(2026, 3, 17, 9, 30)

    def test_it_counts_every_night_minute_for_urgent_hours(self) -> None:
        assert clock.add(at(2026, 3, 16, 22), 2, URGENT) == at(2026, 3, 17, 0)

    def test_it_ends_a_deadline_that_fills_the_morning_at_noon(self) -> None:
        assert clock.add(at(2026, 3, 16, 8, 30), Decimal("3.5"), HOURS) == at(2026, 3, 16, 12)

    def test_it_ends_a_full_working_day_at_the_end_of_the_day(self) -> None:
        assert clock.add(at(2026, 3, 16, 8, 30), 1, DAYS) == at(2026, 3, 16, 17, 30)

    def test_it_returns_the_start_for_zero_minutes(self) -> None:
        assert clock.add_minutes(at(2026, 3, 14, 3), 0, HOURS) == at(2026, 3, 14, 3)


class TestWorkingPeriodsFromTheTable:
    @pytest.fixture(autouse=True)
    def nine_to_five(self) -> None:
        WorkingPeriod.objects.create(start=dt.time(9), end=dt.time(17))

    def test_it_makes_a_working_day_as_long_as_the_periods(self) -> None:
        assert clock.minutes_for(1, DAYS) == 480

    def test_it_counts_only_the_new_periods(self) -> None:
        assert clock.add(at(2026, 3, 16, 8, 30), 1, HOURS) == at(2026, 3, 16, 10)
        assert clock.add(at(2026, 3, 16, 12), 1, HOURS) == at(2026, 3, 16, 13)

    def test_it_ends_a_working_day_at_the_new_end(self) -> None:
        assert clock.add(at(2026, 3, 14, 10), 1, DAYS) == at(2026, 3, 16, 17)


class TestCountedMinutes:
    def test_it_counts_working_minutes_across_lunch(self) -> None:
        assert clock.counted_minutes(at(2026, 3, 16, 11), at(2026, 3, 16, 14), HOURS) == 90

    def test_it_is_negative_when_the_end_is_earlier(self) -> None:
        assert clock.counted_minutes(at(2026, 3, 16, 10), at(2026, 3, 16, 9), HOURS) == -60
        assert clock.counted_minutes(at(2026, 3, 16, 10), at(2026, 3, 13, 16), DAYS) == -180
        assert clock.counted_minutes(at(2026, 3, 16, 10), at(2026, 3, 13, 16), URGENT) == -66 * 60

    def test_it_counts_nothing_over_a_holiday(self) -> None:
        assert clock.counted_minutes(at(2026, 10, 1), at(2026, 10, 8), HOURS) == 0

    def test_it_truncates_partial_minutes(self) -> None:
        end = at(2026, 3, 16, 9) + dt.timedelta(seconds=59)
        assert clock.counted_minutes(at(2026, 3, 16, 9), end, HOURS) == 0
        assert clock.counted_minutes(end, at(2026, 3, 16, 9), HOURS) == 0


class TestSuspension:
    def test_it_keeps_the_remaining_working_time_over_a_pause(self) -> None:
        due = clock.add(at(2026, 3, 13, 16), 1, DAYS)  # Monday 16:00
        remaining = clock.counted_minutes(at(2026, 3, 16, 10), due, DAYS)  # suspended
        assert remaining == 120 + 150
        new_due = clock.add_minutes(at(2026, 3, 18, 14), remaining, DAYS)  # resumed
        assert new_due == at(2026, 3, 19, 9, 30)

    def test_it_keeps_an_overdue_case_overdue_by_the_same_amount(self) -> None:
        due = at(2026, 3, 16, 16)
        remaining = clock.counted_minutes(at(2026, 3, 16, 17), due, HOURS)
        assert remaining == -60
        # Back from 14:00: 30 minutes after lunch, then 30 before noon.
        new_due = clock.add_minutes(at(2026, 3, 18, 14), remaining, HOURS)
        assert new_due == at(2026, 3, 18, 11, 30)

    def test_it_carries_a_pause_over_national_day(self) -> None:
        due = at(2026, 9, 30, 16)
        remaining = clock.counted_minutes(at(2026, 9, 30, 15), due, HOURS)
        assert clock.add_minutes(at(2026, 9, 30, 17), remaining, HOURS) == at(2026, 10, 8, 9)


class TestTimeZonesAndErrors:
    def test_it_returns_aware_datetimes_in_the_current_time_zone(self) -> None:
        due = clock.add(dt.datetime(2026, 3, 16, 1, tzinfo=dt.UTC), 1, HOURS)
        assert due == at(2026, 3, 16, 10)
        assert str(due.tzinfo) == str(SHANGHAI)

    @pytest.mark.parametrize(
        "call",
        [
            lambda: clock.minutes_for(1, "days"),
            lambda: clock.add(at(2026, 3, 16, 9), 1, "hours"),
            lambda: clock.add_minutes(at(2026, 3, 16, 9), 1, ""),
            lambda: clock.counted_minutes(at(2026, 3, 16, 9), at(2026, 3, 16, 10), "weeks"),
        ],
    )
    def test_it_rejects_an_unknown_unit(self, call: Callable[[], object]) -> None:
        with pytest.raises(ValueError, match="Unknown time limit unit"):
            call()

    def test_it_rejects_naive_datetimes(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            clock.add(dt.datetime(2026, 3, 16, 9), 1, HOURS)

    def test_it_rejects_a_non_finite_amount(self) -> None:
        with pytest.raises(ValueError, match="finite"):
            clock.minutes_for(float("inf"), HOURS)

    def test_it_gives_up_when_no_day_is_a_working_day(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(calendar, "_statutory_workday", lambda day: False)
        monkeypatch.setattr(calendar, "_cache", {})  # a snapshot taken before the change
        with pytest.raises(clock.NoWorkingTimeError, match="calendar days"):
            clock.add(at(2026, 3, 16, 9), 1, HOURS)


class TestLongSpans:
    def test_it_adds_thirty_working_days_over_mid_autumn_and_national_day(self) -> None:
        # Make-up days 09-20 and 10-10 count, 09-25 and 10-01..10-07 do not.
        assert clock.add(at(2026, 9, 1, 9), 30, DAYS) == at(2026, 10, 19, 9)

    def test_it_counts_a_whole_year_of_working_time(self) -> None:
        minutes = clock.counted_minutes(at(2026, 1, 1), at(2027, 1, 1), DAYS)
        assert minutes % 450 == 0
        assert minutes // 450 == sum(
            calendar.is_workday(dt.date(2026, 1, 1) + dt.timedelta(days=n)) for n in range(365)
        )
