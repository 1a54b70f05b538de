from decimal import Decimal

import pytest

from suishoupai.timelimits.models import StageLimit
from suishoupai.timelimits.selectors import stage_limit

pytestmark = pytest.mark.django_db


def test_it_returns_the_amount_and_unit_of_a_stage() -> None:
    StageLimit.objects.create(stage="dispatch", amount=Decimal("0.5"), unit="working_hours")
    assert stage_limit("dispatch") == (Decimal("0.5"), "working_hours")


def test_it_returns_none_for_a_stage_without_a_limit() -> None:
    assert stage_limit("verify") is None
