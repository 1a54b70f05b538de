import csv
import io
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from openpyxl import load_workbook

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.tests.journeys import report

SEARCH = "/console/search/"
CSV = "/console/search/export.csv"
XLSX = "/console/search/export.xlsx"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cases(city, people):
    return make_cases(city, people)


def make_cases(city, people) -> dict:
    """Three cases: garbage at 道外 (市环卫中心), a pothole at 南岗 (南岗区道桥), one not filed."""
    olga, dora = people["olga"], people["dora"]
    garbage = report(city, address="道外区北七道街12号", phone="13800001111")
    services.accept(garbage, olga, now=f.WEDNESDAY_9AM + timedelta(minutes=5))
    services.dispatch(garbage, dora, now=f.WEDNESDAY_9AM + timedelta(minutes=10))
    pothole = report(
        city,
        now=f.WEDNESDAY_9AM + timedelta(days=1),
        where=f.NANGANG,
        category="road_damage",
        address="南岗区西大直街88号",
        phone="13900002222",
    )
    services.accept(
        pothole,
        olga,
        condition="road_damage.pothole.large",
        now=f.WEDNESDAY_9AM + timedelta(days=1),
    )
    services.dispatch(pothole, dora, now=f.WEDNESDAY_9AM + timedelta(days=1, minutes=5))
    fresh = report(city, now=f.WEDNESDAY_9AM + timedelta(days=2), address="道外区南勋街3号")
    for case in (garbage, pothole, fresh):
        case.refresh_from_db()
    return {"garbage": garbage, "pothole": pothole, "fresh": fresh}


def numbers(response) -> list[str]:
    page = response.context["page"]
    return [c.number for c in page.object_list] if page else []


@pytest.mark.django_db
def test_an_operator_finds_every_case_newest_first(people, cases):
    response = signed_in(people["olga"]).get(SEARCH)
    assert response.status_code == 200
    assert numbers(response) == [cases[k].number for k in ("fresh", "pothole", "garbage")]
    assert f'href="/console/cases/{cases["fresh"].number}/"' in response.content.decode()


@pytest.mark.django_db
def test_nina_sees_only_her_departments_cases(people, cases):
    response = signed_in(people["nina"]).get(SEARCH)
    assert numbers(response) == [cases["pothole"].number]
    # Filters cannot widen the scope.
    response = signed_in(people["nina"]).get(SEARCH, {"number": cases["garbage"].number})
    assert numbers(response) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"number": "20261126"}, ["pothole"]),
        ({"phone": "1111"}, ["garbage"]),
        ({"phone": "139 0000 2222"}, ["pothole"]),
        ({"address": "西大直"}, ["pothole"]),
        ({"category": "road_damage"}, ["pothole"]),
        ({"district": "230104"}, ["fresh", "garbage"]),
        ({"family": "new"}, ["fresh"]),
        ({"state": "dispatched"}, ["pothole", "garbage"]),
        ({"overdue": "no"}, ["fresh", "pothole", "garbage"]),
        ({"overdue": "yes"}, []),
        ({"since": "2026-11-26"}, ["fresh", "pothole"]),
        ({"until": "2026-11-25"}, ["garbage"]),
        ({"since": "2026-11-26", "until": "2026-11-26"}, ["pothole"]),
    ],
)
def test_each_filter_narrows_the_results(people, cases, params, expected):
    response = signed_in(people["olga"]).get(SEARCH, params)
    assert response.status_code == 200
    assert numbers(response) == [cases[k].number for k in expected]


@pytest.mark.django_db
def test_it_filters_by_department(city, people, cases):
    response = signed_in(people["leo"]).get(SEARCH, {"department": city.nangang_roads.pk})
    assert numbers(response) == [cases["pothole"].number]


@pytest.mark.django_db
def test_it_finds_overdue_cases(people, cases):
    cases["garbage"].is_overdue = True
    cases["garbage"].save(update_fields=["is_overdue"])
    response = signed_in(people["lily"]).get(SEARCH, {"overdue": "yes"})
    assert numbers(response) == [cases["garbage"].number]


@pytest.mark.django_db
def test_a_handler_may_not_search_by_phone(people, cases):
    client = signed_in(people["nina"])
    page = client.get(SEARCH)
    assert 'name="phone"' not in page.content.decode()
    # Sent anyway: refused on the server, with a reason, and nothing is listed.
    refused = client.get(SEARCH, {"phone": "13900002222"})
    assert refused.status_code == 400
    assert "只有指挥中心人员" in refused.content.decode()
    assert refused.context["page"] is None
    assert client.get(CSV, {"phone": "13900002222"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-13-45"}, "有效的日期"),
        ({"since": "2026-11-27", "until": "2026-11-25"}, "结束日期早于开始日期"),
        ({"category": "no_such_thing"}, "选择一个有效的选项"),
        ({"state": "burning"}, "选择一个有效的选项"),
        ({"department": "abc"}, "选择一个有效的选项"),
        ({"phone": "abc"}, "至少输入"),
        ({"number": "x" * 50}, "不超过 20"),
    ],
)
def test_bad_filters_are_explained_in_chinese(people, cases, params, message):
    response = signed_in(people["olga"]).get(SEARCH, params)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_htmx_requests_get_only_the_results(people, cases):
    response = signed_in(people["olga"]).get(
        SEARCH, {"family": "new"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert cases["fresh"].number in body
    assert "<form" not in body
    assert "export.csv?family=new" in body


@pytest.mark.django_db
def test_results_are_paginated(city, people, cases):
    for i in range(30):
        report(city, now=f.WEDNESDAY_9AM + timedelta(days=3, minutes=i))
    client = signed_in(people["olga"])
    first = client.get(SEARCH)
    assert len(numbers(first)) == 25
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(SEARCH, {"page": 2})
    assert len(numbers(second)) == 8
    assert client.get(SEARCH, {"page": "zzz"}).status_code == 200


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_csv_export_has_chinese_headers_and_the_same_rows_as_the_page(people, cases):
    client = signed_in(people["olga"])
    params = {"district": "230104"}
    response = client.get(CSV, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["案件编号", "状态", "大类"]
    assert [r[0] for r in rows[1:]] == numbers(client.get(SEARCH, params))
    garbage = next(r for r in rows if r[0] == cases["garbage"].number)
    assert garbage[1] == "待签收"
    assert "道外区北七道街12号" in garbage
    assert "2026-11-25 09:00" in garbage  # the city's wall-clock time
    assert "13800001111" not in ",".join(garbage)  # reporters' phones never leave in bulk


@pytest.mark.django_db
def test_the_excel_export_opens_with_chinese_headers_dates_and_widths(people, cases):
    client = signed_in(people["olga"])
    response = client.get(XLSX)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号"
    assert rows[0][8] == "上报时间"
    assert [r[0] for r in rows[1:]] == numbers(client.get(SEARCH))
    garbage = next(r for r in rows if r[0] == cases["garbage"].number)
    assert garbage[8] == datetime(2026, 11, 25, 9, 0)  # a real date, Asia/Shanghai
    assert sheet.column_dimensions["F"].width >= 30


@pytest.mark.django_db
def test_nina_exports_only_her_departments_cases(people, cases):
    rows = read_csv(signed_in(people["nina"]).get(CSV))
    assert [r[0] for r in rows[1:]] == [cases["pothole"].number]


@pytest.mark.django_db
@override_settings(EXPORT_MAX_ROWS=2)
def test_an_export_too_large_is_refused_with_a_clear_message(people, cases):
    client = signed_in(people["olga"])
    for url in (CSV, XLSX):
        response = client.get(url)
        assert response.status_code == 400
        assert "超过导出上限" in response.content.decode()
    # Narrowed below the bound, it goes through.
    assert client.get(CSV, {"family": "new"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SEARCH, CSV, XLSX])
def test_anonymous_visitors_are_sent_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SEARCH, CSV, XLSX])
def test_an_account_without_a_post_is_refused(city, url):
    citizen = f.UserFactory(username="citizen", role="")
    assert signed_in(citizen).get(url).status_code == 403


@pytest.mark.django_db
def test_the_search_page_is_chinese_by_default_and_english_on_request(people, cases):
    client = signed_in(people["olga"])
    assert "案件查询" in client.get(SEARCH).content.decode()
    english = client.get(SEARCH, {"lang": "en"}).content.decode()
    assert "Case search" in english
    assert "Reporter phone" in english


@pytest.mark.django_db
def test_staff_find_the_reports_a_channel_brought_in_and_the_export_names_it(people, cases):
    from suishoupai.cases.models import Case, Channel

    Case.objects.filter(pk=cases["pothole"].pk).update(channel=Channel.HOTLINE)
    olga = signed_in(people["olga"])
    assert numbers(olga.get(SEARCH, {"channel": "hotline"})) == [cases["pothole"].number]
    assert olga.get(SEARCH, {"channel": "fax"}).status_code == 400
    rows = list(csv.reader(io.StringIO(olga.get(CSV, {"channel": "hotline"}).getvalue().decode())))
    assert rows[0][-1] == "渠道"
    assert [r[-1] for r in rows[1:]] == ["12345 热线"]
