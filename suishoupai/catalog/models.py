from django.db import models
from django.utils.translation import gettext_lazy as _

from suishoupai.names import LocalName, in_english
from suishoupai.timelimits.models import LimitUnit


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("Component (部件)")
    EVENT = "event", _("Event (事件)")


class Category(LocalName, models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    icon = models.CharField(_("icon"), max_length=32, blank=True)
    hint = models.CharField(_("hint"), max_length=200, blank=True)
    hint_en = models.CharField(_("English hint"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    # Noise and nuisance reports point at someone's home (the neighbour's flat, the
    # reporter's window): public pages show them only snapped to a ~100 m grid.
    coarse_location = models.BooleanField(
        _("coarse public position"),
        default=False,
        help_text=_(
            "Public pages show these cases only at a position rounded to about 100 m, "
            "without the street address (for noise and nuisance reports that point at homes)."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_hint(self) -> str:
        return self.hint_en if self.hint_en and in_english() else self.hint


class Subcategory(LocalName, models.Model):
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="subcategories",
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    hint = models.CharField(_("hint"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subcategory")
        verbose_name_plural = _("subcategories")
        ordering = ["category", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.category.name} / {self.name}"


class FilingCondition(models.Model):
    """立案条件: when a report of this subcategory is filed, its handling time
    limit and the criterion for closing it."""

    subcategory = models.ForeignKey(
        Subcategory,
        verbose_name=_("subcategory"),
        on_delete=models.CASCADE,
        related_name="conditions",
    )
    code = models.SlugField(_("code"), max_length=80, unique=True)
    description = models.CharField(_("filing condition"), max_length=300)
    limit_amount = models.DecimalField(_("time limit"), max_digits=6, decimal_places=2)
    limit_unit = models.CharField(_("time limit unit"), max_length=16, choices=LimitUnit.choices)
    closing_criterion = models.CharField(_("closing criterion"), max_length=300)
    default_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("filing condition")
        verbose_name_plural = _("filing conditions")
        ordering = ["subcategory", "sort_order", "code"]

    def __str__(self) -> str:
        return self.description


class ReplyKind(models.TextChoices):
    DECLINE = "decline", _("Declining a report")
    FEEDBACK = "feedback", _("Handling feedback")
    RETURN = "return", _("Return request")
    EXTENSION = "extension", _("Extension request")
    SUSPENSION = "suspension", _("Suspension request")
    APPEAL = "appeal", _("Overdue appeal")
    VERIFY_FAIL = "verify_fail", _("Failed verification")
    VOID = "void", _("Voiding")
    CALLBACK = "callback", _("Call-back")
    GENERAL = "general", _("General")


class ReplyTemplate(models.Model):
    """常用语: a stock phrase staff insert into a reason or note with one click.

    A template without a department is offered to everyone; one with a
    department only to that department and the units below it.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ReplyKind.choices)
    text = models.CharField(_("text"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["kind", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text


class RoutingRule(models.Model):
    """(category or subcategory) × (district or any) → department.

    The most specific matching rule wins: subcategory beats category, a named
    district beats "any district", then lower priority number first (the query is
    selectors.route, next to it).
    """

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE)
    subcategory = models.ForeignKey(
        Subcategory,
        verbose_name=_("subcategory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)

    class Meta:
        # Moved here from org with its rows: the table keeps the name it was created with.
        db_table = "org_routingrule"
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "subcategory", "district", "priority"]

    def __str__(self) -> str:
        scope = f"{self.category} / {self.subcategory or '*'} / {self.district or '*'}"
        return f"{scope} → {self.department}"
