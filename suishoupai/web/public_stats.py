"""公开统计: the city's service in numbers, for anyone, no sign-in, phone first.

Counts, 结案率, 按期结案率, median handling time and 满意率 by district and category, the
monthly trend and the districts' ranking, all from the daily rollups (stats.selectors,
its public subset: no staff names, no internal counts). docs/stats.md defines them.
"""

from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suishoupai.stats import selectors as stats

COLUMNS = [
    "reported",
    "due_close",
    "closed",
    "closing_rate",
    "closed_on_time_rate",
    "median_hours",
    "rated",
    "satisfaction_rate",
]
HEADLINE = ["reported", "closed", "closing_rate", "closed_on_time_rate", "median_hours"]
LABELS = {"median_hours": _("Median handling time (hours)")}


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("Until"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("since", "until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def period(self) -> tuple[date, date]:
        d = self.cleaned_data if self.is_valid() else {}
        until = d.get("until") or timezone.localdate()
        # Default: the last twelve months, this one included.
        since = d.get("since") or (until.replace(day=1) - timedelta(days=334)).replace(day=1)
        if since > until:
            since, until = until, since
        return max(since, until - timedelta(days=3660)), until


def _cell(row: stats.Row, code: str) -> dict:
    value = row.values.get(code) or stats.Value(None)
    d = stats.DEFINITIONS.get(code)
    is_rate = bool(d and d.denominator)
    text = "–" if value.value is None else f"{value.value}{'%' if is_rate else ''}"
    return {
        "code": code,
        "label": str(d.label) if d else str(LABELS.get(code, code)),
        "text": text,
        "formula": str(d.formula) if d and d.formula else "",
        "numerator": value.numerator,
        "denominator": value.denominator,
    }


def _rows(q: stats.Query) -> list[dict]:
    return [
        {"label": r.label, "cells": [_cell(r, c) for c in COLUMNS], "row": r}
        for r in stats.indicators(q)
    ]


def _ranking(rows: list[dict]) -> list[dict]:
    """Districts by 按期结案率, then 结案率: those that owed at least one case."""

    def rate(r: dict, code: str):
        return r["row"].values[code].value

    owed = [r for r in rows if r["row"].sums.get("due_close")]
    return sorted(
        owed,
        key=lambda r: (-(rate(r, "closed_on_time_rate") or 0), -(rate(r, "closing_rate") or 0)),
    )


def public_stats(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    q = stats.Query(since, until, public=True)
    total = stats.total(q)
    districts = _rows(stats.Query(since, until, "district", public=True))
    categories = _rows(stats.Query(since, until, "category", public=True))
    months = stats.trend(q, "month")
    trend = [
        {
            "month": f"{m:%Y-%m}",
            "reported": v.get("reported", 0),
            "closed": v.get("closed", 0),
            "closing_rate": stats.percent(v.get("closed", 0), v.get("due_close", 0)),
        }
        for m, v in months
    ]
    context = {
        "form": form,
        "since": since,
        "until": until,
        "headline": [_cell(total, c) for c in [*HEADLINE, "satisfaction_rate"]],
        "columns": [_cell(total, c) for c in COLUMNS],
        "districts": districts,
        "categories": categories,
        "ranking": _ranking(districts),
        "trend": trend,
        "chart": {
            "months": [t["month"] for t in trend],
            "reported": [t["reported"] for t in trend],
            "closed": [t["closed"] for t in trend],
            "rate": [
                float(t["closing_rate"]) if t["closing_rate"] is not None else None for t in trend
            ],
            "names": [
                str(_("Reports")),
                str(_("Closed cases")),
                str(_("Closing rate in per cent")),
            ],
        },
    }
    return render(request, "web/public_stats.html", context)


urlpatterns = [path("", public_stats, name="public_stats")]
