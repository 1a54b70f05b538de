"""平均 / 中位处置时长: in clock hours for every breakdown, and in the condition's own
time-limit unit where a row's cases share one (docs/stats.md). Four cases by hand:

- A 暴露垃圾 (4 working hours), citizen app, dispatched Wed 09:20, carl handles 10:20:
  60 clock minutes, 60 working minutes.
- B 暴露垃圾, hotline, dispatched 11:20, passed on to 道外区环卫部门, hans handles 14:20:
  180 clock minutes, 90 working minutes (lunch 12:00–13:30).
- C 路面坑洼 (3 working days), hotline, dispatched Wed 09:20, nina handles Thu 10:20:
  1500 clock minutes (25 h), 510 working minutes = 1.13 working days of 7.5 hours.
- D 动物尸体 (2 urgent hours), citizen app, dispatched 09:20, carl handles 11:50:
  150 minutes either way.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from suishoupai import factories as c
from suishoupai.cases import services
from suishoupai.cases.tests.journeys import report
from suishoupai.stats import reports, selectors
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import LimitUnit

from .utils import MINUTE, assert_rollups_equal_recomputation, values

pytestmark = pytest.mark.django_db

T0 = c.WEDNESDAY_9AM  # Wednesday 25 November 2026, 09:00
DAY, NEXT = T0.date(), T0.date() + timedelta(days=1)
D = Decimal
GARBAGE = "sanitation.exposed_garbage.visible"


def _close(people, case, dispatched, handled, handler="carl", passed_to=None):
    services.dispatch(case, people["dora"], now=dispatched)
    if passed_to is not None:
        services.take(case, people["carl"], now=dispatched + MINUTE)
        services.dispatch_on(case, people["carl"], department=passed_to, now=dispatched + MINUTE)
    services.take(case, people[handler], now=dispatched + 2 * MINUTE)
    services.feedback(case, people[handler], note="已处理", now=handled)
    services.verify_pass(case, people["ivan"], now=handled + MINUTE)
    services.close(case, people["leo"], now=handled + 2 * MINUTE)


@pytest.fixture
def four_cases(city, people):
    garbage = city.garbage.subcategory
    animal = c.SubcategoryFactory(
        category=garbage.category, code="sanitation.dead_animal", name="动物尸体"
    )
    c.ConditionFactory(
        subcategory=animal,
        code="sanitation.dead_animal.any",
        description="道路上有动物尸体",
        limit_amount=D(2),
        limit_unit=LimitUnit.URGENT_HOURS,
        default_department=city.city_sanitation,
    )
    at = T0.replace(minute=20)
    a = report(city, T0)
    services.accept(a, people["olga"], condition=GARBAGE, now=T0 + MINUTE)
    _close(people, a, at, at + timedelta(hours=1))
    b = report(city, T0, channel="hotline")
    services.accept(b, people["olga"], condition=GARBAGE, now=T0 + MINUTE)
    _close(
        people,
        b,
        at.replace(hour=11),
        at.replace(hour=14),
        handler="hans",
        passed_to=city.daowai_sanitation.pk,
    )
    pothole = report(city, T0, where=c.NANGANG, category="road_damage", channel="hotline")
    services.accept(pothole, people["olga"], condition="road_damage.pothole.large", now=T0)
    _close(people, pothole, at, at + timedelta(hours=25), handler="nina")
    d = report(city, T0)
    services.accept(d, people["olga"], condition="sanitation.dead_animal.any", now=T0)
    _close(people, d, at, at.replace(hour=11, minute=50))


def _times(row: dict) -> tuple:
    return (row["mean_hours"], row["median_hours"], row["mean_own_unit"], row["median_own_unit"])


def test_a_working_day_is_seven_and_a_half_hours_here(city):
    assert clock.minutes_for(1, LimitUnit.WORKING_DAYS) == 450


def test_a_row_of_one_unit_shows_its_times_in_that_unit_and_in_hours(four_cases):
    subs = values(DAY, NEXT, by="subcategory")
    # A and B: 60 and 180 clock minutes (buckets 1 h and 3 h: median 2.5 h), 60 and 90
    # working minutes (both in the 1 h bucket: median 1.5 working hours, mean 1.25).
    assert _times(subs["暴露垃圾"]) == (D("2.0"), D("2.5"), D("1.3"), D("1.5"))
    # C: 25 clock hours; 510 working minutes = 1.13 working days (median: the 8 h bucket's
    # middle, 8.5 h = 510 minutes, the same 1.13).
    assert _times(subs["路面坑洼"]) == (D("25.0"), D("25.5"), D("1.13"), D("1.13"))
    assert _times(subs["动物尸体"]) == (D("2.5"), D("2.5"), D("2.5"), D("2.5"))
    rows = {r.label: r for r in selectors.indicators(selectors.Query(DAY, NEXT, "subcategory"))}
    assert rows["暴露垃圾"].get("mean_own_unit").unit == "working_hours"
    assert rows["路面坑洼"].get("median_own_unit").unit == "working_days"
    assert rows["动物尸体"].get("mean_own_unit").unit == "urgent_hours"
    # The mean's numerator and denominator: counted minutes over closed cases.
    own = rows["暴露垃圾"].get("mean_own_unit")
    assert (own.numerator, own.denominator) == (150, 2)
    assert_rollups_equal_recomputation()


def test_a_mixed_row_has_no_own_unit_but_each_unit_s_times(four_cases):
    categories = values(DAY, NEXT, by="category")
    sanitation = categories["环境卫生"]
    # A, B and D: 60, 180, 150 clock minutes: mean 130 = 2.2 h, median the 2 h bucket.
    assert _times(sanitation) == (D("2.2"), D("2.5"), None, None)
    assert (sanitation["mean_working_hours"], sanitation["median_working_hours"]) == (
        D("1.3"),
        D("1.5"),
    )
    assert (sanitation["mean_urgent_hours"], sanitation["median_urgent_hours"]) == (
        D("2.5"),
        D("2.5"),
    )
    assert "mean_working_days" not in sanitation
    assert _times(categories["道路破损"])[2:] == (D("1.13"), D("1.13"))
    total = selectors.total(selectors.Query(DAY, NEXT))
    assert total.get("mean_own_unit").unit == "mixed"
    v = values(DAY, NEXT)
    # 60, 180, 1500, 150: mean 472.5 min = 7.9 h; buckets 1, 2, 3, 25: median 3.0 h.
    assert _times(v) == (D("7.9"), D("3.0"), None, None)
    assert (v["mean_working_days"], v["mean_working_hours"], v["mean_urgent_hours"]) == (
        D("1.13"),
        D("1.3"),
        D("2.5"),
    )


def test_every_breakdown_has_its_median(four_cases):
    channels = values(DAY, NEXT, by="channel")
    # Citizen app: A and D (buckets 1 and 2: median 2.0 h, mean 105 min = 1.8 h).
    assert _times(channels["市民随手拍"])[:2] == (D("1.8"), D("2.0"))
    hotline = channels["12345 热线"]
    # Hotline: B and C (buckets 3 and 25: median 14.5 h, mean 840 min = 14.0 h).
    assert _times(hotline) == (D("14.0"), D("14.5"), None, None)
    posts = values(DAY, NEXT, by="post")
    # A handling time is the handler's: carl handled A and D, hans B, nina C.
    assert _times(posts["carl"])[:2] == (D("1.8"), D("2.0"))
    assert _times(posts["hans"]) == (D("3.0"), D("3.5"), D("1.5"), D("1.5"))
    assert _times(posts["nina"]) == (D("25.0"), D("25.5"), D("1.13"), D("1.13"))
    # The people who dispatch and inspect have no handling time of their own.
    assert posts["dora"]["median_hours"] is None and posts["dora"]["dispatched"] == 4
    alone = values(DAY, NEXT, by="department")
    assert _times(alone["市环卫中心"])[:2] == (D("1.8"), D("2.0"))
    assert _times(alone["道外区环卫部门"]) == (D("3.0"), D("3.5"), D("1.5"), D("1.5"))
    together = values(DAY, NEXT, by="department", with_subunits=True)
    # 市环卫中心 with 道外区环卫部门: A, B and D.
    assert _times(together["市环卫中心"])[:2] == (D("2.2"), D("2.5"))
    assert together["市环卫中心"]["median_working_hours"] == D("1.5")
    assert_rollups_equal_recomputation()


def test_a_median_spans_whole_months_and_partial_days_alike(four_cases):
    # November as a whole month (monthly rows) and as 25–26 November (daily rows).
    month = values(DAY.replace(day=1), DAY.replace(day=30), by="subcategory")
    days = values(DAY, NEXT, by="subcategory")
    assert month == days


def test_the_exports_give_each_unit_its_columns(four_cases):
    t = reports.table(selectors.Query(DAY, NEXT, "subcategory"))
    at = {h: i for i, h in enumerate(t.header)}
    rows, total = {r[0]: r for r in t.rows[:-1]}, t.rows[-1]

    def cell(row, code):
        return row[at[reports._label(code)]]

    # A row of one unit fills its unit's columns only.
    assert (
        cell(rows["路面坑洼"], "mean_working_days"),
        cell(rows["路面坑洼"], "median_working_days"),
    ) == (
        1.13,
        1.13,
    )
    assert cell(rows["暴露垃圾"], "mean_working_days") is None
    assert (
        cell(rows["暴露垃圾"], "median_hours"),
        cell(rows["暴露垃圾"], "mean_working_hours"),
    ) == (
        2.5,
        1.3,
    )
    # The total mixes three units: each has its own pair of columns.
    assert [
        cell(total, f"mean_{u}") for u in ("urgent_hours", "working_hours", "working_days")
    ] == [
        2.5,
        1.3,
        1.13,
    ]
    posts = reports.table(selectors.Query(DAY, NEXT, "post"))
    at = {h: i for i, h in enumerate(posts.header)}
    hans = next(r for r in posts.rows if r[0] == "hans")
    assert hans[at[reports._label("median_hours")]] == 3.5
    assert hans[at[reports._label("median_working_hours")]] == 1.5
