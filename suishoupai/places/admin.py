from django.contrib import admin

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "in_service"]
    list_filter = ["level", "in_service"]
    search_fields = ["code", "name"]
    # Boundaries come from GeoJSON imports (manage.py import_areas), not hand edits.
    readonly_fields = ["geometry", "min_lng", "min_lat", "max_lng", "max_lat"]
