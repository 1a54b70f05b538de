from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import DepartmentContact, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "recipient", "case", "status", "attempts"]
    # A follower's openid is personal data: the address shows as “WeChat user”.
    exclude = ["address", "claim"]
    readonly_fields = ["recipient"]
    list_filter = ["status", "channel", "audience", "kind"]
    search_fields = ["address", "case__number", "body"]
    date_hierarchy = "created_at"
    list_select_related = ["case"]
    actions = ["retry"]

    @admin.display(description=_("address"))
    def recipient(self, message: Message) -> str:
        return message.recipient

    # The outbox is a delivery record: read-only, except the retry action.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Change permission is off for everyone (read-only rows), so the action asks for view.
    @admin.action(
        description=_("Send the selected failed or suppressed messages again"),
        permissions=["view"],
    )
    def retry(self, request, queryset):
        count = services.retry(queryset)
        self.message_user(
            request,
            # Not ngettext: Chinese has one form (and the catalogue test reads singular entries).
            _("Messages queued again: %(n)d.") % {"n": count},
            messages.SUCCESS,
        )


@admin.register(DepartmentContact)
class DepartmentContactAdmin(admin.ModelAdmin):
    list_display = ["department", "channel", "address", "active"]
    list_filter = ["channel", "active", "department"]
    search_fields = ["address", "department__name"]
    list_select_related = ["department"]
