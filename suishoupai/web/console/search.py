"""案件查询: search over every case the user may see, and its CSV/Excel export.

Filters are parsed in one place (SearchForm) and applied by
cases.selectors.apply_filter over Case.objects.visible_to(user), so the page,
the CSV and the Excel file always hold the same rows.
"""

import csv
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suishoupai.cases import policy, selectors
from suishoupai.cases.models import Case, Channel, ReporterRating
from suishoupai.cases.states import OPEN_STATES, Family, State
from suishoupai.catalog.models import Category, Subcategory
from suishoupai.exports import safe_row
from suishoupai.names import LocalName
from suishoupai.org.models import Department, User
from suishoupai.places.models import Area, AreaLevel
from suishoupai.stats import selectors as stats
from suishoupai.stats.facts import METRICS as STAT_METRICS

PAGE_SIZE = 25
YES_NO = [("", gettext_lazy("All")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def may_search(user: User) -> bool:
    # Staff with a post; visible_to decides which cases each of them sees.
    return user.is_active and (user.is_superuser or bool(user.role))


class LocalNameChoice(forms.ModelChoiceField):
    """A category, district or department picker in the interface's language."""

    def label_from_instance(self, obj: LocalName) -> str:  # type: ignore[override]
        return obj.local_name


STAT_NAMES = {
    "satisfied": gettext_lazy("Satisfied (满意)"),
    "basically_satisfied": gettext_lazy("Basically satisfied (基本满意)"),
    "unsatisfied": gettext_lazy("Unsatisfied (不满意)"),
    "duration": gettext_lazy("Handling time (closed cases)"),
    "duration_urgent_hours": gettext_lazy("Handling time in urgent hours (closed cases)"),
    "duration_working_hours": gettext_lazy("Handling time in working hours (closed cases)"),
    "duration_working_days": gettext_lazy("Handling time in working days (closed cases)"),
}


def stat_name(stat: str) -> Any:
    """A click-through's name: the count's label, or the rate whose numerator it is."""
    if stat in stats.DEFINITIONS:
        return stats.DEFINITIONS[stat].label
    if stat in STAT_NAMES:
        return STAT_NAMES[stat]
    rate = next((d for d in stats.RATES if stats.link_metric(d.code) == stat), None)
    return rate.label if rate else stat


class SearchForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Case number"), max_length=20, required=False)
    phone = forms.CharField(label=gettext_lazy("Reporter phone"), max_length=32, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=100, required=False)
    category = LocalNameChoice(
        Category.objects.order_by("sort_order", "code"),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Category"),
        empty_label=gettext_lazy("All"),
    )
    district = LocalNameChoice(
        Area.objects.filter(level=AreaLevel.DISTRICT).defer("geometry").order_by("code"),
        to_field_name="code",
        required=False,
        label=gettext_lazy("District"),
        empty_label=gettext_lazy("All"),
    )
    department = LocalNameChoice(
        Department.objects.order_by("code"),
        required=False,
        label=gettext_lazy("Department"),
        empty_label=gettext_lazy("All"),
    )
    family = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *Family.choices],
        required=False,
        label=gettext_lazy("Stage"),
    )
    state = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *State.choices],
        required=False,
        label=gettext_lazy("State"),
    )
    overdue = forms.ChoiceField(choices=YES_NO, required=False, label=gettext_lazy("Overdue"))
    channel = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *Channel.choices],
        required=False,
        label=gettext_lazy("Channel"),
    )
    since = forms.DateField(label=gettext_lazy("Submitted from"), required=False)
    until = forms.DateField(label=gettext_lazy("Submitted until"), required=False)
    # The cases behind a statistic (the dashboard's links): hidden, shown as a banner.
    stat = forms.ChoiceField(
        choices=[("", ""), *[(m, m) for m in sorted({*STAT_METRICS, *stats.LINKABLE})]],
        required=False,
        widget=forms.HiddenInput,
    )
    stat_since = forms.DateField(required=False, widget=forms.HiddenInput)
    stat_until = forms.DateField(required=False, widget=forms.HiddenInput)
    stat_department = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    stat_units = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # A breakdown's row: the person (post breakdown) or the subcategory it counts.
    stat_person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    stat_subcategory = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    attention = forms.ChoiceField(
        choices=[("", ""), ("urged", "urged"), ("unsatisfied", "unsatisfied")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("since", "until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        if not policy.may_see_phone(user):
            # Not offered, and refused below if sent anyway.
            del self.fields["phone"]

    def clean(self):
        data = super().clean() or {}
        if "phone" not in self.fields and (self.data.get("phone") or "").strip():
            raise forms.ValidationError(
                _("Only command centre staff may search by the reporter's phone number."),
                code="phone_not_allowed",
            )
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        if data.get("stat") and not (data.get("stat_since") and data.get("stat_until")):
            raise forms.ValidationError(_("A statistic needs its period."), code="stat_period")
        return data

    def stat_label(self) -> str:
        """What the list shows, when it is the cases behind a statistic."""
        d = self.cleaned_data
        if not d.get("stat"):
            return ""
        name = str(stat_name(d["stat"]))
        dept = Department.objects.filter(pk=d.get("stat_department") or 0).first()
        where = f" · {dept.local_name}" if dept else ""
        if dept and d.get("stat_units"):
            where += str(_(" (with its units)"))
        person = User.objects.filter(pk=d.get("stat_person") or 0).first()
        if person:
            where += f" · {person}"
        sub = Subcategory.objects.filter(pk=d.get("stat_subcategory") or 0).first()
        if sub:
            where += f" · {sub.local_name}"
        return f"{name} · {d['stat_since']} – {d['stat_until']}{where}"

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", self.cleaned_data.get("phone") or "")
        if phone and not re.fullmatch(r"\+?\d{3,20}", phone):
            raise forms.ValidationError(_("Enter at least three digits of the phone number."))
        return phone

    def case_filter(self) -> selectors.CaseFilter:
        d = self.cleaned_data
        overdue = {"yes": True, "no": False}.get(d.get("overdue") or "")
        return selectors.CaseFilter(
            family=d.get("family") or None,
            state=d.get("state") or None,
            category=d["category"].code if d.get("category") else None,
            district=d["district"].code if d.get("district") else None,
            department=d["department"].pk if d.get("department") else None,
            since=d.get("since"),
            until=d.get("until"),
            overdue=overdue,
            channel=d.get("channel") or None,
            number=(d.get("number") or "").strip() or None,
            phone=d.get("phone") or None,
            address=(d.get("address") or "").strip() or None,
        )


def _results(user: User, form: SearchForm) -> QuerySet[Case]:
    qs = selectors.staff_queue(user, form.case_filter())
    d = form.cleaned_data
    if d.get("stat"):
        departments = None
        if d.get("stat_department"):
            departments = stats.department_scope(d["stat_department"], bool(d.get("stat_units")))
        qs = stats.cases_behind(
            qs,
            d["stat"],
            d["stat_since"],
            d["stat_until"],
            departments,
            person=d.get("stat_person"),
        )
        if d.get("stat_subcategory"):
            qs = qs.filter(subcategory_id=d["stat_subcategory"])
    if d.get("attention") == "urged":
        qs = qs.filter(urge_count__gt=0, state__in=OPEN_STATES)
    elif d.get("attention") == "unsatisfied":
        qs = qs.filter(rating=ReporterRating.UNSATISFIED, state=State.CLOSED)
    return qs.order_by("-created_at", "-pk")


def _form(request: HttpRequest) -> SearchForm:
    if not request.user.is_authenticated or not may_search(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    return SearchForm(request.GET, user=request.user)  # type: ignore[arg-type]


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page(request: HttpRequest, form: SearchForm, error: str = "", status: int = 200):
    page = None
    times = None
    if form.is_valid():
        results = _results(form.user, form)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        if form.cleaned_data.get("stat"):
            # What the number counted: a case behind an event count may count twice.
            times = results.aggregate(n=Sum("stat_times"))["n"] or 0
    elif status == 200:
        status = 400
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": _querystring(request),
        "error": error,
    }
    context["stat_label"] = form.stat_label() if page is not None else ""
    context["stat_times"] = times
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "console/_search_results.html" if partial else "console/search.html"
    return render(request, template, context, status=status)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return _page(request, _form(request))


# ------------------------------------------------------------------ export


def _local(value: datetime | None) -> datetime | None:
    # Excel has no time zones: write the city's wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


COLUMNS: list[tuple[Any, int]] = [
    # (header msgid, Excel column width)
    (gettext_lazy("Case number"), 16),
    (gettext_lazy("State"), 10),
    (gettext_lazy("Category"), 14),
    (gettext_lazy("Subcategory"), 16),
    (gettext_lazy("District"), 10),
    (gettext_lazy("Address"), 36),
    (gettext_lazy("Description"), 48),
    (gettext_lazy("Current department"), 18),
    (gettext_lazy("Submitted at"), 18),
    (gettext_lazy("Due at"), 18),
    (gettext_lazy("Overdue"), 8),
    (gettext_lazy("Closed at"), 18),
    (gettext_lazy("Channel"), 14),
]
DATE_COLUMNS = {8, 9, 11}
TIMES_COLUMN = (gettext_lazy("Times counted"), 10)


def _stat_mode(qs: QuerySet[Case]) -> bool:
    """The cases behind a statistic (stats.cases_behind annotated them)."""
    return "stat_times" in qs.query.annotations


def _columns(qs: QuerySet[Case]) -> list[tuple[Any, int]]:
    return COLUMNS + ([TIMES_COLUMN] if _stat_mode(qs) else [])


def _rows(qs: QuerySet[Case], user: User, times: bool = False) -> Iterator[list]:
    # Labels translated once per export, not once per row (50 000 rows).
    hide = not policy.may_see_phone(user)
    states = {value: str(label) for value, label in State.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    yes, no = _("Yes"), _("No")
    for case in qs.iterator(chunk_size=2000):
        # Text people sent is data, never a formula (suishoupai.exports).
        yield safe_row(
            [
                case.number,
                states.get(case.state, case.state),
                case.category.name,
                case.subcategory.name if case.subcategory else "",
                case.district.name if case.district else "",
                policy.mask(case.address, case.reporter_phone) if hide else case.address,
                policy.mask(case.description, case.reporter_phone) if hide else case.description,
                case.department.name if case.department else "",
                _local(case.created_at),
                _local(case.due_at),
                yes if case.is_overdue else no,
                _local(case.closed_at),
                channels.get(case.channel, case.channel),
            ]
            # The cases behind a statistic: how many times each counts in it.
            + ([case.stat_times] if times else [])  # type: ignore[attr-defined]
        )


def _exportable(request: HttpRequest) -> QuerySet[Case] | HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _page(request, form)
    qs = _results(form.user, form)
    count = qs.count()
    if count > settings.EXPORT_MAX_ROWS:
        message = _(
            "%(count)d cases match, more than the %(max)d an export may hold. "
            "Narrow the search (for example by date) and export again."
        ) % {"count": count, "max": settings.EXPORT_MAX_ROWS}
        return _page(request, form, error=message, status=400)
    return qs


def _filename(ext: str) -> str:
    return f"cases-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(qs: QuerySet[Case], user: User) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel the file is UTF-8; without it Chinese is garbled.
    yield "\ufeff" + writer.writerow([str(h) for h, _w in _columns(qs)])
    for row in _rows(qs, user, _stat_mode(qs)):
        yield writer.writerow(
            [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in row]
        )


@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    result = _exportable(request)
    if isinstance(result, HttpResponse):
        return result
    response = StreamingHttpResponse(
        _csv_lines(result, request.user),  # type: ignore[arg-type]
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse | FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    result = _exportable(request)
    if isinstance(result, HttpResponse):
        return result
    # Write-only mode streams rows to a temporary file: memory stays flat at 50 000 rows.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases"))
    columns = _columns(result)
    for index, (_h, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _w in columns:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(result, request.user, _stat_mode(result)):  # type: ignore[arg-type]
        for index in DATE_COLUMNS:
            if row[index] is not None:
                cell = WriteOnlyCell(sheet, value=row[index])
                cell.number_format = "yyyy-mm-dd hh:mm"
                row[index] = cell
        sheet.append(row)
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
