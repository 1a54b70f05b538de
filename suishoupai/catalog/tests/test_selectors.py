import pytest

from suishoupai.catalog.models import Category, RoutingRule, Subcategory
from suishoupai.catalog.selectors import route
from suishoupai.org.models import Department
from suishoupai.places.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    sanitation = Category.objects.create(code="sanitation", name="环境卫生", kind="event")
    garbage = Subcategory.objects.create(category=sanitation, code="garbage", name="暴露垃圾")
    snow = Subcategory.objects.create(category=sanitation, code="snow", name="积雪")
    daowai = Area.objects.create(code="230104", name="道外区", level="district")
    daoli = Area.objects.create(code="230102", name="道里区", level="district")
    departments = {
        code: Department.objects.create(code=code, name=code, kind="city")
        for code in ("city", "daowai", "garbage_any", "garbage_daowai", "spare")
    }
    return sanitation, garbage, snow, daowai, daoli, departments


def rule(category, department, *, subcategory=None, district=None, priority=100):
    return RoutingRule.objects.create(
        category=category,
        subcategory=subcategory,
        district=district,
        department=department,
        priority=priority,
    )


def test_it_prefers_the_most_specific_rule(world):
    sanitation, garbage, snow, daowai, daoli, d = world
    rule(sanitation, d["city"])
    rule(sanitation, d["daowai"], district=daowai)
    rule(sanitation, d["garbage_any"], subcategory=garbage)
    rule(sanitation, d["garbage_daowai"], subcategory=garbage, district=daowai)

    assert route(sanitation, garbage, daowai) == d["garbage_daowai"]
    assert route(sanitation, garbage, daoli) == d["garbage_any"]
    assert route(sanitation, snow, daowai) == d["daowai"]
    assert route(sanitation, snow, daoli) == d["city"]
    assert route(sanitation, None, None) == d["city"]
    assert route(sanitation, garbage, None) == d["garbage_any"]


def test_it_ranks_a_named_subcategory_above_a_named_district(world):
    sanitation, garbage, _, daowai, _, d = world
    rule(sanitation, d["daowai"], district=daowai)
    rule(sanitation, d["garbage_any"], subcategory=garbage)

    assert route(sanitation, garbage, daowai) == d["garbage_any"]


def test_it_breaks_ties_by_the_lowest_priority_number(world):
    sanitation, _, _, daowai, _, d = world
    rule(sanitation, d["spare"], district=daowai, priority=200)
    rule(sanitation, d["daowai"], district=daowai, priority=10)

    assert route(sanitation, None, daowai) == d["daowai"]


def test_it_skips_rules_for_inactive_departments(world):
    sanitation, _, _, daowai, _, d = world
    rule(sanitation, d["city"])
    rule(sanitation, d["daowai"], district=daowai)
    Department.objects.filter(code="daowai").update(active=False)

    assert route(sanitation, None, daowai) == d["city"]


def test_it_returns_none_when_no_rule_matches(world):
    sanitation, garbage, snow, daowai, daoli, d = world
    rule(sanitation, d["garbage_daowai"], subcategory=garbage, district=daowai)
    other = Category.objects.create(code="noise", name="噪声", kind="event")
    rule(other, d["city"])

    assert route(sanitation, garbage, daoli) is None
    assert route(sanitation, snow, daowai) is None
