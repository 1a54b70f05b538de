import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings

from suishoupai.timelimits.models import DayKind, LimitUnit, Stage


@pytest.fixture
def harbin() -> dict:
    path = settings.BASE_DIR / "cities" / "harbin" / "calendar.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_it_ships_harbin_with_the_agreed_keys(harbin: dict) -> None:
    assert set(harbin) == {"notes", "working_periods", "stage_limits", "calendar_days"}


def test_it_ships_harbin_working_periods_in_order(harbin: dict) -> None:
    periods = [
        (dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in harbin["working_periods"]
    ]
    assert all(start < end for start, end in periods)
    assert periods == sorted(periods)


def test_it_ships_a_valid_limit_for_every_stage(harbin: dict) -> None:
    limits = harbin["stage_limits"]
    assert sorted(item["stage"] for item in limits) == sorted(Stage.values)
    for item in limits:
        assert item["unit"] in LimitUnit.values
        assert Decimal(str(item["amount"])) > 0


def test_it_ships_calendar_days_in_the_table_format(harbin: dict) -> None:
    for item in harbin["calendar_days"]:
        dt.date.fromisoformat(item["date"])
        assert item["kind"] in DayKind.values
        assert isinstance(item["note"], str)
