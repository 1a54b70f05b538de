"""Factories with fixed defaults: the same call always builds the same thing."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from suishoupai.catalog.models import (
    Category,
    CategoryKind,
    FilingCondition,
    RoutingRule,
    Subcategory,
)
from suishoupai.org.models import ApiToken, Department, DepartmentKind, Role, User
from suishoupai.places.models import Area, AreaLevel
from suishoupai.timelimits.models import LimitUnit

TZ = ZoneInfo("Asia/Shanghai")
# Wednesday 25 November 2026, 09:00 — a plain working day.
WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
DAOWAI = (45.78, 126.65)  # lat, lng inside the test 道外区 square
NANGANG = (45.73, 126.65)


def square(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict:
    ring = [
        [min_lng, min_lat],
        [max_lng, min_lat],
        [max_lng, max_lat],
        [min_lng, max_lat],
        [min_lng, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = AreaLevel.DISTRICT
    geometry = square(126.60, 45.76, 126.70, 45.80)
    min_lng, min_lat, max_lng, max_lat = 126.60, 45.76, 126.70, 45.80


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.DISTRICT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    password = factory.django.Password("correct-horse-battery")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "sanitation"
    name = "环境卫生"
    kind = CategoryKind.EVENT


class SubcategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subcategory
        django_get_or_create = ("code",)

    category = factory.SubFactory(CategoryFactory)
    code = "sanitation.exposed_garbage"
    name = "暴露垃圾"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilingCondition
        django_get_or_create = ("code",)

    subcategory = factory.SubFactory(SubcategoryFactory)
    code = "sanitation.exposed_garbage.visible"
    description = "主次干道暴露垃圾1处以上"
    limit_amount = Decimal("4")
    limit_unit = LimitUnit.WORKING_HOURS
    closing_criterion = "垃圾清理干净"


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule


def token_for(user: User) -> str:
    return ApiToken.issue(user, "test")[1]
