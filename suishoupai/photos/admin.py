from django.contrib import admin

from .models import Photo


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """Read-only: where each public copy stands (failed ones first to look at).

    No file fields: an admin link to an original would be a URL for it, and
    originals have none. Staff read them through the staff API.
    """

    list_display = ["uuid", "case", "kind", "status", "attempts", "hidden", "created_at"]
    list_filter = ["status", "hidden", "kind"]
    search_fields = ["uuid", "case__number", "sha256", "phash"]
    fields = readonly_fields = (
        "uuid",
        "case",
        "kind",
        "content_type",
        "size",
        "width",
        "height",
        "sha256",
        "created_at",
        "hidden",
        "status",
        "attempts",
        "error",
        "queued_at",
        "derived_at",
        "revision",
        "derived_revision",
        "public_width",
        "public_height",
        "phash",
        "regions",
        "redactions",
    )
    list_select_related = ["case"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
