"""Statistics: daily rollups kept in step with the case events, and the centre's weights.

DailyCell is what every dashboard and public page reads: one row per day, metric and
combination of breakdowns, with a count (and a total of minutes for durations). CaseFact
holds each case's own contribution, so that a new event changes the cells by exactly the
difference (services.on_event_recorded). Ids are plain integers, 0 meaning "none", so
that a key compares equal on every database (NULL never equals NULL).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suishoupai.names import LocalName


class _Key(models.Model):
    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=24)
    district = models.IntegerField(_("district"), default=0)
    category = models.IntegerField(_("category"), default=0)
    subcategory = models.IntegerField(_("subcategory"), default=0)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    department = models.IntegerField(_("department"), default=0)
    person = models.IntegerField(_("person"), default=0)
    # Durations: the whole hours, so that a median needs no case rows.
    bucket = models.IntegerField(_("bucket"), default=0)
    count = models.BigIntegerField(_("count"), default=0)
    total = models.BigIntegerField(_("total"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.count}"


KEY_FIELDS = (
    "day",
    "metric",
    "district",
    "category",
    "subcategory",
    "channel",
    "department",
    "person",
    "bucket",
)


class DailyCell(_Key):
    """A count for one breakdown: each fact goes to every grain (services.GRAINS), with the
    dimensions that grain does not break down by set to 0, once by day and once by month
    (`grain` ending in "m", `day` the month's first). A year is read from twelve monthly
    rows per key, not 365 daily ones, and no grain multiplies persons by districts by
    categories: the number of rows follows the city's size, not its number of cases.

    Not unique: changes are inserted as rows of their own (services: no hot row to lock)
    and merged by services.compact; readers sum a key's rows."""

    grain = models.CharField(_("grain"), max_length=2, default="d")

    class Meta:
        verbose_name = _("daily statistics cell")
        verbose_name_plural = _("daily statistics cells")
        indexes = [
            models.Index(fields=["grain", "metric", "day"], name="stats_cell_grain_metric_day")
        ]


CELL_FIELDS = ("grain", *KEY_FIELDS)


class CaseFact(_Key):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("case statistics fact")
        verbose_name_plural = _("case statistics facts")
        indexes = [
            # The console's click-through: the cases behind a number.
            models.Index(fields=["metric", "day"], name="stats_fact_metric_day"),
        ]


class Indicator(models.TextChoices):
    CLOSED_ON_TIME_RATE = "closed_on_time_rate", _("On-time closing rate (按期结案率)")
    CLOSING_RATE = "closing_rate", _("Closing rate (结案率)")
    REWORK_RATE = "rework_rate", _("Rework rate (返工率, lower is better)")
    SATISFACTION_RATE = "satisfaction_rate", _("Satisfaction rate (满意率)")
    HANDLED_ON_TIME_RATE = "handled_on_time_rate", _("On-time handling rate (按期处置率)")
    HANDLING_RATE = "handling_rate", _("Handling rate (处置率)")
    ACCURATE_DISPATCH_RATE = "accurate_dispatch_rate", _("Accurate dispatch rate (准确派遣率)")
    FILED_ON_TIME_RATE = "filed_on_time_rate", _("On-time filing rate (按时立案率)")


class CompositeWeight(models.Model):
    """综合指标值: a weighted mean of rates (0–100); the centre sets the weights."""

    indicator = models.CharField(
        _("indicator"), max_length=32, choices=Indicator.choices, unique=True
    )
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("composite score weight")
        verbose_name_plural = _("composite score weights")
        ordering = ["-weight", "indicator"]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.weight}"


class GradeBand(LocalName, models.Model):
    """A grade (优/良/中/差) from this composite score upwards."""

    name = models.CharField(_("grade"), max_length=16, unique=True)
    name_en = models.CharField(_("English name"), max_length=32, blank=True)
    min_score = models.DecimalField(_("from score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_score}"
