"""Deadlines: a start plus a number of counted minutes.

Every limit becomes "start + N counted minutes"; the unit decides which minutes count.

- ``urgent_hours`` (紧急工作时): every minute counts, day and night, weekends and
  holidays included. N = hours x 60.
- ``working_hours`` (工作时): only minutes inside the working periods of working
  days count (see ``calendar.py`` for which days work). N = hours x 60.
- ``working_days`` (工作日): one working day is the length of a full working day
  (the sum of the working periods, e.g. 08:30-12:00 + 13:30-17:30 = 7.5 h = 450
  minutes), counted exactly like working hours. So a report at Friday 16:00 with
  1 working day is due at the next working day 16:00, and one made on Saturday is
  due at the end of Monday (when Monday works).

For the working units, a start outside working time begins counting at the next
working moment, and a deadline that uses up a period exactly ends at that period's
end (12:00), not at the start of the next one (13:30).

Suspension (挂账) needs nothing special: on suspend, ``remaining =
counted_minutes(now, due)``; on resume, ``due = add_minutes(now, remaining)``.
``remaining`` is negative for a case that was already overdue, and adding a
negative number counts backwards, so the case stays overdue by the same amount.

``counted_minutes`` truncates towards zero, so a pause never gains the case time.
Arithmetic is done in UTC so that elapsed time is real time; results are returned
in the current time zone. Working periods are local times of that zone.
"""

import bisect
import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from suishoupai.timelimits import calendar
from suishoupai.timelimits.models import LimitUnit

# How far add_minutes searches for working time before giving up: a calendar
# table that marks every day a holiday must fail loudly, not loop forever.
MAX_SEARCH_DAYS = 3 * 366

Interval = tuple[dt.datetime, dt.datetime]

_MINUTE = dt.timedelta(minutes=1)


class NoWorkingTimeError(RuntimeError):
    """No working time was found within MAX_SEARCH_DAYS."""


def minutes_for(amount: Decimal | int | float, unit: str) -> int:
    """The number of counted minutes in a limit, rounded half up to whole minutes."""
    unit = _unit(unit)
    value = _decimal(amount)
    if unit == LimitUnit.WORKING_DAYS:
        minutes = value * calendar.current().day_seconds / 60
    else:
        minutes = value * 60
    return int(minutes.to_integral_value(rounding=ROUND_HALF_UP))


def add(start: dt.datetime, amount: Decimal | int | float, unit: str) -> dt.datetime:
    """The deadline of a limit of ``amount`` ``unit`` starting at ``start``."""
    return add_minutes(start, minutes_for(amount, unit), unit)


def add_minutes(start: dt.datetime, minutes: int, unit: str) -> dt.datetime:
    """The moment ``minutes`` counted minutes after ``start`` (before it when negative)."""
    unit = _unit(unit)
    start_utc = _utc(start)
    delta = minutes * _MINUTE
    if unit == LimitUnit.URGENT_HOURS or minutes == 0:
        return timezone.localtime(start_utc + delta)
    cal = calendar.current()
    if minutes > 0:
        tz = timezone.get_current_timezone()
        table = _table(cal, start_utc, tz)
        found = table.forward(start_utc, delta) if table else None
        return (found or _forward(cal, start_utc, delta)).astimezone(tz)
    return timezone.localtime(_backward(cal, start_utc, -delta))


def counted_minutes(start: dt.datetime, end: dt.datetime, unit: str) -> int:
    """Counted minutes from ``start`` to ``end``; negative when ``end`` is earlier."""
    unit = _unit(unit)
    start_utc, end_utc = _utc(start), _utc(end)
    if end_utc < start_utc:
        return -counted_minutes(end_utc, start_utc, unit)
    if unit == LimitUnit.URGENT_HOURS:
        counted = end_utc - start_utc
    else:
        cal = calendar.current()
        table = _table(cal, start_utc, timezone.get_current_timezone())
        found = table.between(start_utc, end_utc) if table else None
        counted = _working_time(cal, start_utc, end_utc) if found is None else found
    return counted // _MINUTE


# How far around a moment a working-time table reaches (days before, after).
_TABLE_BEFORE, _TABLE_AFTER = 62, 430


class _Table:
    """Every working period of a range of days, with the working time before each: a
    deadline or a count within the range is two binary searches instead of a walk day
    by day (the walk stays the definition, and answers whatever falls outside)."""

    def __init__(self, cal: calendar.WorkCalendar, first: dt.date, last: dt.date) -> None:
        tz = timezone.get_current_timezone()  # _intervals reads it too
        self.first, self.last = first, last
        self.low = _utc(dt.datetime.combine(first, dt.time(0), tz))
        self.high = _utc(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tz))
        self.starts: list[dt.datetime] = []
        self.ends: list[dt.datetime] = []
        # before[k]: working time in the periods before period k (one entry more).
        self.before: list[dt.timedelta] = [dt.timedelta(0)]
        day = first
        while day <= last:
            for begin, end in _intervals(cal, day):
                self.starts.append(begin)
                self.ends.append(end)
                self.before.append(self.before[-1] + (end - begin))
            day += dt.timedelta(days=1)

    def covers(self, moment: dt.datetime) -> bool:
        return self.low <= moment <= self.high

    def forward(self, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime | None:
        """_forward within the table, or None when the answer is not in it."""
        if not self.covers(start):
            return None
        i = bisect.bisect_right(self.ends, start)  # the first period ending after start
        if i == len(self.ends):
            return None
        begin = max(self.starts[i], start)
        if remaining <= self.ends[i] - begin:
            return begin + remaining
        target = self.before[i + 1] + remaining - (self.ends[i] - begin)
        k = bisect.bisect_left(self.before, target, lo=i + 2)  # fits in period k - 1
        if k == len(self.before):
            return None
        return self.starts[k - 1] + (target - self.before[k - 1])

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta | None:
        """_working_time within the table (start <= end), or None outside it."""
        if not (self.covers(start) and self.covers(end)):
            return None
        return self._upto(end) - self._upto(start)

    def _upto(self, moment: dt.datetime) -> dt.timedelta:
        k = bisect.bisect_right(self.starts, moment) - 1
        if k < 0:
            return dt.timedelta(0)
        return self.before[k] + min(moment - self.starts[k], self.ends[k] - self.starts[k])


def _table(cal: calendar.WorkCalendar, moment: dt.datetime, tz: dt.tzinfo) -> _Table | None:
    """The snapshot's table around ``moment``, built or widened on first need. It reaches
    no further than the years whose holidays are known (or the moment's own year), so
    that it never logs the unknown-year warning for a year nobody asked about. None for
    a snapshot read for one call only (calendar rows changed in an open transaction)."""
    if calendar.bypassing_cache():
        return None
    table = cal.tables.get(tz)
    if table is not None and table.covers(moment):
        return table
    day = moment.astimezone(tz).date()
    known = calendar.known_years()
    limit = dt.date(max([day.year, *known[-1:]]), 12, 31)
    first = max(day - dt.timedelta(days=_TABLE_BEFORE), dt.date(min([day.year, *known[:1]]), 1, 1))
    last = min(day + dt.timedelta(days=_TABLE_AFTER), limit)
    if table is not None and (table.last - table.first).days < 20 * 366:
        first, last = min(first, table.first), max(last, table.last)
    table = cal.tables[tz] = _Table(cal, first, last)
    return table


def _forward(
    cal: calendar.WorkCalendar, start: dt.datetime, remaining: dt.timedelta
) -> dt.datetime:
    for day in _days(start, step=1):
        for period_start, period_end in _intervals(cal, day):
            if period_end <= start:
                continue
            begin = max(period_start, start)
            if remaining <= period_end - begin:
                return begin + remaining
            remaining -= period_end - begin
    raise _exhausted(start)


def _backward(
    cal: calendar.WorkCalendar, start: dt.datetime, remaining: dt.timedelta
) -> dt.datetime:
    # Mirror image of _forward: a deadline that uses up a period exactly is its start.
    for day in _days(start, step=-1):
        for period_start, period_end in reversed(_intervals(cal, day)):
            if period_start >= start:
                continue
            finish = min(period_end, start)
            if remaining <= finish - period_start:
                return finish - remaining
            remaining -= finish - period_start
    raise _exhausted(start)


def _working_time(cal: calendar.WorkCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    total = dt.timedelta(0)
    day, last = _local_date(start), _local_date(end)
    while day <= last:
        for period_start, period_end in _intervals(cal, day):
            overlap = min(period_end, end) - max(period_start, start)
            total += max(overlap, dt.timedelta(0))
        day += dt.timedelta(days=1)
    return total


def _days(start: dt.datetime, step: int) -> Iterator[dt.date]:
    day = _local_date(start)
    for _ in range(MAX_SEARCH_DAYS):
        yield day
        day += dt.timedelta(days=step)


def _intervals(cal: calendar.WorkCalendar, day: dt.date) -> tuple[Interval, ...]:
    """The working periods of ``day`` as UTC instants; none on a day off.

    Memoised on the calendar snapshot (a changed calendar row makes a new snapshot): a
    deadline walks day by day, and building each day's instants was most of its cost."""
    tz = timezone.get_current_timezone()
    key = (tz, day)
    found = cal.intervals_by_day.get(key)
    if found is None:
        found = cal.intervals_by_day[key] = (
            tuple(
                (
                    _utc(dt.datetime.combine(day, start, tz)),
                    _utc(dt.datetime.combine(day, end, tz)),
                )
                for start, end in cal.periods
            )
            if cal.is_workday(day)
            else ()
        )
    return found


def _unit(unit: str) -> LimitUnit:
    try:
        return LimitUnit(unit)
    except ValueError:
        choices = ", ".join(LimitUnit.values)
        raise ValueError(f"Unknown time limit unit {unit!r}; expected one of {choices}") from None


def _decimal(amount: Decimal | int | float) -> Decimal:
    # str() first so that 0.1 (float) means 0.1, not 0.1000000000000000055...
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not value.is_finite():
        raise ValueError(f"Time limit amount must be a finite number, not {amount!r}")
    return value


def _utc(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError(f"Time limits need aware datetimes, got naive {moment!r}")
    return moment.astimezone(dt.UTC)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _exhausted(start: dt.datetime) -> NoWorkingTimeError:
    local = timezone.localtime(start)
    return NoWorkingTimeError(
        f"No working time within {MAX_SEARCH_DAYS} days of {local:%Y-%m-%d %H:%M}; "
        "check the calendar days and working periods tables"
    )
