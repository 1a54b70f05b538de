"""Every number on the dashboard clicks through to the cases behind it, and the list counts
exactly that number: for every indicator, in every breakdown, in a history where cases
count more than once (reworked twice, returned and dispatched again, suspended twice,
urged twice, two "me too"s). docs/stats.md, "Click-through".
"""

import re
from datetime import timedelta

import pytest
from django.test import Client

from suishoupai import factories as c
from suishoupai.cases import services
from suishoupai.cases.tests.journeys import report
from suishoupai.stats import selectors as stats
from suishoupai.web.console import dashboard

pytestmark = pytest.mark.django_db

T0 = c.WEDNESDAY_9AM  # Wednesday 25 November 2026, 09:00
MINUTE = timedelta(minutes=1)
SINCE, UNTIL = T0.date().replace(day=1), T0.date().replace(day=30)
EVERY_CODE = [*stats.DEFINITIONS, *dashboard.TIMES]


@pytest.fixture
def history(city, people):
    """Five cases that count more than once in the event counts."""
    t = T0 + 10 * MINUTE
    # Reworked twice, urged twice, two me-toos, closed and satisfied.
    twice = report(city, T0)
    services.accept(twice, people["olga"], now=T0 + MINUTE)
    services.dispatch(twice, people["dora"], now=t)
    services.take(twice, people["carl"], now=t + MINUTE)
    services.urge(twice, people["lily"], now=t + 2 * MINUTE)
    services.urge(twice, people["lily"], now=t + 3 * MINUTE)
    services.support(twice, device="phone-1", now=t + 4 * MINUTE)
    services.support(twice, device="phone-2", now=t + 5 * MINUTE)
    for i in range(2):
        services.feedback(twice, people["carl"], note="已清理", now=t + (10 + 20 * i) * MINUTE)
        services.verify_fail(twice, people["ivan"], note="仍有垃圾", now=t + (20 + 20 * i) * MINUTE)
    services.feedback(twice, people["carl"], note="已清理干净", now=t + 50 * MINUTE)
    services.verify_pass(twice, people["ivan"], now=t + 60 * MINUTE)
    services.close(twice, people["leo"], now=t + 70 * MINUTE)
    services.callback(twice, people["olga"], result="satisfied", now=t + 80 * MINUTE)
    services.rate(twice, rating="satisfied", now=t + 90 * MINUTE)
    # Sent to the wrong department, returned, dispatched again and extended.
    wrong = report(city, T0, channel="hotline")
    services.accept(wrong, people["olga"], now=T0 + MINUTE)
    services.dispatch(wrong, people["dora"], department=city.nangang_roads.pk, now=t)
    services.request_return(wrong, people["nina"], reason="不属于本部门", now=t + MINUTE)
    services.approve_return(wrong, people["leo"], now=t + 2 * MINUTE)
    services.dispatch(wrong, people["dora"], now=t + 3 * MINUTE)
    services.take(wrong, people["carl"], now=t + 4 * MINUTE)
    services.request_extension(wrong, people["carl"], reason="等材料", amount=2, now=t + 5 * MINUTE)
    services.approve_extension(wrong, people["leo"], now=t + 6 * MINUTE)
    services.feedback(wrong, people["carl"], note="已清理", now=t + 30 * MINUTE)
    services.verify_pass(wrong, people["ivan"], now=t + 40 * MINUTE)
    services.close(wrong, people["leo"], now=t + 50 * MINUTE)
    services.rate(wrong, rating="basically_satisfied", now=t + 60 * MINUTE)
    # Suspended twice, still open.
    paused = report(city, T0)
    services.accept(paused, people["olga"], now=T0 + MINUTE)
    services.dispatch(paused, people["dora"], now=t)
    services.take(paused, people["carl"], now=t + MINUTE)
    for i in range(2):
        at = t + (10 + 10 * i) * MINUTE
        services.request_suspension(paused, people["carl"], reason="需夏季施工", now=at)
        services.approve_suspension(paused, people["leo"], now=at + MINUTE)
        services.resume(paused, people["leo"], now=at + 2 * MINUTE)
    # Passed on to 道外区环卫部门, which handles a pothole-free garbage case late.
    passed = report(city, T0)
    services.accept(passed, people["olga"], now=T0 + MINUTE)
    services.dispatch(passed, people["dora"], now=t)
    services.take(passed, people["carl"], now=t + MINUTE)
    services.dispatch_on(passed, people["carl"], department=city.daowai_sanitation.pk, now=t)
    services.take(passed, people["hans"], now=t + 2 * MINUTE)
    passed.refresh_from_db()
    services.mark_overdue(now=passed.due_at + MINUTE)
    services.feedback(passed, people["hans"], note="已清理", now=passed.due_at + 30 * MINUTE)
    services.verify_pass(passed, people["ivan"], now=passed.due_at + 40 * MINUTE)
    services.close(passed, people["leo"], now=passed.due_at + 50 * MINUTE)
    services.rate(passed, rating="unsatisfied", now=passed.due_at + 60 * MINUTE)
    # A pothole (working days) in 南岗区, by patrol, handled the next day; one not filed.
    pothole = report(city, T0, where=c.NANGANG, category="road_damage", channel="patrol")
    services.accept(pothole, people["olga"], condition="road_damage.pothole.large", now=t)
    services.dispatch(pothole, people["dora"], now=t + MINUTE)
    services.take(pothole, people["nina"], now=t + 2 * MINUTE)
    services.feedback(pothole, people["nina"], note="已修复", now=t + timedelta(days=1))
    services.verify_pass(pothole, people["ivan"], now=t + timedelta(days=1, minutes=10))
    services.close(pothole, people["leo"], now=t + timedelta(days=1, minutes=20))
    services.reject(report(city, T0), people["olga"], reason="重复上报", now=t)


def _listed(client: Client, url: str) -> tuple[int, int, int]:
    """(the list's count, its cases, the sum of its "times counted" column)."""
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    found = re.search(r'id="result-count" data-count="(\d+)" data-cases="(\d+)"', html)
    assert found is not None, url
    times = [int(n) for n in re.findall(r'data-times="(\d+)"', html)]
    return int(found.group(1)), int(found.group(2)), sum(times)


def _links(row: dict) -> list[tuple[str, str, int]]:
    """(indicator, url, the number the list must count) of every linked number in a row."""
    out = []
    for cell in row["cells"]:
        if cell["url"]:
            out.append((cell["code"], cell["url"], cell["count"]))
        for part in cell.get("parts", []):
            if part["url"]:
                out.append((cell["code"], part["url"], part["count"]))
    return out


@pytest.mark.parametrize(
    "by, with_subunits",
    [
        ("total", False),
        ("department", False),
        ("department", True),
        ("district", False),
        ("category", False),
        ("subcategory", False),
        ("channel", False),
        ("post", False),
    ],
)
def test_every_indicator_s_list_counts_exactly_its_number(history, people, by, with_subunits):
    client = Client()
    client.force_login(people["lily"])
    scope = dashboard.Scope(SINCE, UNTIL, None, None, with_subunits, with_subunits)
    rows = dashboard._table(scope, by, EVERY_CODE)
    assert rows
    linked, repeated = set(), 0
    for row in rows:
        for code, url, number in _links(row):
            count, cases, times = _listed(client, url)
            assert count == number, (row["label"], code, url)
            assert times == count, (row["label"], code)  # one page: the column adds up
            linked.add(code)
            repeated += cases < count
    if by == "total":
        # Every indicator but 准确派遣率 ((派遣数 − 回退数) / 派遣数: its counts link) has
        # a list, and some lists hold a case counted twice.
        assert linked == set(EVERY_CODE) - {"accurate_dispatch_rate"}
        assert repeated >= 5


def test_a_case_reworked_twice_is_listed_once_and_counted_twice(history, people):
    client = Client()
    client.force_login(people["lily"])
    scope = dashboard.Scope(SINCE, UNTIL, None, None, False)
    assert stats.total(stats.Query(SINCE, UNTIL)).values["reworked"].value == 2
    assert _listed(client, scope.link("reworked")) == (2, 1, 2)
    page = client.get(scope.link("reworked")).content.decode()
    assert "计 2 次，共 1 件案件" in page and "计次" in page
    # The export holds the same column.
    export = client.get("/console/search/export.csv?" + scope.link("reworked").split("?")[1])
    lines = export.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",计次") and lines[1].endswith(",2") and len(lines) == 2
