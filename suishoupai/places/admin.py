from django.contrib import admin

from suishoupai.org.audit import AuditedAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "level", "parent", "in_service"]
    list_filter = ["level", "in_service"]
    search_fields = ["code", "name", "name_en"]
    # Boundaries come from GeoJSON imports (manage.py import_areas), not hand edits.
    readonly_fields = ["geometry", "min_lng", "min_lat", "max_lng", "max_lat"]
