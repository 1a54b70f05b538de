from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    # Wall-clock hours, day and night, weekends and holidays included.
    URGENT_HOURS = "urgent_hours", _("Urgent hours")
    # Only time inside the working periods of working days counts.
    WORKING_HOURS = "working_hours", _("Working hours")
    # A working day counts as one full day of working periods (see clock.py).
    WORKING_DAYS = "working_days", _("Working days")


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("Working day")
    HOLIDAY = "holiday", _("Day off")


class CalendarDay(models.Model):
    """An override of the statutory calendar for one date.

    Entries here win over the chinese-calendar package, and they are the only
    source for years that package does not know (it covers 2004-2026).
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class WorkingPeriod(models.Model):
    """A period of the working day, e.g. 08:30-12:00 and 13:30-17:30."""

    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Accept (submitted → filed)")
    DISPATCH = "dispatch", _("Dispatch (filed → dispatched)")
    TAKE = "take", _("Take (dispatched → in progress)")
    VERIFY = "verify", _("Verify (resolved → verified)")
    CLOSE = "close", _("Close (verified → closed)")


class StageLimit(models.Model):
    """Time limit of a stage that does not depend on the filing condition.

    The handling limit is the filing condition's own; these cover the centre's
    stages around it.
    """

    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)

    class Meta:
        verbose_name = _("stage time limit")
        verbose_name_plural = _("stage time limits")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.amount} {self.get_unit_display()}"
