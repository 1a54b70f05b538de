"""Statistics for other clients: the staff's indicators and the public subset.

Both read the daily rollups only (stats.selectors); docs/stats.md defines every number.
"""

from datetime import date, timedelta
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from suishoupai.errors import InvalidInput
from suishoupai.stats import selectors
from suishoupai.stats.selectors import Row

from .auth import BearerToken

staff_router = Router(tags=["statistics"], auth=BearerToken())
public_router = Router(tags=["statistics"])

# A dashboard's longest period: ten years of daily cells.
MAX_DAYS = 3660


class PeriodQuery(Schema):
    since: date | None = Field(default=None, description="First day (default: this month's first)")
    until: date | None = Field(default=None, description="Last day, included (default: today)")

    @model_validator(mode="after")
    def _order(self) -> "PeriodQuery":
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        until = self.until or today
        since = self.since or until.replace(day=1)
        if (until - since) > timedelta(days=MAX_DAYS):
            raise InvalidInput(_("The period is too long (ten years at most)."), field="since")
        return since, until


class IndicatorQuery(PeriodQuery):
    by: Literal["total", "district", "department", "category", "subcategory", "channel", "post"] = (
        "total"
    )
    department: int | None = Field(default=None, ge=1, le=2**31 - 1)
    with_subunits: bool = Field(default=False, description="A department with its units below")


class PublicQuery(PeriodQuery):
    by: Literal["total", "district", "category"] = "total"


class ValueOut(Schema):
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    unit: str | None = Field(
        default=None,
        description="Handling times: hours (clock), urgent_hours, working_hours or "
        "working_days (the filing conditions' units); mixed when a row's cases have "
        "several units (its own-unit values are then null, see the per-unit ones)",
    )


class RowOut(Schema):
    key: int | str
    label: str
    score: float | None = Field(description="综合指标值 (0–100), weights set by the centre")
    grade: str
    values: dict[str, ValueOut]


class DefinitionOut(Schema):
    code: str
    label: str
    formula: str


class IndicatorsOut(Schema):
    since: date
    until: date
    by: str
    total: RowOut
    rows: list[RowOut]
    definitions: list[DefinitionOut]


def _row(row: Row) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "score": float(row.score) if row.score is not None else None,
        "grade": row.grade,
        "values": {
            code: {
                "value": float(v.value) if v.value is not None else None,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "unit": v.unit or None,
            }
            for code, v in row.values.items()
        },
    }


def _answer(q: selectors.Query, public: bool) -> dict:
    defs = [d for d in selectors.DEFINITIONS.values() if d.public or not public]
    rows = selectors.indicators(q) if q.by != "total" else []
    return {
        "since": q.since,
        "until": q.until,
        "by": q.by,
        "total": _row(selectors.total(q)),
        "rows": [_row(r) for r in rows],
        "definitions": [
            {"code": d.code, "label": str(d.label), "formula": str(d.formula)} for d in defs
        ],
    }


@staff_router.get(
    "/stats/indicators",
    response=IndicatorsOut,
    summary="Indicators over a period, broken down (scoped to my department)",
)
def indicators(request: HttpRequest, q: Query[IndicatorQuery]):
    user = request.auth  # type: ignore[attr-defined]  # set by BearerToken
    since, until = q.period()
    departments = selectors.narrow(selectors.scope_for(user), q.department, q.with_subunits)
    query = selectors.Query(since, until, q.by, departments, q.with_subunits)
    return _answer(query, public=False)


@public_router.get(
    "/public/stats",
    response=IndicatorsOut,
    summary="The public statistics: counts and rates by district or category",
)
def public_stats(request: HttpRequest, q: Query[PublicQuery]):
    since, until = q.period()
    return _answer(selectors.Query(since, until, q.by, public=True), public=True)
