"""Reading the statistics: indicators over a period, broken down, from the daily cells only.

One grouped query over DailyCell per breakdown (plus one for the duration histogram):
the cost depends on days and breakdowns, never on the number of cases.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from suishoupai.cases.models import Case, Channel
from suishoupai.cases.policy import READ_ALL, has_post
from suishoupai.catalog.models import Category, Subcategory
from suishoupai.errors import NotAllowed
from suishoupai.names import in_english
from suishoupai.org.models import Department, Role, User
from suishoupai.places.models import Area
from suishoupai.timelimits import clock

from .facts import COUNTED, DURATIONS, UNITS
from .models import CompositeWeight, DailyCell, GradeBand

BY = ("district", "department", "category", "subcategory", "channel", "post", "total")
PUBLIC_BY = ("district", "category")


@dataclass(frozen=True)
class Definition:
    code: str
    label: Promise
    # Counts: the metric itself. Rates: numerator metrics (summed) over a denominator.
    numerator: tuple[str, ...]
    denominator: str | None = None
    formula: Promise | str = ""
    # Rates only: "(denominator − numerator) / denominator" (准确派遣率).
    complement: bool = False
    public: bool = False
    lower_is_better: bool = False


def _count(code: str, label: Promise, public: bool = False) -> Definition:
    return Definition(code, label, (code,), public=public)


COUNTS = [
    _count("reported", _("Reports (上报数)"), public=True),
    _count("received", _("Received (受理数)")),
    _count("filed", _("Filed (立案数)"), public=True),
    _count("filed_on_time", _("Filed on time (按时立案数)")),
    _count("rejected", _("Not filed (不予立案数)")),
    _count("dispatched", _("Dispatched (派遣数)")),
    _count("returned", _("Returned (回退数)")),
    _count("due_handle", _("Due for handling (应处置数)")),
    _count("handled", _("Handled (处置数)")),
    _count("handled_on_time", _("Handled on time (按期处置数)")),
    _count("due_close", _("Due for closing (应结案数)"), public=True),
    _count("closed", _("Closed (结案数)"), public=True),
    _count("closed_on_time", _("Closed on time (按期结案数)")),
    _count("reworked", _("Reworked (返工数)")),
    _count("extended", _("Extended (延期数)")),
    _count("suspended", _("Suspended (挂账数)")),
    _count("urged", _("Urged (督办数)")),
    _count("overdue", _("Overdue (超期数)")),
    _count("called_back", _("Called back (回访数)")),
    _count("rated", _("Rated (评价数)"), public=True),
    _count("supported", _("Me-toos (附议数)"), public=True),
    _count("verified", _("Verifications (核查数)")),
]
RATES = [
    Definition(
        "filing_rate", _("Filing rate (立案率)"), ("filed",), "received", _("立案数 / 受理数")
    ),
    Definition(
        "filed_on_time_rate",
        _("On-time filing rate (按时立案率)"),
        ("filed_on_time",),
        "filed",
        _("按时立案数 / 立案数"),
    ),
    Definition(
        "accurate_dispatch_rate",
        _("Accurate dispatch rate (准确派遣率)"),
        ("returned",),
        "dispatched",
        _("(派遣数 − 回退数) / 派遣数"),
        complement=True,
    ),
    Definition(
        "return_rate",
        _("Return rate (回退率)"),
        ("returned",),
        "dispatched",
        _("回退数 / 派遣数"),
        lower_is_better=True,
    ),
    Definition(
        "handling_rate",
        _("Handling rate (处置率)"),
        ("handled",),
        "due_handle",
        _("处置数 / 应处置数"),
    ),
    Definition(
        "handled_on_time_rate",
        _("On-time handling rate (按期处置率)"),
        ("handled_on_time",),
        "due_handle",
        _("按期处置数 / 应处置数"),
    ),
    Definition(
        "closing_rate",
        _("Closing rate (结案率)"),
        ("closed",),
        "due_close",
        _("结案数 / 应结案数"),
        public=True,
    ),
    Definition(
        "closed_on_time_rate",
        _("On-time closing rate (按期结案率)"),
        ("closed_on_time",),
        "due_close",
        _("按期结案数 / 应结案数"),
        public=True,
    ),
    Definition(
        "rework_rate",
        _("Rework rate (返工率)"),
        ("reworked",),
        "handled",
        _("返工数 / 处置数"),
        lower_is_better=True,
    ),
    Definition(
        "extension_rate",
        _("Extension rate (延期率)"),
        ("extended",),
        "due_handle",
        _("延期数 / 应处置数"),
        lower_is_better=True,
    ),
    Definition(
        "callback_rate",
        _("Call-back rate (回访率)"),
        ("called_back",),
        "closed",
        _("回访数 / 结案数"),
    ),
    Definition(
        "satisfaction_rate",
        _("Satisfaction rate (满意率)"),
        ("satisfied", "basically_satisfied"),
        "rated",
        _("(满意 + 基本满意) / 评价数"),
        public=True,
    ),
]
DEFINITIONS = {d.code: d for d in COUNTS + RATES}
# Every metric a breakdown needs from the cells.
METRICS = sorted(
    {m for d in DEFINITIONS.values() for m in d.numerator}
    | {d.denominator for d in DEFINITIONS.values() if d.denominator}
    | {*DURATIONS, "unsatisfied"}
)
HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (HUNDRED * numerator / denominator).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Value:
    value: Decimal | int | None
    numerator: int | None = None
    denominator: int | None = None
    # Handling times: the unit the value is in (hours, or a time-limit unit).
    unit: str = ""


@dataclass
class Row:
    key: int | str
    label: str
    sums: dict[str, int] = field(default_factory=dict)
    # Handling-time metrics (facts.DURATIONS): their total minutes, and their histograms
    # of whole hours (bucket → cases).
    minutes_by: dict[str, int] = field(default_factory=dict)
    histograms: dict[str, dict[int, int]] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    score: Decimal | None = None
    grade: str = ""

    def get(self, code: str) -> Value:
        return self.values[code]

    @property
    def minutes(self) -> int:
        return self.minutes_by.get("duration", 0)

    @property
    def histogram(self) -> dict[int, int]:
        """Clock hours: bucket → closed cases."""
        return self.histograms.get("duration", {})

    def units(self) -> list[str]:
        """The time-limit units of the row's closed cases, in LimitUnit order."""
        return [u for u in UNITS if self.sums.get(COUNTED[u])]

    def add(self, other: "Row") -> None:
        for metric, n in other.sums.items():
            self.sums[metric] = self.sums.get(metric, 0) + n
        for metric, n in other.minutes_by.items():
            self.minutes_by[metric] = self.minutes_by.get(metric, 0) + n
        for metric, hist in other.histograms.items():
            mine = self.histograms.setdefault(metric, {})
            for bucket, n in hist.items():
                mine[bucket] = mine.get(bucket, 0) + n


@dataclass(frozen=True)
class Query:
    since: date
    until: date
    by: str = "total"
    # Only cells of these departments (a department's own scope); None: all.
    departments: frozenset[int] | None = None
    # by=department: each row is the department with every unit below it.
    with_subunits: bool = False
    public: bool = False


def _group_field(by: str) -> str | None:
    return {"post": "person", "total": None}.get(by, by)


# The grain each breakdown reads (services.GRAINS), and its handling-time histogram.
READS = {
    "total": "d",
    "district": "d",
    "department": "d",
    "category": "c",
    "subcategory": "s",
    "channel": "h",
    "post": "p",
}
HISTOGRAM = {
    "total": "b",
    "district": "b",
    "department": "b",
    "category": "k",
    "subcategory": "s",
    "channel": "h",
    "post": "p",
}


def in_period(grain: str, since: date, until: date) -> Q:
    """The rows of a grain that cover the period: whole months from the monthly rows,
    the days before and after them from the daily ones."""
    first_full = since if since.day == 1 else _next_month(since)
    after = until + timedelta(days=1)
    end_full = after if after.day == 1 else after.replace(day=1)  # exclusive
    if first_full >= end_full:
        return Q(grain=grain, day__gte=since, day__lte=until)
    return (
        Q(grain=grain + "m", day__gte=first_full, day__lt=end_full)
        | Q(grain=grain, day__gte=since, day__lt=first_full)
        | Q(grain=grain, day__gte=end_full, day__lte=until)
    )


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _cells(q: Query, grain: str, monthly: bool = True) -> QuerySet[DailyCell]:
    where = (
        in_period(grain, q.since, q.until)
        if monthly
        else Q(grain=grain, day__gte=q.since, day__lte=q.until)
    )
    cells = DailyCell.objects.filter(where, metric__in=METRICS)
    if q.departments is not None:
        cells = cells.filter(department__in=q.departments)
    if q.by == "post":
        cells = cells.exclude(person=0)
    return cells


def indicators(q: Query) -> list[Row]:
    group = _group_field(q.by)
    fields = ["metric"] + ([group] if group else [])
    rows: dict[object, Row] = {}
    cells = _cells(q, READS[q.by])
    for item in cells.values(*fields).annotate(count=Sum("count"), total=Sum("total")):
        if not (item["count"] or item["total"]):
            continue  # a fact that moved away: its rows sum to nothing
        key = item[group] if group else "total"
        row = rows.setdefault(key, Row(key=key, label=""))
        metric = item["metric"]
        row.sums[metric] = row.sums.get(metric, 0) + item["count"]
        if metric in DURATIONS:
            row.minutes_by[metric] = row.minutes_by.get(metric, 0) + item["total"]
    # The medians: each row's histograms of handling times (whole hours).
    hist = _cells(q, HISTOGRAM[q.by]).filter(metric__in=DURATIONS)
    for item in hist.values(*fields, "bucket").annotate(n=Sum("count")):
        key = item[group] if group else "total"
        if key in rows and item["n"]:
            histogram = rows[key].histograms.setdefault(item["metric"], {})
            histogram[item["bucket"]] = histogram.get(item["bucket"], 0) + item["n"]
    if q.by == "department" and q.with_subunits:
        rows = _roll_up(rows, q.departments)
    if q.by == "department" and q.departments is not None:
        # The scope's own departments stay, even with nothing to count.
        for pk in q.departments:
            rows.setdefault(pk, Row(key=pk, label=""))
    if group and q.by not in ("channel",):
        rows.pop(0, None)  # cells without that breakdown (a report before it has a district)
    result = list(rows.values())
    _label(result, q.by)
    weights, bands = composite_config()
    for row in result:
        _values(row, q.public)
        row.score, row.grade = composite(row, weights, bands)
    result.sort(key=lambda r: str(r.label))
    return result


def total(q: Query) -> Row:
    rows = indicators(Query(q.since, q.until, "total", q.departments, public=q.public))
    return rows[0] if rows else _empty(q.public)


def _empty(public: bool) -> Row:
    row = Row(key="total", label=str(_("Total")))
    _values(row, public)
    row.score, row.grade = composite(row, *composite_config())
    return row


def _roll_up(rows: dict, scope: frozenset[int] | None) -> dict:
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    rolled: dict[object, Row] = {}
    for key, row in rows.items():
        pk: int | None = key if isinstance(key, int) else None
        while pk:
            if scope is None or pk in scope:
                rolled.setdefault(pk, Row(key=pk, label="")).add(row)
            pk = parents.get(pk)
    return rolled


def _label(rows: list[Row], by: str) -> None:
    ids = [r.key for r in rows if isinstance(r.key, int)]
    names: dict = {}
    if by == "district":
        names = {a.pk: a.local_name for a in Area.objects.filter(pk__in=ids).defer("geometry")}
    elif by == "department":
        names = {d.pk: d.local_name for d in Department.objects.filter(pk__in=ids)}
    elif by == "category":
        names = {c.pk: c.local_name for c in Category.objects.filter(pk__in=ids)}
    elif by == "subcategory":
        names = {s.pk: s.local_name for s in Subcategory.objects.filter(pk__in=ids)}
    elif by == "post":
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    elif by == "channel":
        names = {k: str(v) for k, v in Channel.choices}
    for row in rows:
        row.label = str(names.get(row.key, row.label or _("Total")))


def _values(row: Row, public: bool) -> None:
    s = row.sums
    for d in COUNTS:
        if d.public or not public:
            row.values[d.code] = Value(s.get(d.code, 0))
    for d in RATES:
        if public and not d.public:
            continue
        num = sum(s.get(m, 0) for m in d.numerator)
        den = s.get(d.denominator or "", 0)
        value = percent(den - num if d.complement else num, den)
        row.values[d.code] = Value(value, den - num if d.complement else num, den)
    handled = s.get("duration", 0)
    row.values["mean_hours"] = Value(_hours(row.minutes, handled), row.minutes, handled, "hours")
    row.values["median_hours"] = Value(median_hours(row.histogram), None, handled, "hours")
    # In the conditions' own units: one value per unit the row's cases have, and the
    # row's "own unit" values when they all share one (a mixed row has none: None, "mixed").
    units = row.units()
    for unit in units:
        metric = COUNTED[unit]
        n, minutes = s[metric], row.minutes_by.get(metric, 0)
        mean = Value(in_unit(Decimal(minutes) / n, unit), minutes, n, unit)
        median = median_hours(row.histograms.get(metric, {}))
        middle = Value(None if median is None else in_unit(median * 60, unit), None, n, unit)
        row.values[f"mean_{unit}"], row.values[f"median_{unit}"] = mean, middle
    if len(units) == 1:
        own = units[0]
        row.values["mean_own_unit"] = row.values[f"mean_{own}"]
        row.values["median_own_unit"] = row.values[f"median_{own}"]
    else:
        unit = "mixed" if units else ""
        row.values["mean_own_unit"] = Value(None, None, handled, unit)
        row.values["median_own_unit"] = Value(None, None, handled, unit)


def _hours(minutes: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(minutes) / count / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_unit(minutes: Decimal, unit: str) -> Decimal:
    """Counted minutes in a time-limit unit: hours to 0.1, working days (the length
    of a full working day, timelimits.clock) to 0.01."""
    if unit == "working_days":
        day = Decimal(clock.minutes_for(1, unit))
        return (minutes / day).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return (minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median_hours(histogram: dict[int, int]) -> Decimal | None:
    """The median handling time to the hour: the bucket holding the middle case
    (with an even count, the mean of the two middle ones)."""
    n = sum(histogram.values())
    if not n:
        return None
    ranks = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        while len(found) < 2 and ranks[len(found)] < seen:
            found.append(bucket)
    return Decimal(sum(found)) / 2 + Decimal("0.5")


# Published practice (Jinhua), used while the admin's tables are empty.
DEFAULT_WEIGHTS = [
    ("closed_on_time_rate", 50),
    ("closing_rate", 20),
    ("rework_rate", 10),
    ("satisfaction_rate", 20),
]
DEFAULT_BANDS = [
    (Decimal(90), "优", "Excellent"),
    (Decimal(80), "良", "Good"),
    (Decimal(60), "中", "Fair"),
    (Decimal(0), "差", "Poor"),
]


def composite_config() -> tuple[list[tuple[str, int]], list[tuple[Decimal, str]]]:
    """The centre's weights and grade bands (the admin), or the published defaults
    while none are set."""
    weights = list(CompositeWeight.objects.values_list("indicator", "weight"))
    bands = [(b.min_score, b.local_name) for b in GradeBand.objects.all()]
    if not bands:
        english = in_english()
        bands = [(floor, en if english else zh) for floor, zh, en in DEFAULT_BANDS]
    return weights or DEFAULT_WEIGHTS, bands


def composite(
    row: Row, weights: list[tuple[str, int]], bands: list[tuple[Decimal, str]]
) -> tuple[Decimal | None, str]:
    """综合指标值: the weighted mean of the rates that have a denominator (0–100); a
    "lower is better" rate counts as 100 − rate. Weights of rates without data are
    left out, so a unit is judged on what it had to do."""
    got, weight_sum = Decimal(0), 0
    for code, weight in weights:
        value = row.values.get(code)
        if value is None or value.value is None or not weight:
            continue
        rate = Decimal(value.value)
        got += weight * (HUNDRED - rate if DEFINITIONS[code].lower_is_better else rate)
        weight_sum += weight
    if not weight_sum:
        return None, ""
    score = (got / weight_sum).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    grade = next((name for floor, name in sorted(bands, reverse=True) if score >= floor), "")
    return score, grade


def department_scope(pk: int, with_subunits: bool) -> frozenset[int]:
    dept = Department.objects.get(pk=pk)
    return frozenset(dept.descendant_ids() if with_subunits else {pk})


TREND_METRICS = ("reported", "filed", "due_close", "closed", "closed_on_time")


def trend(q: Query, step: str) -> list[tuple[date, dict[str, int]]]:
    """Counts per day, ISO week (its Monday) or month (its first day)."""
    from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[step]("day")
    # By month: the monthly rows (a partial first or last month counts whole days only).
    cells = _cells(q, "d", monthly=step == "month").filter(metric__in=TREND_METRICS)
    series: dict[date, dict[str, int]] = defaultdict(dict)
    for item in cells.annotate(period=trunc).values("period", "metric").annotate(n=Sum("count")):
        if not item["n"]:
            continue  # a fact that moved to another day leaves rows summing to nothing
        period = item["period"]
        period = period.date() if hasattr(period, "date") else period
        series[period][item["metric"]] = item["n"]
    return sorted(series.items())


def scope_for(user: User) -> frozenset[int] | None:
    """The departments whose numbers a person may read: None for the centre's posts
    (everything), a department's own tree for its handlers, nothing for anyone else."""
    if not user.is_active:
        return frozenset()
    if has_post(user, READ_ALL):
        return None
    if user.role == Role.HANDLER and user.department_id:
        return frozenset(user.department_scope)
    return frozenset()


def narrow(
    scope: frozenset[int] | None, department: int | None, with_subunits: bool
) -> frozenset[int] | None:
    """The departments a request reads: its scope, or one department (with its units)
    inside it. Raises NotAllowed outside the scope (or for no such department)."""
    if scope is not None and not scope:
        raise NotAllowed(str(_("Your post has no statistics to read.")))
    if department is None:
        return scope
    if not Department.objects.filter(pk=department).exists():
        raise NotAllowed(str(_("You may only read your own department and its units.")))
    wanted = department_scope(department, with_subunits)
    if scope is not None and not wanted <= scope:
        raise NotAllowed(str(_("You may only read your own department and its units.")))
    return wanted


def link_metric(code: str) -> str | None:
    """What a number's click-through lists: a count's own facts, a rate's numerator
    (its metrics joined by "+"). None for 准确派遣率, whose numerator (派遣数 − 回退数)
    is no set of facts: its two counts click through on their own."""
    d = DEFINITIONS.get(code)
    if d is None or d.complement:
        return None
    return "+".join(d.numerator)


# Every value stats.cases_behind accepts.
LINKABLE = sorted({m for m in (link_metric(code) for code in DEFINITIONS) if m} | set(DURATIONS))


def cases_behind(
    qs: QuerySet[Case],
    metric: str,
    since: date,
    until: date,
    departments: frozenset[int] | None = None,
    person: int | None = None,
) -> QuerySet[Case]:
    """The cases whose facts make a number: the console's click-through. Each case is
    annotated with `stat_times`, how many times it counts in the number (a case
    dispatched twice counts twice in 派遣数): the sum over the list is the number."""
    from django.db.models import Exists, IntegerField, OuterRef, Subquery

    from .models import CaseFact

    # A rate's numerator of several metrics (满意 + 基本满意) is "satisfied+basically_satisfied".
    facts = CaseFact.objects.filter(
        case=OuterRef("pk"), metric__in=metric.split("+"), day__gte=since, day__lte=until
    )
    if departments is not None:
        facts = facts.filter(department__in=departments)
    if person:
        facts = facts.filter(person=person)
    # Filtered by EXISTS (a semi-join over the index on metric and day); the sum is only
    # computed for the cases listed (a page, or the list's total).
    times = facts.order_by().values("case").annotate(n=Sum("count")).values("n")
    return qs.filter(Exists(facts)).annotate(
        stat_times=Subquery(times, output_field=IntegerField())
    )
