from typing import Any

from django.db.models import Q

from suishoupai.catalog.models import (
    Category,
    FilingCondition,
    ReplyTemplate,
    RoutingRule,
    Subcategory,
)
from suishoupai.org.models import Department
from suishoupai.places.models import Area
from suishoupai.refcache import Table


def _routing_rules() -> list[RoutingRule]:
    # Rules pointing at an inactive department are skipped.
    return list(RoutingRule.objects.filter(department__active=True).select_related("department"))


_rules = Table(_routing_rules, RoutingRule, Department)


def route(
    category: Category, subcategory: Subcategory | None, district: Area | None
) -> Department | None:
    """The department a case of this kind and place goes to, by the routing rules alone.

    The most specific rule wins: subcategory + district, subcategory + any district,
    category + district, category + any district; among equals the lowest priority number.
    Rules pointing at an inactive department are skipped. Falling back to the filing
    condition's default department is the caller's decision, not made here. The rules are
    read from the reference cache (suishoupai.refcache).
    """
    sub_id = subcategory.pk if subcategory is not None else None
    district_id = district.pk if district is not None else None
    # A rule that leaves a field empty applies to any value.
    rules = [
        r
        for r in _rules.get()
        if r.category_id == category.pk
        and r.subcategory_id in (None, sub_id)
        and r.district_id in (None, district_id)
    ]
    best = min(
        rules,
        key=lambda r: (r.subcategory_id is None, r.district_id is None, r.priority, r.pk),
        default=None,
    )
    return best.department if best else None


def _catalogue() -> dict[str, Any]:
    categories = list(Category.objects.all())
    subcategories = list(Subcategory.objects.all())
    return {
        "categories": {c.pk: c for c in categories},
        "subcategories": {s.pk: s for s in subcategories},
        "active": {c.code: c for c in categories if c.active},
        "active_subs": {(s.category_id, s.code): s for s in subcategories if s.active},
        "conditions": {c.pk: c for c in FilingCondition.objects.all()},
    }


_catalog = Table(_catalogue, Category, Subcategory, FilingCondition)


def active_category(code: str) -> Category | None:
    return _catalog.get()["active"].get(code)


def active_subcategory(category: Category, code: str) -> Subcategory | None:
    return _catalog.get()["active_subs"].get((category.pk, code))


def catalogue_by_pk() -> tuple[dict[int, Category], dict[int, Subcategory], dict]:
    """Every category, subcategory and filing condition by id (inactive ones too: old
    cases name them), from the reference cache."""
    found = _catalog.get()
    return found["categories"], found["subcategories"], found["conditions"]


_departments = Table(lambda: {d.pk: d for d in Department.objects.all()}, Department)


def departments_by_pk() -> dict[int, Department]:
    return _departments.get()


def reply_templates(kind: str, department: Department | None = None) -> list[str]:
    """Active stock phrases of a kind: the city-wide ones, and those of the
    person's department or a department above it."""
    above: set[int] = set()
    while department is not None and department.pk not in above:
        above.add(department.pk)
        department = department.parent
    qs = ReplyTemplate.objects.filter(kind=kind, active=True)
    qs = qs.filter(Q(department__isnull=True) | Q(department_id__in=above))
    return list(qs.order_by("sort_order", "pk").values_list("text", flat=True))
