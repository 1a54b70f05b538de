"""Time limits said as people say them: 立案后24小时内处置, not 24 紧急工作时."""

from decimal import Decimal

import pytest
from django.utils.translation import override

from suishoupai.timelimits.models import LimitUnit
from suishoupai.timelimits.selectors import limit_order, limit_words


@pytest.mark.parametrize(
    ("amount", "unit", "chinese", "english"),
    [
        ("24", LimitUnit.URGENT_HOURS, "24小时", "24 hours"),
        ("1", LimitUnit.URGENT_HOURS, "1小时", "1 hour"),
        ("4", LimitUnit.WORKING_HOURS, "4个工作小时", "4 working hours"),
        ("0.5", LimitUnit.WORKING_HOURS, "0.5个工作小时", "0.5 working hours"),
        ("1", LimitUnit.WORKING_DAYS, "1个工作日", "1 working day"),
        ("5.00", LimitUnit.WORKING_DAYS, "5个工作日", "5 working days"),
    ],
)
def test_each_unit_reads_as_people_say_it(amount, unit, chinese, english):
    with override("zh-hans"):
        assert limit_words(Decimal(amount), unit) == chinese
    with override("en"):
        assert limit_words(Decimal(amount), unit) == english


def test_limits_order_from_the_shortest_whatever_their_unit():
    limits = [
        (Decimal("1"), LimitUnit.WORKING_DAYS),
        (Decimal("24"), LimitUnit.URGENT_HOURS),
        (Decimal("4"), LimitUnit.WORKING_HOURS),
        (Decimal("2"), LimitUnit.URGENT_HOURS),
    ]
    ordered = sorted(limits, key=lambda limit: limit_order(*limit))
    assert ordered == [limits[3], limits[2], limits[1], limits[0]]
