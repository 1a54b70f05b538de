from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiClient, AttributeValue, ClientRequest, ClientUpdate, KeyUse, ServiceAttribute


class KeyUseInline(admin.TabularInline):
    model = KeyUse
    extra = 0
    can_delete = False
    fields = ("at", "action", "status", "case_number", "message", "ip")
    readonly_fields = fields
    ordering = ("-at",)
    max_num = 0
    show_change_link = False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "channel",
        "prefix",
        "requests_per_hour",
        "active",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("channel", "active", "revoked_at")
    search_fields = ("name", "prefix", "contact")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)
    inlines = (KeyUseInline,)

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        editable = ("name", "channel", "contact", "requests_per_hour", "active")
        return editable if obj is None else (*editable, *self.readonly_fields)

    def get_inlines(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        return self.inlines if obj else ()

    def save_model(
        self, request: HttpRequest, obj: ApiClient, form: ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, raw = services.issue_client(
            obj.name,
            channel=obj.channel,
            contact=obj.contact,
            requests_per_hour=obj.requests_per_hour,
        )
        if not obj.active:
            ApiClient.objects.filter(pk=client.pk).update(active=False)
        # The admin goes on with `obj` (log entry, redirect), so make it the issued row.
        obj.pk = client.pk
        obj.refresh_from_db()
        obj._state.adding = False
        # Only the hash is stored: this message is the one chance to copy the key.
        messages.warning(
            request,
            _("The new api_key is %(raw)s — copy it now: it will not be shown again.")
            % {"raw": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for client in live:
            services.revoke(client)
        self.message_user(request, _("%(count)d key(s) revoked.") % {"count": len(live)})


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("code", "subcategory", "category", "datatype", "required", "order", "active")
    list_filter = ("datatype", "active", "category")
    list_select_related = ("subcategory", "category")
    search_fields = ("code", "description", "subcategory__code", "category__code")
    autocomplete_fields = ("category", "subcategory")
    inlines = (AttributeValueInline,)


class ReadOnly(admin.ModelAdmin):
    """Records of what clients sent: evidence, not for editing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientRequest)
class ClientRequestAdmin(ReadOnly):
    list_display = ("case", "client", "created_at")
    list_filter = ("client",)
    list_select_related = ("case", "client")
    search_fields = ("case__number", "token")


@admin.register(ClientUpdate)
class ClientUpdateAdmin(ReadOnly):
    list_display = ("update_id", "case", "client", "status", "created_at")
    list_filter = ("client", "status")
    list_select_related = ("case", "client")
    search_fields = ("update_id", "case__number")
