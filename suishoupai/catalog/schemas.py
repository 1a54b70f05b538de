from decimal import Decimal

from ninja import Schema


class LimitOut(Schema):
    amount: Decimal
    unit: str
    unit_label: str


class ConditionOut(Schema):
    code: str
    description: str
    limit: LimitOut
    closing_criterion: str
    default_department: str | None


class SubcategoryOut(Schema):
    code: str
    name: str
    name_en: str
    hint: str
    conditions: list[ConditionOut]


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    kind_label: str
    icon: str
    hint: str
    subcategories: list[SubcategoryOut]
