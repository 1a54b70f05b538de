"""Open311 GeoReport v2: client applications, what they sent us, and service attributes.

Only a hash of each client's key is stored (like org.ApiToken). A case a client
created is linked to it by ClientRequest, which also keeps what the case itself has
no place for: the full description, the attributes, the reporter's name and email.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suishoupai.cases.models import Case, CaseEvent, Channel
from suishoupai.org.models import hash_token

KEY_PREFIX = "o311_"


class ApiClient(models.Model):
    """An application that talks Open311 to us: a 12345 platform, FixMyStreet, an app."""

    name = models.CharField(_("name"), max_length=100)
    # Cases the client reports are marked with this channel, so staff and statistics
    # can tell 12345 hotline reports from other Open311 clients.
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.OPEN311
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    requests_per_hour = models.PositiveIntegerField(_("requests per hour"), default=600)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def usable(self) -> bool:
        return self.active and self.revoked_at is None

    @staticmethod
    def new_key() -> tuple[str, str, str]:
        """(raw key, prefix, hash): the raw key is shown once and never stored."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        return raw, raw[: len(KEY_PREFIX) + 4], hash_token(raw)


class KeyUse(models.Model):
    """Audit of every write a key made or tried (reads only touch last_used_at)."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("Open311 client"), on_delete=models.CASCADE, related_name="uses"
    )
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    case_number = models.CharField(_("case number"), max_length=20, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("key use")
        verbose_name_plural = _("key uses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.action} {self.status}"


def new_request_token() -> str:
    return secrets.token_urlsafe(12)


class ClientRequest(models.Model):
    """A case that an Open311 client created, with what came along that the case cannot hold."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311_request"
    )
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("Open311 client"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # Not a secret: it only leads to the service_request_id (GET tokens/{token}).
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_request_token)
    # As posted (up to 4000 characters); the case keeps at most its own 2000.
    description = models.TextField(_("full description"))
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # A reference only: never fetched, never shown to the public.
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    address_string = models.CharField(_("address as sent"), max_length=200, blank=True)
    # The reporter's contact: private, like Case.reporter_phone.
    email = models.EmailField(_("email"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.client_id}"


class ClientUpdate(models.Model):
    """An update an external system posted (servicerequestupdates); update_id makes it
    idempotent: the same id from the same client is recorded once."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("Open311 client"),
        on_delete=models.PROTECT,
        related_name="updates",
    )
    update_id = models.CharField(_("update id"), max_length=100)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.OneToOneField(
        CaseEvent, verbose_name=_("case event"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    updated_datetime = models.DateTimeField(_("their time"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("Open311 update")
        verbose_name_plural = _("Open311 updates")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "update_id"], name="one_update_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.update_id}"


class Datatype(models.TextChoices):
    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


LIST_TYPES = {Datatype.SINGLE, Datatype.MULTI}
# The filing conditions are offered as a built-in attribute under this code.
CONDITION_CODE = "condition"


class ServiceAttribute(models.Model):
    """An extra question for a service (a subcategory, or a category without any)."""

    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subcategory = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name=_("subcategory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    code = models.SlugField(_("code"), max_length=50)
    datatype = models.CharField(_("data type"), max_length=16, choices=Datatype.choices)
    # False: information shown to the person, no answer expected (Open311 `variable`).
    variable = models.BooleanField(_("asks for an answer"), default=True)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("answer hint"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=True) ^ Q(subcategory__isnull=True),
                name="attribute_for_category_or_subcategory",
            ),
            models.UniqueConstraint(fields=["subcategory", "code"], name="one_attribute_code_sub"),
            models.UniqueConstraint(fields=["category", "code"], name="one_attribute_code_cat"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if (self.category_id is None) == (self.subcategory_id is None):
            raise ValidationError(_("Choose either a category or a subcategory, not both."))
        if self.code == CONDITION_CODE:
            raise ValidationError({"code": _("“condition” is reserved for the filing conditions.")})


class AttributeValue(models.Model):
    attribute = models.ForeignKey(
        ServiceAttribute,
        verbose_name=_("service attribute"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    key = models.CharField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "key"], name="one_value_per_key")
        ]

    def __str__(self) -> str:
        return self.name
