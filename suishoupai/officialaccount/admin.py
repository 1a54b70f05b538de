from django.contrib import admin

from .models import Draft, DraftPhoto


class DraftPhotoInline(admin.TabularInline):
    model = DraftPhoto
    fields = ("status", "error", "size", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    # The openid is personal data: never listed, searched or shown here.
    list_display = ("pk", "created_at", "updated_at", "is_open", "submitted_at", "case")
    list_filter = ("is_open",)
    fields = ("text", "lat", "lng", "place_label", "created_at", "updated_at", "submitted_at")
    readonly_fields = fields
    inlines = [DraftPhotoInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
