import hashlib
import hmac
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from suishoupai.names import LocalName


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SHIFT_LEAD = "shift_lead", _("Shift lead")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    INSPECTOR = "inspector", _("Inspector")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class DepartmentKind(models.TextChoices):
    CENTRE = "centre", _("Command centre")
    CITY = "city", _("City department")
    DISTRICT = "district", _("District unit")
    OWNER = "owner", _("Facility owner")


class Department(LocalName, models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departments",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """Ids of this department and every unit below it.

        Departments are few (tens) and change rarely, so one query and a walk in
        Python is simpler and faster than a recursive CTE.
        """
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), [self.pk]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def department_scope(self) -> set[int]:
        return self.department.descendant_ids() if self.department else set()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_match(stored_hash: str, raw: str | None) -> bool:
    """The raw secret, exactly as sent (no trimming, no case folding), against a stored
    hash, in constant time. HTTP itself drops whitespace around a header's value
    (RFC 9110 §5.5): "<token> " on the wire arrives as "<token>", the same secret."""
    if not raw or not stored_hash:
        return False
    return hmac.compare_digest(stored_hash.encode(), hash_token(raw).encode())


class ApiToken(models.Model):
    """A staff member's bearer token. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        raw = "ssp_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw))
        return token, raw


class LoginAttempt(models.Model):
    """One failed sign-in. Read by org.throttle to lock a username or an address."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.ip or '-'} {self.at:%Y-%m-%d %H:%M}"
