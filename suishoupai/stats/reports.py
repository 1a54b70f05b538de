"""Statistics as spreadsheets: a table the way government offices expect it (title,
period, unit, frozen header, the formulas in a note row), CSV, and the monthly bulletin.

Every cell goes through exports.safe_cell: a department or person name is data,
never a formula.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.exports import safe_cell, safe_row
from suishoupai.timelimits.models import LimitUnit

from . import selectors
from .facts import UNITS

COLUMNS = [
    "due_close",
    "closed",
    "closing_rate",
    "closed_on_time",
    "closed_on_time_rate",
    "handled",
    "reworked",
    "rework_rate",
    "dispatched",
    "returned",
    "accurate_dispatch_rate",
    "extended",
    "suspended",
    "urged",
    "overdue",
    "rated",
    "satisfaction_rate",
    "mean_hours",
    "median_hours",
]
# The staff's own numbers, for the table by post.
POST_COLUMNS = [
    "received",
    "filed",
    "rejected",
    "dispatched",
    "returned",
    "accurate_dispatch_rate",
    "verified",
    "urged",
    "mean_hours",
    "median_hours",
]
BY_TITLES = {
    "department": "部门",
    "district": "区",
    "category": "大类",
    "subcategory": "小类",
    "channel": "渠道",
    "post": "岗位人员",
    "total": "合计",
    "trend": "趋势",
}


@dataclass
class Table:
    title: str
    by: str
    since: date
    until: date
    unit: str
    header: list[str]
    rows: list[list]
    notes: str


def _label(code: str) -> str:
    d = selectors.DEFINITIONS.get(code)
    if d is not None:
        return str(d.label)
    if code in ("mean_hours", "median_hours"):
        return {"mean_hours": _("Mean handling hours"), "median_hours": _("Median handling hours")}[
            code
        ]
    kind, unit = code.split("_", 1)
    name = str(dict(LimitUnit.choices)[unit])
    if kind == "mean":
        return _("Mean handling time (%(unit)s)") % {"unit": name}
    return _("Median handling time (%(unit)s)") % {"unit": name}


def time_columns(rows: list[selectors.Row]) -> list[str]:
    """The handling time in each time-limit unit the table's cases have: a row of one
    unit fills its unit's two columns, a row that mixes units fills each of them."""
    units = [u for u in UNITS if any(u in r.units() for r in rows)]
    return [f"{kind}_{unit}" for unit in units for kind in ("mean", "median")]


def _value(row: selectors.Row, code: str) -> float | int | None:
    v = row.values.get(code)
    if v is None or v.value is None:
        return None
    return float(v.value) if isinstance(v.value, Decimal) else v.value


def table(q: selectors.Query, unit: str = "", title: str = "") -> Table:
    rows = selectors.indicators(q) if q.by != "total" else []
    total = selectors.total(q)
    columns = (POST_COLUMNS if q.by == "post" else COLUMNS) + time_columns([*rows, total])
    header = [BY_TITLES.get(q.by, q.by)] + [_label(c) for c in columns]
    header += [_("Composite score (综合指标值)"), _("Grade")]

    def line(row: selectors.Row) -> list:
        score = float(row.score) if row.score is not None else None
        return [row.label] + [_value(row, c) for c in columns] + [score, row.grade]

    body = [line(r) for r in rows]
    total_line = line(total)
    total_line[0] = _("Total")
    body.append(total_line)
    formulas = [
        f"{selectors.DEFINITIONS[c].label} = {selectors.DEFINITIONS[c].formula}"
        for c in columns
        if c in selectors.DEFINITIONS and selectors.DEFINITIONS[c].formula
    ]
    weights = ", ".join(f"{code} {w}" for code, w in selectors.composite_config()[0])
    notes = "; ".join(formulas) + f"; 综合指标值 = Σ权重×指标 / Σ权重 ({weights})"
    notes += "; " + _(
        "handling times: closed cases, from the dispatch to the last handling report, in "
        "clock hours and in each filing condition's own time-limit unit (working hours "
        "and days skip nights, weekends and holidays); medians exact to the hour"
    )
    name = title or _("Urban management statistics by %(by)s") % {"by": BY_TITLES.get(q.by, q.by)}
    return Table(name, q.by, q.since, q.until, unit, header, body, notes)


def csv_rows(t: Table) -> list[list]:
    lines = [
        safe_row([t.title]),
        safe_row([_("Period"), f"{t.since} – {t.until}"]),
        safe_row([_("Unit"), t.unit or _("Whole city")]),
        safe_row(t.header),
    ]
    lines += [safe_row(["" if v is None else v for v in r]) for r in t.rows]
    lines.append(safe_row([_("Formulas"), t.notes]))
    return lines


def workbook(tables: list[Table]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(BY_TITLES.get(t.by, t.by)[:31])
        width = len(t.header)
        sheet.append([safe_cell(t.title)])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append(safe_row([_("Period"), f"{t.since} – {t.until}"]))
        made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        sheet.append(safe_row([_("Unit"), t.unit or _("Whole city"), _("Made"), made]))
        sheet.append(safe_row(t.header))
        for cell in sheet[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in t.rows:
            sheet.append(safe_row(row))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)  # the total
        sheet.append(safe_row([_("Formulas"), t.notes]))
        note_row = sheet.max_row
        sheet.merge_cells(start_row=note_row, start_column=2, end_row=note_row, end_column=width)
        sheet.cell(note_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[note_row].height = 90
        sheet.freeze_panes = "B5"  # the header and the names stay in view
        sheet.column_dimensions["A"].width = 22
        for index in range(2, width + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 12
    return book


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' → (1 November, 30 November)."""
    year, number = (int(x) for x in month.split("-"))
    first = date(year, number, 1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after - timedelta(days=1)


def monthly_bulletin(month: str):
    """The month's bulletin: rankings of departments and districts with the bottom three,
    the categories, and the trend of the last twelve months."""
    since, until = month_bounds(month)
    tables = []
    for by in ("department", "district", "category"):
        t = table(
            selectors.Query(since, until, by),
            title=f"{month} 数字城管运行情况通报（按{BY_TITLES[by]}）",
        )
        if by in ("department", "district"):
            _rank(t)
        tables.append(t)
    tables.append(_trend_table(since, until, month))
    return workbook(tables)


def _rank(t: Table) -> None:
    """Sort by the composite score, best first, and mark the bottom three."""
    score_at = len(t.header) - 2
    total = t.rows.pop()
    scored = sorted(t.rows, key=lambda r: (r[score_at] is None, -(r[score_at] or 0), r[0]))
    t.header = [_("Rank"), *t.header, _("Remark")]
    ranked = [r for r in scored if r[score_at] is not None]
    rows = []
    for index, row in enumerate(scored, start=1):
        bottom = row[score_at] is not None and len(ranked) > 3 and row in ranked[-3:]
        rows.append(
            [index if row[score_at] is not None else None, *row, "后三名" if bottom else ""]
        )
    rows.append([None, *total, ""])
    t.rows = rows


def _trend_table(since: date, until: date, month: str) -> Table:
    first = (since - timedelta(days=334)).replace(day=1)
    series = selectors.trend(selectors.Query(first, until), "month")
    metrics = ["reported", "filed", "due_close", "closed", "closed_on_time"]
    header = [_("Month")] + [_label(m) for m in metrics] + [_label("closing_rate")]
    rows = []
    for period, values in series:
        rate = selectors.percent(values.get("closed", 0), values.get("due_close", 0))
        rows.append(
            [f"{period:%Y-%m}"]
            + [values.get(m, 0) for m in metrics]
            + [float(rate) if rate is not None else None]
        )
    return Table(
        f"{month} 近十二个月趋势",
        "trend",
        first,
        until,
        "",
        header,
        rows,
        str(selectors.DEFINITIONS["closing_rate"].formula),
    )
