"""Read-only views of cases in the admin.

Cases change only through the service functions (the console and the API), so
the admin shows them, their events and requests, and changes nothing.
"""

from django.contrib import admin
from django.http import HttpRequest

from .models import Case, CaseEvent, CaseRequest


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class EventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    fields = readonly_fields = (
        "at",
        "action",
        "actor",
        "actor_role",
        "from_state",
        "to_state",
        "department",
        "note",
        "visibility",
    )
    extra = 0
    show_change_link = False


class RequestInline(ReadOnly, admin.TabularInline):
    model = CaseRequest
    fields = readonly_fields = (
        "kind",
        "reason",
        "amount",
        "department",
        "requested_by",
        "requested_at",
        "decision",
        "decided_by",
        "decided_at",
    )
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "number",
        "state",
        "category",
        "district",
        "department",
        "created_at",
        "due_at",
        "is_overdue",
    ]
    list_filter = ["state", "category", "district", "is_overdue", "channel"]
    search_fields = ["number", "address", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "district", "department"]
    inlines = [RequestInline, EventInline]
    # Secrets and the WeChat openid (personal data, shown nowhere) stay out of the admin.
    exclude = ["tracking_token_hash", "reporter_openid"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in Case._meta.fields if f.name not in self.exclude]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "at",
        "case",
        "action",
        "actor",
        "actor_role",
        "from_state",
        "to_state",
        "department",
        "visibility",
    ]
    list_filter = ["action", "actor_role", "visibility"]
    search_fields = ["case__number", "note"]
    date_hierarchy = "at"
    list_select_related = ["case", "actor", "department"]
