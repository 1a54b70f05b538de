"""The published figures our formulas must reproduce (docs/stats.md)."""

from decimal import Decimal

import pytest

from suishoupai.stats.models import CompositeWeight, GradeBand
from suishoupai.stats.selectors import (
    Row,
    Value,
    composite,
    composite_config,
    median_hours,
    percent,
)


def test_tianmen_s_bulletin_rounds_to_the_published_rates():
    assert percent(911, 972) == Decimal("93.72")  # 结案率
    assert percent(737, 972) == Decimal("75.82")  # 按期结案率
    assert percent(1, 0) is None


@pytest.mark.parametrize(
    "histogram, median",
    [({0: 1}, "0.5"), ({0: 1, 5: 1}, "3"), ({0: 1, 5: 1, 9: 1}, "5.5"), ({}, None)],
)
def test_the_median_is_the_middle_case_s_hour(histogram, median):
    assert median_hours(histogram) == (Decimal(median) if median else None)


@pytest.mark.django_db
def test_the_seeded_weights_follow_jinhua_and_leave_out_rates_without_data():
    weights, bands = composite_config()
    assert dict(weights) == {
        "closed_on_time_rate": 50,
        "closing_rate": 20,
        "rework_rate": 10,
        "satisfaction_rate": 20,
    }
    row = Row(key="x", label="x")
    row.values = {
        "closed_on_time_rate": Value(Decimal("75.82")),
        "closing_rate": Value(Decimal("93.72")),
        "rework_rate": Value(Decimal("10")),
        "satisfaction_rate": Value(None),  # nobody rated: left out
    }
    # (50 × 75.82 + 20 × 93.72 + 10 × 90) / 80
    assert composite(row, weights, bands) == (Decimal("82.07"), "良")
    CompositeWeight.objects.filter(indicator="closing_rate").update(weight=0)
    GradeBand.objects.filter(name="良").update(min_score=Decimal("85"))
    assert composite(row, *composite_config()) == (Decimal("78.18"), "中")


@pytest.mark.django_db
def test_without_weights_in_the_admin_the_published_ones_apply():
    CompositeWeight.objects.all().delete()
    GradeBand.objects.all().delete()
    weights, bands = composite_config()
    assert dict(weights)["closed_on_time_rate"] == 50
    assert [name for _floor, name in bands] == ["优", "良", "中", "差"]
