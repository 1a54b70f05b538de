import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suishoupai.timelimits import calendar, clock
from suishoupai.timelimits.models import LimitUnit

from .utils import HOURS, SHANGHAI, URGENT

pytestmark = pytest.mark.django_db

# 2026 is covered by chinese_calendar, 2027 by the weekday fallback.
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(SHANGHAI),
)
# Whole minutes make counted time exact, so sums add up without truncation.
minute_moments = moments.map(lambda m: m.replace(second=0, microsecond=0))
units = st.sampled_from(LimitUnit.values)
working_units = st.sampled_from([LimitUnit.WORKING_HOURS.value, LimitUnit.WORKING_DAYS.value])
minutes = st.integers(min_value=-20_000, max_value=20_000)
days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31))

examples = settings(max_examples=150, deadline=None)


@examples
@given(start=moments, count=minutes, unit=units)
def test_it_counts_back_the_minutes_it_added(start: dt.datetime, count: int, unit: str) -> None:
    assert clock.counted_minutes(start, clock.add_minutes(start, count, unit), unit) == count


@examples
@given(start=moments, a=minutes, b=minutes, unit=units)
def test_it_never_moves_a_deadline_back_for_more_minutes(
    start: dt.datetime, a: int, b: int, unit: str
) -> None:
    low, high = sorted((a, b))
    assert clock.add_minutes(start, low, unit) <= clock.add_minutes(start, high, unit)


@examples
@given(a=minute_moments, b=minute_moments, c=minute_moments, unit=units)
def test_it_adds_up_counted_minutes_of_consecutive_spans(
    a: dt.datetime, b: dt.datetime, c: dt.datetime, unit: str
) -> None:
    assert clock.counted_minutes(a, c, unit) == (
        clock.counted_minutes(a, b, unit) + clock.counted_minutes(b, c, unit)
    )


@examples
@given(start=moments, count=st.integers(min_value=1, max_value=20_000), unit=working_units)
def test_it_ends_working_deadlines_inside_working_time(
    start: dt.datetime, count: int, unit: str
) -> None:
    due = clock.add_minutes(start, count, unit).astimezone(SHANGHAI)
    assert calendar.is_workday(due.date())
    assert any(begin < due.time() <= end for begin, end in calendar.working_periods())


@examples
@given(day=days, unit=working_units)
def test_it_counts_no_working_time_at_night_or_on_days_off(day: dt.date, unit: str) -> None:
    def local(d: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(hour, minute), SHANGHAI)

    next_day = day + dt.timedelta(days=1)
    assert clock.counted_minutes(local(day, 17, 30), local(next_day, 8, 30), unit) == 0
    assert clock.counted_minutes(local(day, 12), local(day, 13, 30), unit) == 0
    whole_day = clock.counted_minutes(local(day, 0), local(next_day, 0), unit)
    assert whole_day == (450 if calendar.is_workday(day) else 0)


@examples
@given(start=moments, count=st.integers(min_value=0, max_value=20_000))
def test_it_counts_every_minute_of_urgent_hours(start: dt.datetime, count: int) -> None:
    due = clock.add_minutes(start, count, URGENT)
    assert due - start == dt.timedelta(minutes=count)
    assert clock.counted_minutes(start, due, HOURS) <= count


# The working-time table (clock._Table) answers with binary searches; the day-by-day walk
# (_forward, _working_time) is the definition. Moments reach into 2025 and 2028 so that
# tables are built, widened and left (the walk answers outside them).
wide_moments = st.datetimes(
    min_value=dt.datetime(2025, 6, 1),
    max_value=dt.datetime(2028, 3, 31),
    timezones=st.just(SHANGHAI),
)


@settings(max_examples=400, deadline=None)
@given(start=wide_moments, count=st.integers(min_value=1, max_value=60_000), unit=working_units)
def test_the_table_gives_the_same_deadline_as_walking_day_by_day(
    start: dt.datetime, count: int, unit: str
) -> None:
    walked = clock._forward(calendar.current(), start.astimezone(dt.UTC), count * clock._MINUTE)
    assert clock.add_minutes(start, count, unit) == walked


@settings(max_examples=400, deadline=None)
@given(a=wide_moments, b=wide_moments, unit=working_units)
def test_the_table_counts_the_same_working_time_as_walking_day_by_day(
    a: dt.datetime, b: dt.datetime, unit: str
) -> None:
    low, high = sorted((a.astimezone(dt.UTC), b.astimezone(dt.UTC)))
    walked = clock._working_time(calendar.current(), low, high) // clock._MINUTE
    assert clock.counted_minutes(low, high, unit) == walked
