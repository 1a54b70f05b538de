"""The catalogue of problems, for report forms and partner systems."""

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.timelimits.models import LimitUnit

from .schemas import CategoryOut

router = Router(tags=["catalogue"])


def _condition(cond: FilingCondition) -> dict:
    return {
        "code": cond.code,
        "description": cond.description,
        "limit": {
            "amount": cond.limit_amount,
            "unit": cond.limit_unit,
            "unit_label": str(LimitUnit(cond.limit_unit).label),
        },
        "closing_criterion": cond.closing_criterion,
        "default_department": cond.default_department.name if cond.default_department else None,
    }


@router.get("/categories", response=list[CategoryOut], summary="The catalogue of problems")
def categories(request: HttpRequest):
    conditions = FilingCondition.objects.filter(active=True).select_related("default_department")
    subs = Subcategory.objects.filter(active=True).prefetch_related(
        Prefetch("conditions", queryset=conditions)
    )
    cats = Category.objects.filter(active=True).prefetch_related(
        Prefetch("subcategories", queryset=subs)
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "kind": c.kind,
            "kind_label": str(c.get_kind_display()),
            "icon": c.icon,
            "hint": c.hint,
            "hint_en": c.hint_en,
            "subcategories": [
                {
                    "code": s.code,
                    "name": s.name,
                    "name_en": s.name_en,
                    "hint": s.hint,
                    "conditions": [_condition(x) for x in s.conditions.all()],
                }
                for s in c.subcategories.all()
            ],
        }
        for c in cats
    ]
