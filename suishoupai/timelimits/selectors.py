from decimal import Decimal

from django.utils.translation import ngettext

from suishoupai.refcache import Table
from suishoupai.timelimits.models import LimitUnit, StageLimit

_limits = Table(
    lambda: {s: (a, u) for s, a, u in StageLimit.objects.values_list("stage", "amount", "unit")},
    StageLimit,
)


def stage_limit(stage: str) -> tuple[Decimal, str] | None:
    """The (amount, unit) limit of a centre stage, or None when the city set none."""
    return _limits.get().get(stage)


# Roughly how long one unit lasts in wall-clock hours, only to order limits from the
# shortest: 7.5 working hours make a working day, five working days a week.
_UNIT_SPAN = {
    LimitUnit.URGENT_HOURS: 1.0,
    LimitUnit.WORKING_HOURS: 24 / 7.5 * 7 / 5,
    LimitUnit.WORKING_DAYS: 24 * 7 / 5,
}


def limit_words(amount: Decimal, unit: str) -> str:
    """A limit as people say it (docs/citizen.md): '24小时', '4个工作小时', '5个工作日'.

    Urgent hours run day and night, so they are plain hours; the other two say "working".
    """
    amount = Decimal(amount)
    count = int(amount) if amount == int(amount) else 2  # 1.5 hours is plural
    if unit == LimitUnit.URGENT_HOURS:
        text = ngettext("%(n)s hour", "%(n)s hours", count)
    elif unit == LimitUnit.WORKING_HOURS:
        text = ngettext("%(n)s working hour", "%(n)s working hours", count)
    else:
        text = ngettext("%(n)s working day", "%(n)s working days", count)
    return text % {"n": f"{amount.normalize():f}"}


def limit_order(amount: Decimal, unit: str) -> float:
    return float(amount) * _UNIT_SPAN[LimitUnit(unit)]
