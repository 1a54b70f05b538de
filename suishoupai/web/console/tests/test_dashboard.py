"""The leader dashboard: figures from the rollups, every number a link to exactly its cases."""

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client
from openpyxl import load_workbook

from suishoupai import factories as c
from suishoupai.stats.tests.utils import two_departments_history

pytestmark = pytest.mark.django_db

DASHBOARD = "/console/dashboard/"
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def history(city, people):
    return two_departments_history(city, people, c.WEDNESDAY_9AM)


def _links(html: str) -> list[tuple[str, str, str]]:
    """(url, metric, shown number) of every statistic link on the page."""
    found = re.findall(r'<a href="([^"]+)" data-stat="(\w+)"[^>]*>([^<]+)</a>', html)
    return [(unescape(url), metric, text) for url, metric, text in found]


def _count(client: Client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.search(r'id="result-count" data-count="(\d+)"', page.content.decode())
    assert found is not None
    return int(found.group(1))


def test_the_leader_sees_the_headline_figures(history, people):
    page = signed_in(people["lily"]).get(DASHBOARD, PERIOD)
    assert page.status_code == 200
    total = page.context["total"]
    assert (total.sums["reported"], total.sums["filed"], total.sums["closed"]) == (4, 3, 2)
    # The overdue case is due too: 3 due for closing, 2 closed.
    assert str(total.values["closing_rate"].value) == "66.67"
    html = page.content.decode()
    assert "结案数 / 应结案数" in html and "按期结案率" in html
    depts = {r["label"] for r in page.context["departments"]}
    assert depts == {"市环卫中心", "道外区环卫部门", "南岗区道桥部门"}


def test_every_exact_number_lists_exactly_its_cases(history, people):
    client = signed_in(people["lily"])
    html = client.get(DASHBOARD, PERIOD).content.decode()
    links = _links(html)
    exact = {"reported", "filed", "due_close", "closed", "closed_on_time", "rated", "unsatisfied"}
    checked = 0
    for url, metric, text in links:
        if metric not in exact or not text.strip().isdigit():
            continue
        assert _count(client, url) == int(text), (metric, url)
        checked += 1
    assert checked >= 20  # headline, both tables and both rankings


def test_the_ranking_links_open_the_unit_s_on_time_cases(history, people):
    client = signed_in(people["lily"])
    page = client.get(DASHBOARD, PERIOD)
    best = page.context["dept_ranking"]["best"]
    assert [r["label"] for r in best][:1] == ["道外区环卫部门"]
    link = best[0]["cells"][4]
    assert _count(client, link["url"]) == link["numerator"] == 1


def test_a_department_sees_only_its_own_tree(history, people, city):
    client = signed_in(people["carl"])
    page = client.get(DASHBOARD, PERIOD)
    assert page.status_code == 200
    assert {r["label"] for r in page.context["departments"]} == {"市环卫中心", "道外区环卫部门"}
    assert page.context["total"].sums.get("unsatisfied", 0) == 0  # 南岗's rating is not carl's
    other = client.get(DASHBOARD, {**PERIOD, "department": city.nangang_roads.pk})
    # Not offered in carl's form: the choice is invalid and the page shows his own tree.
    assert {r["label"] for r in other.context["departments"]} == {"市环卫中心", "道外区环卫部门"}


def test_posts_without_the_dashboard_are_refused(history, people):
    assert signed_in(people["olga"]).get(DASHBOARD).status_code == 403
    assert Client().get(DASHBOARD).status_code == 302


def test_the_attention_list_counts_overdue_urged_and_unsatisfied(history, people):
    client = signed_in(people["lily"])
    items = client.get(DASHBOARD, PERIOD).context["attention"]
    # The waiting report was marked late too (its filing deadline passed): urged, not "open".
    assert [i["count"] for i in items] == [1, 2, 1]
    for item in items:
        assert _count(client, item["url"]) == item["count"]


def test_a_table_exports_to_excel_with_title_period_and_formulas(history, people):
    client = signed_in(people["lily"])
    r = client.get("/console/dashboard/export.xlsx", {**PERIOD, "table": "department"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert "部门" in sheet["A1"].value
    assert sheet["B2"].value == "2026-11-01 – 2026-11-30"
    assert sheet.freeze_panes == "B5"
    names = [sheet.cell(row, 1).value for row in range(5, sheet.max_row + 1)]
    assert {"市环卫中心", "道外区环卫部门", "南岗区道桥部门"} <= set(names)
    assert "结案数 / 应结案数" in sheet.cell(sheet.max_row, 2).value
    r = client.get("/console/dashboard/export.csv", {**PERIOD, "table": "district"})
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert (
        lines[1] == ["Period", "2026-11-01 – 2026-11-30"]
        or lines[1][1] == "2026-11-01 – 2026-11-30"
    )
    assert {"道外区", "南岗区"} <= {line[0] for line in lines}


def test_a_name_that_looks_like_a_formula_is_exported_as_text(history, people, city):
    city.nangang_roads.name = "=HYPERLINK(1)"
    city.nangang_roads.save()
    r = signed_in(people["lily"]).get(
        "/console/dashboard/export.xlsx", {**PERIOD, "table": "department"}
    )
    sheet = load_workbook(io.BytesIO(r.content)).active
    names = [sheet.cell(row, 1).value for row in range(5, sheet.max_row + 1)]
    assert "'=HYPERLINK(1)" in names


def test_the_heat_map_circles_open_each_district_s_reports(history, people):
    client = signed_in(people["lily"])
    heat = client.get(DASHBOARD, PERIOD).context["charts"]["heat"]
    assert {h["name"]: h["value"] for h in heat} == {"道外区": 3, "南岗区": 1}
    for item in heat:
        assert _count(client, item["url"]) == item["value"]


def test_the_breakdown_table_shows_medians_in_hours_and_in_each_condition_s_unit(history, people):
    client = signed_in(people["lily"])
    page = client.get(DASHBOARD, {**PERIOD, "breakdown": "subcategory"})
    rows = {r["label"]: r for r in page.context["breakdown_rows"]}
    assert set(rows) == {"暴露垃圾", "路面坑洼"}
    html = re.sub(r"<[^>]+>", "", page.content.decode())  # the text people read
    # The pothole (3 working days) took 20 working minutes: 0.04 of a 7.5-hour day (the
    # median: the first hour's middle, 30 minutes, 0.07 day). Median / mean.
    assert "0.07 / 0.04 工作日" in html and "0.5 / 0.1 工作时" in html
    # The whole city mixes both units: each on its own line in the headline.
    headline = {c["code"]: c for c in page.context["headline"]}
    parts = [p["text"] for p in headline["own_unit"]["parts"]]
    assert parts == ["0.5 / 0.1 工作时", "0.07 / 0.04 工作日"]
    assert [p["text"] for p in headline["hours"]["parts"]] == ["0.5 / 0.2"]
    posts = client.get(DASHBOARD, {**PERIOD, "breakdown": "post"}).context["breakdown_rows"]
    assert {"olga", "dora", "ivan", "lily", "hans", "nina"} <= {r["label"] for r in posts}
