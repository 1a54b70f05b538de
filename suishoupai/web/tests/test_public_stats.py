"""/public/stats/: the public statistics page, no sign-in, no personal data."""

import pytest
from django.test import Client

from suishoupai import factories as c
from suishoupai.stats.tests.utils import two_departments_history

pytestmark = pytest.mark.django_db

PAGE = "/public/stats/"
NOVEMBER = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def history(city, people):
    return two_departments_history(city, people, c.WEDNESDAY_9AM)


def test_anyone_sees_the_district_and_category_figures(history):
    page = Client().get(PAGE, NOVEMBER)
    assert page.status_code == 200
    districts = {
        r["label"]: {x["code"]: x["text"] for x in r["cells"]} for r in page.context["districts"]
    }
    # 道外区: the closed garbage case and the one overdue at 市环卫中心; 南岗区: the pothole.
    assert (
        districts["道外区"]["due_close"] == "2" and districts["道外区"]["closing_rate"] == "50.00%"
    )
    assert districts["南岗区"]["satisfaction_rate"] == "0.00%"
    categories = {r["label"] for r in page.context["categories"]}
    assert categories == {"环境卫生", "道路破损"}
    assert [r["label"] for r in page.context["ranking"]] == ["南岗区", "道外区"]
    html = page.content.decode()
    assert "结案数 / 应结案数" in html and "按期结案率" in html


def test_it_shows_no_staff_and_no_reporter(history):
    html = Client().get(PAGE, NOVEMBER).content.decode()
    for private in (
        "olga",
        "dora",
        "carl",
        "nina",
        "lily",
        "市环卫中心",
        "督办",
    ):  # not "hans": zh-hans
        assert private not in html


def test_the_monthly_trend_counts_each_month(history):
    page = Client().get(PAGE, {"since": "2026-10-01", "until": "2026-12-31"})
    assert [(t["month"], t["reported"], t["closed"]) for t in page.context["trend"]] == [
        ("2026-11", 4, 2)
    ]


def test_it_answers_in_english_too(history):
    page = Client().get(PAGE, NOVEMBER, headers={"Accept-Language": "en"})
    assert page.status_code == 200
