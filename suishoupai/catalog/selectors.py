from django.db.models import Model, Q

from suishoupai.catalog.models import Category, ReplyTemplate, RoutingRule, Subcategory
from suishoupai.org.models import Department
from suishoupai.places.models import Area


def route(
    category: Category, subcategory: Subcategory | None, district: Area | None
) -> Department | None:
    """The department a case of this kind and place goes to, by the routing rules alone.

    The most specific rule wins: subcategory + district, subcategory + any district,
    category + district, category + any district; among equals the lowest priority number.
    Rules pointing at an inactive department are skipped. Falling back to the filing
    condition's default department is the caller's decision, not made here.
    """
    rules = RoutingRule.objects.filter(
        _unset_or("subcategory", subcategory),
        _unset_or("district", district),
        category=category,
        department__active=True,
    ).select_related("department")
    best = min(
        rules,
        key=lambda r: (r.subcategory_id is None, r.district_id is None, r.priority, r.pk),
        default=None,
    )
    return best.department if best else None


def _unset_or(field: str, value: Model | None) -> Q:
    # A rule that leaves the field empty applies to any value.
    unset = Q(**{f"{field}__isnull": True})
    return unset | Q(**{field: value}) if value is not None else unset


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
