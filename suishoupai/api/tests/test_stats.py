"""GET /api/v1/stats/indicators (staff, scoped) and GET /api/v1/public/stats (anyone)."""

import pytest
from django.test import Client

from suishoupai import factories as c
from suishoupai.stats.tests.utils import two_departments_history

pytestmark = pytest.mark.django_db

T0 = c.WEDNESDAY_9AM
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def history(city, people):
    return two_departments_history(city, people, T0)


def test_the_centre_reads_every_department_with_numerators(history, lily, staff_client):
    r = staff_client(lily).get("/api/v1/stats/indicators", {**PERIOD, "by": "department"})
    assert r.status_code == 200, r.content
    body = r.json()
    rows = {row["label"]: row for row in body["rows"]}
    assert set(rows) == {"道外区环卫部门", "南岗区道桥部门", "市环卫中心"}
    daowai = rows["道外区环卫部门"]["values"]
    assert daowai["closing_rate"] == {
        "value": 100.0,
        "numerator": 1,
        "denominator": 1,
        "unit": None,
    }
    assert rows["南岗区道桥部门"]["values"]["satisfaction_rate"]["value"] == 0.0
    assert body["total"]["values"]["satisfaction_rate"] == {
        "value": 50.0,
        "numerator": 1,
        "denominator": 2,
        "unit": None,
    }
    # 按期结案率 50, 结案率 20, 返工率 10, 满意率 20: all perfect but satisfaction.
    assert rows["南岗区道桥部门"]["score"] == 80.0 and rows["南岗区道桥部门"]["grade"] == "良"
    assert rows["道外区环卫部门"]["score"] == 100.0 and rows["道外区环卫部门"]["grade"] == "优"
    assert {d["code"] for d in body["definitions"]} >= {"closing_rate", "closed_on_time_rate"}


def test_a_parent_with_its_units_counts_the_unit_s_case(history, city, lily, staff_client):
    query = {**PERIOD, "by": "department", "department": city.city_sanitation.pk}
    alone = staff_client(lily).get("/api/v1/stats/indicators", query).json()
    together = (
        staff_client(lily)
        .get("/api/v1/stats/indicators", {**query, "with_subunits": "true"})
        .json()
    )
    assert alone["total"]["values"]["closed"]["value"] == 0
    assert together["total"]["values"]["closed"]["value"] == 1


def test_a_department_sees_only_itself_and_its_units(history, city, carl, nina, staff_client):
    r = staff_client(carl).get("/api/v1/stats/indicators", {**PERIOD, "by": "department"})
    assert {row["label"] for row in r.json()["rows"]} == {"市环卫中心", "道外区环卫部门"}
    assert r.json()["total"]["values"]["closed"]["value"] == 1  # 道外's, not 南岗's
    other = {**PERIOD, "department": city.nangang_roads.pk}
    assert staff_client(carl).get("/api/v1/stats/indicators", other).status_code == 403
    mine = staff_client(nina).get("/api/v1/stats/indicators", PERIOD).json()
    assert mine["total"]["values"]["closed"]["value"] == 1


def test_posts_list_staff_by_name(history, lily, staff_client):
    r = staff_client(lily).get("/api/v1/stats/indicators", {**PERIOD, "by": "post"})
    rows = {row["label"]: row["values"] for row in r.json()["rows"]}
    assert rows["olga"]["filed"]["value"] == 3 and rows["dora"]["dispatched"]["value"] == 3
    assert rows["lily"]["urged"]["value"] == 1
    assert rows["ivan"]["verified"]["value"] == 2


def test_the_statistics_need_a_token(history):
    assert Client().get("/api/v1/stats/indicators", PERIOD).status_code == 401


def test_the_public_subset_has_no_posts_and_no_personal_data(history):
    r = Client().get("/api/v1/public/stats", {**PERIOD, "by": "district"})
    assert r.status_code == 200
    body = r.json()
    assert {row["label"] for row in body["rows"]} == {"道外区", "南岗区"}
    assert "urged" not in body["total"]["values"] and "closing_rate" in body["total"]["values"]
    assert Client().get("/api/v1/public/stats", {"by": "post"}).status_code == 422
    for name in ("olga", "dora", "carl", "hans"):
        assert name not in r.content.decode()


def test_a_period_backwards_is_refused(history, lily, staff_client):
    bad = {"since": "2026-11-30", "until": "2026-11-01"}
    assert staff_client(lily).get("/api/v1/stats/indicators", bad).status_code == 422


def test_every_breakdown_has_its_median_and_the_own_unit_times(history, lily, staff_client):
    # 道外区环卫部门's case (4 working hours) took 3 minutes, 南岗区道桥部门's pothole
    # (3 working days) 20 minutes: both in the first hour's bucket.
    for by in ("subcategory", "channel", "post", "department", "category", "district"):
        r = staff_client(lily).get("/api/v1/stats/indicators", {**PERIOD, "by": by})
        rows = [row["values"] for row in r.json()["rows"]]
        medians = [v["median_hours"] for v in rows if v["median_hours"]["denominator"]]
        assert medians and all(m["value"] == 0.5 and m["unit"] == "hours" for m in medians), by
    r = staff_client(lily).get("/api/v1/stats/indicators", {**PERIOD, "by": "subcategory"})
    rows = {row["label"]: row["values"] for row in r.json()["rows"]}
    assert rows["路面坑洼"]["mean_own_unit"] == {
        "value": 0.04,  # 20 working minutes of a 450-minute working day
        "numerator": 20,
        "denominator": 1,
        "unit": "working_days",
    }
    assert rows["暴露垃圾"]["median_own_unit"]["unit"] == "working_hours"
    total = r.json()["total"]["values"]
    assert total["mean_own_unit"]["value"] is None and total["mean_own_unit"]["unit"] == "mixed"
    assert total["mean_working_hours"]["value"] == 0.1  # 3 working minutes
