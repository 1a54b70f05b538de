from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suishoupai.org.audit import AuditedAdmin
from suishoupai.org.forms import ThrottledAdminAuthenticationForm
from suishoupai.org.models import ApiToken, Department, LoginAttempt, User

admin.site.site_header = _("Suishoupai administration")
admin.site.site_title = _("Suishoupai administration")
admin.site.index_title = _("Configuration and audit")
# The admin's sign-in counts failures and locks like the console's.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "kind", "parent", "district", "phone", "active")
    list_filter = ("kind", "active", "district")
    list_select_related = ("parent", "district")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)


_STAFF_FIELDS = ("role", "department", "phone", "display_name")


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and department"), {"fields": _STAFF_FIELDS}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and department"), {"fields": _STAFF_FIELDS}),
    )
    list_display = ("username", "display_name", "role", "department", "is_active", "is_staff")
    list_filter = ("role", "department", *BaseUserAdmin.list_filter)
    list_select_related = ("department",)
    search_fields = (*BaseUserAdmin.search_fields, "display_name", "phone")
    autocomplete_fields = ("department",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    autocomplete_fields = ("user",)
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            # The key is generated on save; a new token needs only its owner and a name.
            return ("user", "name")
        return ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        # A token's owner never changes: issue a new token instead.
        return self.readonly_fields if obj is None else ("user", *self.readonly_fields)

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = ApiToken.issue(obj.user, obj.name)
        # The admin goes on with `obj` (log entry, redirect), so make it the issued row.
        obj.pk = token.pk
        obj.refresh_from_db()
        obj._state.adding = False
        # Only the hash is stored, so this message is the one chance to copy the secret.
        messages.warning(
            request,
            _("The new token is %(raw)s — copy it now: it will not be shown again.") % {"raw": raw},
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        now = timezone.now()
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=now)
        # A bulk update bypasses the change form, so log each token by hand.
        for token in live:
            self.log_change(request, token, gettext("Revoked the token."))
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": len(live)})


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins, read-only. Deleting a username's rows lifts its lock at once."""

    list_display = ("at", "username", "ip")
    list_filter = ("at",)
    search_fields = ("username", "ip")
    date_hierarchy = "at"
    readonly_fields = ("at", "username", "ip")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin, read-only."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change")
    list_filter = ("action_flag", "content_type", "user", "action_time")
    list_select_related = ("user", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    fields = readonly_fields = (
        "action_time",
        "user",
        "content_type",
        "object_id",
        "object_repr",
        "action_flag",
        "change",
    )

    @admin.display(description=_("change"))
    def change(self, entry: LogEntry) -> SafeString:
        # One changed field per line (AuditedAdmin writes them so).
        lines = ((line,) for line in entry.get_change_message().splitlines())
        return format_html_join(mark_safe("<br>"), "{}", lines)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An audit trail that its subjects can edit is no audit trail.
        return False
