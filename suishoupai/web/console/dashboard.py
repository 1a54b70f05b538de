"""领导驾驶舱: the leader's dashboard, its tables as Excel/CSV, read from the rollups only.

For 领导 and 值班长 (the whole city) and department handlers (their own tree). Every
number links to the case search with the same filter (search.py's `stat` fields), and
the list counts exactly that number: a case that counts twice (reworked twice) shows
计次 2 (stats.selectors.cases_behind; docs/stats.md, "Click-through").
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suishoupai.cases import policy, selectors
from suishoupai.cases.selectors import CaseFilter
from suishoupai.catalog.models import Category
from suishoupai.errors import NotAllowed
from suishoupai.org.models import Department, User
from suishoupai.places.models import Area
from suishoupai.stats import reports
from suishoupai.stats import selectors as stats
from suishoupai.stats.facts import COUNTED
from suishoupai.timelimits.models import LimitUnit

from .navigation import may_see_dashboard

HEADLINE = [
    "reported",
    "filed",
    "due_close",
    "closed",
    "closing_rate",
    "closed_on_time_rate",
    "rework_rate",
    "satisfaction_rate",
    "hours",
    "own_unit",
]
# Handling-time bins (hours) for the distribution chart.
BINS = [(0, 1), (1, 2), (2, 4), (4, 8), (8, 24), (24, 72), (72, 168), (168, None)]


def may_see(user: User) -> bool:
    return may_see_dashboard(user)


# The dashboard's third table: one more breakdown, chosen in the form.
BREAKDOWNS = {
    "category": gettext_lazy("Category"),
    "subcategory": gettext_lazy("Subcategory"),
    "channel": gettext_lazy("Channel"),
    "post": gettext_lazy("Post (staff by name)"),
}


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("Until"), required=False)
    step = forms.ChoiceField(
        label=gettext_lazy("Trend by"),
        required=False,
        choices=[
            ("day", gettext_lazy("By day")),
            ("week", gettext_lazy("By week")),
            ("month", gettext_lazy("By month")),
        ],
    )
    department = forms.ModelChoiceField(
        Department.objects.order_by("code"),
        required=False,
        label=gettext_lazy("Department"),
        empty_label=gettext_lazy("All"),
    )
    with_subunits = forms.BooleanField(label=gettext_lazy("With its units"), required=False)
    breakdown = forms.ChoiceField(
        label=gettext_lazy("Also by"), required=False, choices=list(BREAKDOWNS.items())
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("since", "until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        scope = stats.scope_for(user)
        if scope is not None:
            field = self.fields["department"]
            field.queryset = field.queryset.filter(pk__in=scope)  # type: ignore[attr-defined]
        self.fields["department"].label_from_instance = lambda d: d.local_name  # type: ignore[attr-defined]

    def period(self) -> tuple[date, date]:
        d = self.cleaned_data if self.is_valid() else {}
        until = d.get("until") or timezone.localdate()
        since = d.get("since") or until.replace(day=1)
        return (since, until) if since <= until else (until, since)


@dataclass
class Scope:
    since: date
    until: date
    departments: frozenset[int] | None
    department: int | None
    with_subunits: bool
    # The link of a figure for the whole scope: the department with its units?
    own_units: bool = True

    def query(self, by: str = "total") -> stats.Query:
        return stats.Query(self.since, self.until, by, self.departments, self.with_subunits)

    def link(self, metric: str, department: int | None = None, **extra: str) -> str:
        params: dict[str, object] = {
            "stat": metric,
            "stat_since": self.since,
            "stat_until": self.until,
        }
        dept: int | None
        if department:
            dept, units = department, self.with_subunits
        else:
            dept, units = self.department, self.own_units
        if dept:
            params |= {"stat_department": dept}
            if units:
                params |= {"stat_units": "on"}
        return reverse("console:search") + "?" + urlencode(params | extra)


def _scope(request: HttpRequest) -> tuple[PeriodForm, Scope]:
    user = request.user
    if not user.is_authenticated or not may_see(user):  # type: ignore[arg-type]
        raise PermissionDenied
    form = PeriodForm(request.GET or None, user=user)  # type: ignore[arg-type]
    since, until = form.period()
    d = form.cleaned_data if form.is_valid() else {}
    chosen = d.get("department")
    units = bool(d.get("with_subunits"))
    try:
        allowed = stats.scope_for(user)  # type: ignore[arg-type]
        departments = stats.narrow(allowed, chosen.pk if chosen else None, units)
    except NotAllowed:
        raise PermissionDenied from None
    own = None
    if chosen:
        own = chosen.pk
    elif allowed is not None:
        own = user.department_id  # type: ignore[union-attr]
    # A chosen department alone or with its units, as asked; a department's own view
    # (nothing chosen) is its whole tree.
    return form, Scope(since, until, departments, own, units, units if chosen else True)


def _number(v: stats.Value) -> str:
    return "–" if v.value is None else f"{v.value}"


def _link_metric(code: str) -> str | None:
    # A rate links to its numerator's cases; a count to its own.
    return stats.link_metric(code)


UNIT_LABELS = dict(LimitUnit.choices)
# Handling times, median / mean in one cell: in clock hours, and in the filing
# conditions' own units.
TIMES = ("hours", "own_unit")


def _time_cell(scope: Scope, row: stats.Row, code: str, department: int | None, extra: dict):
    """Median / mean handling time: in clock hours, or in the conditions' own units (one
    line per unit on a row that mixes them). Each line links to the closed cases it was
    measured on; their number is the line's count (data-count)."""
    if code == "hours":
        plain = [("duration", row.values["median_hours"], row.values["mean_hours"], "")]
    else:
        plain = [
            (COUNTED[u], row.values[f"median_{u}"], row.values[f"mean_{u}"], str(UNIT_LABELS[u]))
            for u in row.units()
        ]
    parts = [
        {
            "text": f"{_number(median)} / {_number(mean)} {unit}".strip(),
            "value": f"{_number(median)} / {_number(mean)}",
            "unit": unit,
            "url": scope.link(metric, department, **extra),
            "count": mean.denominator,
            "metric": metric,
        }
        for metric, median, mean, unit in plain
        if mean.value is not None
    ]
    return {
        "code": code,
        "text": "–" if not parts else "",
        "parts": parts,
        "numerator": None,
        "denominator": None,
        "url": None,
        "count": None,
        "formula": str(TIME_FORMULA),
        "label": str(OTHER_LABELS[code]),
    }


def _cell(scope: Scope, row: stats.Row, code: str, department: int | None, extra: dict) -> dict:
    if code in TIMES:
        return _time_cell(scope, row, code, department, extra)
    value = row.values.get(code) or stats.Value(None)
    metric = _link_metric(code)
    d = stats.DEFINITIONS.get(code)
    rate = bool(d and d.denominator)
    return {
        "code": code,
        "text": _number(value) + ("%" if rate and value.value is not None else ""),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "url": scope.link(metric, department, **extra) if metric else None,
        # What the list behind the link counts: the rate's numerator, or the number.
        "count": value.numerator if rate else value.value,
        "formula": str(d.formula) if d and d.formula else "",
        "label": str(d.label) if d else str(OTHER_LABELS.get(code, "")),
    }


OTHER_LABELS = {
    "hours": gettext_lazy("Handling time, median / mean (hours)"),
    "own_unit": gettext_lazy("Handling time, median / mean (the condition's unit)"),
}
TIME_FORMULA = gettext_lazy("closed cases, from dispatch to the last handling report")


TABLE = [
    "due_close",
    "closed",
    "closing_rate",
    "closed_on_time",
    "closed_on_time_rate",
    "handled",
    "reworked",
    "rework_rate",
    "rated",
    "satisfaction_rate",
    "hours",
    "own_unit",
]
# The staff's own numbers (who files, dispatches, inspects, urges, handles).
POST_TABLE = [
    "received",
    "filed",
    "rejected",
    "dispatched",
    "returned",
    "accurate_dispatch_rate",
    "verified",
    "urged",
    "hours",
    "own_unit",
]


def _filters(by: str, rows: list[stats.Row]) -> dict[object, dict]:
    """The search filter that narrows a row's click-through to its cases."""
    keys = [r.key for r in rows]
    if by == "district":
        codes = dict(Area.objects.filter(pk__in=keys).values_list("pk", "code"))
        return {k: {"district": v} for k, v in codes.items()}
    if by == "category":
        codes = dict(Category.objects.filter(pk__in=keys).values_list("pk", "code"))
        return {k: {"category": v} for k, v in codes.items()}
    if by == "channel":
        return {k: {"channel": k} for k in keys if k}
    if by == "subcategory":
        return {k: {"stat_subcategory": k} for k in keys}
    if by == "post":
        return {k: {"stat_person": k} for k in keys}
    return {}


def _table(scope: Scope, by: str, columns: list[str] | None = None) -> list[dict]:
    rows = stats.indicators(scope.query(by))
    filters = _filters(by, rows)
    columns = columns or (POST_TABLE if by == "post" else TABLE)
    out = []
    for row in rows:
        key = row.key if isinstance(row.key, int) else 0
        dept = key if by == "department" else None
        extra = filters.get(row.key, {})
        if by not in ("department", "total") and not extra:
            continue  # no filter reaches its cases (a report without a district)
        out.append(
            {
                "label": row.label,
                "score": row.score,
                "grade": row.grade,
                "cells": [_cell(scope, row, c, dept, extra) for c in columns],
                "due": row.sums.get("due_close", 0),
                "key": key,
                "reported": row.sums.get("reported", 0),
                "reported_url": scope.link("reported", dept, **extra),
            }
        )
    return out


def _ranking(rows: list[dict]) -> dict:
    """Best and bottom three by the composite score, among units that owed something."""
    scored = sorted(
        (r for r in rows if r["score"] is not None and r["due"]),
        key=lambda r: (-r["score"], r["label"]),
    )
    best = scored[:3]
    bottom = list(reversed(scored[-3:])) if len(scored) > 3 else []
    return {"best": best, "bottom": bottom}


def _heat(districts: list[dict]) -> list[dict]:
    """The districts' reports as circles on the map, at the middle of each district's
    bounding box (no outline: the boundaries are tens of KB each)."""
    boxes = Area.objects.filter(
        pk__in=[d["key"] for d in districts],
        min_lat__isnull=False,
        max_lat__isnull=False,
        min_lng__isnull=False,
        max_lng__isnull=False,
    ).values_list("pk", "min_lat", "max_lat", "min_lng", "max_lng")
    where: dict[int, tuple[float, float]] = {}
    for pk, min_lat, max_lat, min_lng, max_lng in boxes:
        where[pk] = ((min_lat or 0) + (max_lat or 0)) / 2, ((min_lng or 0) + (max_lng or 0)) / 2
    return [
        {
            "name": d["label"],
            "lat": where[d["key"]][0],
            "lng": where[d["key"]][1],
            "value": d["reported"],
            "url": d["reported_url"],
        }
        for d in districts
        if d["key"] in where and d["reported"]
    ]


def _histogram(total: stats.Row) -> list[dict]:
    bins = []
    for low, high in BINS:
        n = sum(c for b, c in total.histogram.items() if b >= low and (high is None or b < high))
        label = f"{low}–{high} h" if high else f"≥ {low} h"
        bins.append({"label": label, "count": n})
    return bins


def _trend(scope: Scope, step: str) -> dict:
    series = stats.trend(scope.query(), step)
    metrics = ["reported", "filed", "due_close", "closed"]
    return {
        "periods": [str(p) for p, _v in series],
        "series": [
            {"name": str(stats.DEFINITIONS[m].label), "data": [v.get(m, 0) for _p, v in series]}
            for m in metrics
        ],
    }


def _attention(user: User, scope: Scope, row: stats.Row) -> list[dict]:
    queue = selectors.staff_queue
    overdue = queue(user, CaseFilter(family="open", overdue=True)).count()
    urged = queue(user, CaseFilter()).filter(urge_count__gt=0, state__in=_open()).count()
    search = reverse("console:search")
    return [
        {
            "label": _("Overdue now"),
            "count": overdue,
            "url": search + "?" + urlencode({"family": "open", "overdue": "yes"}),
        },
        {
            "label": _("Urged and still open"),
            "count": urged,
            "url": search + "?" + urlencode({"attention": "urged"}),
        },
        {
            "label": _("Unsatisfied ratings in the period"),
            "count": row.sums.get("unsatisfied", 0),
            "url": scope.link("unsatisfied"),
        },
    ]


def _open() -> list[str]:
    from suishoupai.cases.states import OPEN_STATES

    return OPEN_STATES


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    # By day up to two months, by month beyond (a year of days is 365 points to read).
    default = "day" if (scope.until - scope.since).days <= 62 else "month"
    step = (form.cleaned_data.get("step") if form.is_valid() else "") or default
    total = stats.total(scope.query())
    departments = _table(scope, "department")
    districts = _table(scope, "district")
    categories = stats.indicators(scope.query("category"))
    breakdown = (form.cleaned_data.get("breakdown") if form.is_valid() else "") or "category"
    context = {
        "form": form,
        "scope": scope,
        "headline": [_cell(scope, total, c, None, {}) for c in HEADLINE],
        "total": total,
        "columns": [_cell(scope, total, c, None, {}) for c in TABLE],
        "breakdown": breakdown,
        "breakdown_label": BREAKDOWNS[breakdown],
        "breakdown_rows": _table(scope, breakdown),
        "breakdown_columns": [
            _cell(scope, total, c, None, {}) for c in (POST_TABLE if breakdown == "post" else TABLE)
        ],
        "departments": departments,
        "districts": districts,
        "dept_ranking": _ranking(departments),
        "district_ranking": _ranking(districts),
        "attention": _attention(request.user, scope, total),  # type: ignore[arg-type]
        "charts": {
            "trend": _trend(scope, step),
            "histogram": _histogram(total),
            "categories": [
                {"name": r.label, "value": r.sums.get("reported", 0)} for r in categories
            ],
            "districts": [{"name": r["label"], "value": r["due"]} for r in districts],
            "heat": _heat(districts),
        },
        "query": request.GET.urlencode(),
        "can_read_all": policy.has_post(request.user, policy.READ_ALL),  # type: ignore[arg-type]
    }
    return render(request, "console/dashboard.html", context)


# ------------------------------------------------------------------ exports


def _export_table(request: HttpRequest) -> tuple[reports.Table, Scope]:
    _form, scope = _scope(request)
    by = request.GET.get("table", "department")
    if by not in ("department", "district", "category", "subcategory", "channel", "post"):
        by = "department"
    unit = Department.objects.filter(pk=scope.department or 0).first()
    table = reports.table(scope.query(by), unit.name if unit else "")
    return table, scope


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    table, scope = _export_table(request)
    out = io.BytesIO()
    reports.workbook([table]).save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"stats-{table.by}-{scope.since:%Y%m%d}-{scope.until:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    table, scope = _export_table(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in reports.csv_rows(table):
        writer.writerow(line)
    # The byte-order mark tells Excel the file is UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"stats-{table.by}-{scope.since:%Y%m%d}-{scope.until:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end
