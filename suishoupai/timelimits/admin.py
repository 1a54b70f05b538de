import datetime as dt

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suishoupai.org.audit import AuditedAdmin
from suishoupai.timelimits import calendar
from suishoupai.timelimits.models import CalendarDay, StageLimit, WorkingPeriod


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["note"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        reminder = missing_year_reminder(timezone.localdate())
        if reminder:
            messages.warning(request, reminder)
        return super().changelist_view(request, extra_context)


def missing_year_reminder(today: dt.date) -> str | None:
    """A reminder while next year's holidays are unknown.

    The State Council publishes them around November; until they are entered the
    weekday fallback would count holidays as working days.
    """
    next_year = today.year + 1
    if next_year in calendar.known_years():
        return None
    message = _(
        "The holidays and make-up working days of %(year)s are not known yet. "
        "Enter them here once they are published; until then Monday to Friday "
        "count as working days."
    )
    return str(message % {"year": next_year})


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(AuditedAdmin):
    list_display = ["__str__", "start", "end"]


@admin.register(StageLimit)
class StageLimitAdmin(AuditedAdmin):
    list_display = ["stage", "amount", "unit"]
