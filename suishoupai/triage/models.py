from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from suishoupai.org.models import User


class ExampleSource(models.TextChoices):
    ADMIN = "admin", _("Entered in the admin")
    CONSOLE = "console", _("Operator's correction")


class TriageExample(models.Model):
    """A message and its right answer, added by the city, used by the next training.

    Either a subcategory (city management) or an agency key from the city's triage
    config (not city management, and whose it is).
    """

    text = models.TextField(_("message text"), max_length=2000)
    subcategory = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name=_("subcategory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.CharField(
        _("other agency"),
        max_length=32,
        blank=True,
        help_text=_("For a message that is not city management: whose it is (e.g. heating)."),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=ExampleSource.choices, default=ExampleSource.ADMIN
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("triage example")
        verbose_name_plural = _("triage examples")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(subcategory__isnull=False) & models.Q(agency=""))
                | (models.Q(subcategory__isnull=True) & ~models.Q(agency="")),
                name="triage_example_one_answer",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        from .config import triage_config

        if bool(self.subcategory_id) == bool(self.agency):
            raise ValidationError(_("Choose a subcategory or another agency, not both."))
        if self.agency and self.agency not in triage_config().agencies:
            raise ValidationError({"agency": _("Unknown agency.")})


class TriageModel(models.Model):
    """One trained suggestion model (the newest is used), kept in the database so every
    app process and machine reads the same one."""

    created_at = models.DateTimeField(_("trained at"))
    # classifier.Classifier.to_bytes() of the category and the sentiment model.
    category_model = models.BinaryField(_("category model"))
    sentiment_model = models.BinaryField(_("sentiment model"))
    examples = models.JSONField(_("training examples"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        get_latest_by = ["created_at", "pk"]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class SuggestionFeedback(models.Model):
    """What the operator did with a suggestion: accepted it or chose something else.

    The next training reads the corrections (and the accepted ones) as examples.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("message text"))
    suggested = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name=_("suggested"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_out_of_scope = models.FloatField(_("out-of-scope probability"), default=0.0)
    chosen = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name=_("chosen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_agency = models.CharField(_("chosen agency"), max_length=32, blank=True)
    accepted = models.BooleanField(_("accepted"))
    actor = models.ForeignKey(
        User, verbose_name=_("operator"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    model = models.ForeignKey(
        TriageModel,
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("suggestion feedback")
        verbose_name_plural = _("suggestion feedback")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {'✓' if self.accepted else '✗'}"


class CaseTriage(models.Model):
    """The suggestion, warning and sentiment computed for a case when it arrived."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="triage",
    )
    # [{"category", "subcategory", "score"}], best first.
    suggestions = models.JSONField(_("suggestions"), default=list)
    out_of_scope = models.FloatField(_("out-of-scope probability"), default=0.0)
    out_of_scope_reason = models.CharField(_("probably for"), max_length=100, blank=True)
    # 0..1: how urgent or angry the report reads; the operator's queue raises high ones.
    urgency = models.FloatField(_("urgency"), default=0.0, db_index=True)
    # -1 (angry) .. 1 (pleased), of the report text and of the rating comment.
    sentiment = models.FloatField(_("sentiment"), default=0.0)
    rating_sentiment = models.FloatField(_("rating comment sentiment"), null=True, blank=True)
    model = models.ForeignKey(
        TriageModel,
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("case triage")
        verbose_name_plural = _("case triage")

    def __str__(self) -> str:
        return str(self.case_id)
