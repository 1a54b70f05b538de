"""PostgreSQL: reports and compactions at the same moment lose and double nothing."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.stats import services as stats
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

from .utils import assert_rollups_equal_recomputation

pytestmark = POSTGRES_ONLY


def _report(n: int) -> None:
    lat, lng = f.DAOWAI
    try:
        report = services.Report(category="sanitation", description=f"垃圾{n}", lat=lat, lng=lng)
        services.submit(report, now=f.WEDNESDAY_9AM)
    finally:
        connection.close()


def _compact() -> int:
    try:
        return stats.compact()
    finally:
        connection.close()


def test_reports_and_two_compactions_at_once_keep_every_count(city):
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(_report, range(12)))
    # Two compactions race over the same rows while more reports come in.
    race(_compact, _compact, lambda: _report(100), lambda: _report(101))
    assert_rollups_equal_recomputation()
    stats.compact()
    assert_rollups_equal_recomputation()
    cells = stats.stored_cells()
    # Each report counts once in the daily district grain (it counts in every grain).
    reported = [
        count
        for (grain, _day, metric, *_rest), (count, _total) in cells.items()
        if grain == "d" and metric == "reported"
    ]
    assert sum(reported) == 14
