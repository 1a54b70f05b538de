from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChannelCode(models.TextChoices):
    CONSOLE = "console", _("Console (log)")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")


class Audience(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    DEPARTMENT = "department", _("Department")
    STAFF = "staff", _("Centre staff")
    # A message asked for directly (a phone confirmation code), not caused by an event.
    DIRECT = "direct", _("Direct")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by a worker until lease_until; past it, another worker may claim it again.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # Gave up after NOTIFY_MAX_ATTEMPTS; the admin can queue it again.
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    # Never sent on purpose: the staging guard, or a channel that is not configured.
    SUPPRESSED = "suppressed", _("Suppressed")


class Message(models.Model):
    """One message to one address over one channel: the outbox row is the delivery record."""

    channel = models.CharField(_("channel"), max_length=16, choices=ChannelCode.choices)
    # A phone number, e-mail address, webhook URL, WeChat openid or, for the console, a label.
    address = models.CharField(_("address"), max_length=500)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    kind = models.CharField(_("template"), max_length=40, db_index=True)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # Structured form for machine channels (webhook JSON, WeChat template fields).
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The department contact it goes to (the webhook reads its secret from there).
    contact = models.ForeignKey(
        "DepartmentContact",
        verbose_name=_("department contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # event:<id>:<channel>:<address> for event messages: one event never tells
    # one address twice, however often the fan-out runs.
    dedup_key = models.CharField(_("deduplication key"), max_length=600, unique=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Set by each claim; a worker may only finish the claim it holds.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: due queued messages and expired leases.
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.channel}:{self.recipient}"

    @property
    def recipient(self) -> str:
        """The address as people may see it: a follower's WeChat openid is personal
        data, shown (and logged) only as “WeChat user”."""
        if self.channel == ChannelCode.WECHAT and self.audience != Audience.DEPARTMENT:
            return str(_("WeChat user"))
        return self.address


class DepartmentContact(models.Model):
    """Where a department is told about its cases: one row per channel and address."""

    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="notify_contacts",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ChannelCode.choices)
    address = models.CharField(
        _("address"),
        max_length=500,
        help_text=_("Phone number, e-mail address, webhook URL, WeChat openid or a console label."),
    )
    # Webhooks only: the receiver checks the HMAC-SHA256 signature with it.
    secret = models.CharField(_("webhook secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department contact")
        verbose_name_plural = _("department contacts")
        ordering = ["department", "channel", "address"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "channel", "address"], name="notify_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.channel}:{self.address}"


class EventFanOut(models.Model):
    """Marks an event whose messages were created, so the sweep can recover
    events whose on-commit hook never ran (the process died right after commit)."""

    event = models.OneToOneField(
        "cases.CaseEvent", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField()
    messages = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"event {self.event_id}: {self.messages}"
