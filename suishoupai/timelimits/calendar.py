"""Which days are working days, and which hours of them are working time.

Sources, strongest first:

1. A ``CalendarDay`` row (admin-editable) for that date.
2. The ``chinese_calendar`` package (statutory holidays and 调休 make-up working
   days), for the years it knows: 2004-2026 in version 1.11.
3. The fallback for later years: Monday-Friday work, Saturday/Sunday do not.
   It is only right once the official holiday arrangement (published by the
   State Council each November/December) has been entered as ``CalendarDay``
   rows, so using it for a year with no rows logs a warning once per process.

Working periods come from ``WorkingPeriod`` rows, or 08:30-12:00 and 13:30-17:30.

The rows are read once per process and cached. Saving or deleting a row drops
the cache (signals connected in ``apps.py``). A change made inside a transaction
that is later rolled back sends no signal, so until that transaction commits the
cache is bypassed; otherwise a rolled-back test row would stay visible.
"""

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.db import connection, transaction

from suishoupai.timelimits.models import CalendarDay, DayKind, WorkingPeriod

logger = logging.getLogger(__name__)

Period = tuple[dt.time, dt.time]

DEFAULT_PERIODS: tuple[Period, ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)

# Years probed when listing what chinese_calendar knows; wide enough for any release.
_PROBE_YEARS = range(1990, 2101)


@dataclass(frozen=True)
class WorkCalendar:
    """A snapshot of the calendar table and the working periods."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    periods: tuple[Period, ...] = DEFAULT_PERIODS

    @functools.cached_property
    def override_years(self) -> frozenset[int]:
        return frozenset(day.year for day in self.overrides)

    @functools.cached_property
    def intervals_by_day(self) -> dict[tuple[Any, dt.date], Any]:
        """clock._intervals memoised for this snapshot, by (time zone, day)."""
        return {}

    @functools.cached_property
    def tables(self) -> dict[Any, Any]:
        """clock's working-time tables for this snapshot, by time zone."""
        return {}

    @functools.cached_property
    def day_seconds(self) -> int:
        """Length of a full working day, e.g. 7.5 h = 27000 s."""
        return sum(_seconds(end) - _seconds(start) for start, end in self.periods)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        statutory = _statutory_workday(day)
        if statutory is not None:
            return statutory
        if day.year not in self.override_years:
            _warn_unknown_year(day.year)
        return day.weekday() < 5


_cache: dict[str, WorkCalendar] = {}
_bypass_cache = False
_warned_years: set[int] = set()


def current() -> WorkCalendar:
    """The calendar as stored now; clock functions take one snapshot per call."""
    if _bypass_cache:
        return _load()
    if "calendar" not in _cache:
        _cache["calendar"] = _load()
    return _cache["calendar"]


def bypassing_cache() -> bool:
    """True while calendar rows changed in a transaction not yet committed: each call
    reads a snapshot of its own, so nothing should be memoised on it."""
    return _bypass_cache


def is_workday(day: dt.date) -> bool:
    return current().is_workday(day)


def working_periods() -> list[Period]:
    return list(current().periods)


def known_years() -> list[int]:
    """Years whose holidays are known: covered by chinese_calendar or entered in the table.

    A status page can warn when next year is missing from this list.
    """
    return sorted(set(_package_years()) | current().override_years)


def invalidate(**kwargs: Any) -> None:
    """Signal receiver: drop the cached calendar after a row changed."""
    global _bypass_cache
    _cache.clear()
    if connection.in_atomic_block:
        _bypass_cache = True
        transaction.on_commit(_end_bypass)


def _end_bypass() -> None:
    global _bypass_cache
    _bypass_cache = False
    _cache.clear()


def _load() -> WorkCalendar:
    overrides = {
        day: kind == DayKind.WORKDAY
        for day, kind in CalendarDay.objects.values_list("date", "kind")
    }
    rows = list(WorkingPeriod.objects.values_list("start", "end"))
    return WorkCalendar(overrides=overrides, periods=_merge(rows) or DEFAULT_PERIODS)


def _merge(periods: list[Period]) -> tuple[Period, ...]:
    # Overlapping rows entered in the admin must not count the same minutes twice.
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


@functools.lru_cache(maxsize=8192)
def _statutory_workday(day: dt.date) -> bool | None:
    # Cached because the package scans its whole table to validate every date.
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@functools.cache
def _package_years() -> tuple[int, ...]:
    return tuple(y for y in _PROBE_YEARS if _statutory_workday(dt.date(y, 1, 1)) is not None)


def _warn_unknown_year(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    logger.warning(
        "No holiday arrangement known for %s: counting Monday-Friday as working days. "
        "Enter that year's official holidays and make-up working days (调休) in the "
        "calendar table (admin: Time limits > Calendar days).",
        year,
    )


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second
