from django.contrib import admin

from suishoupai.org.audit import AuditedAdmin

from .models import CompositeWeight, GradeBand


@admin.register(CompositeWeight)
class CompositeWeightAdmin(AuditedAdmin):
    list_display = ["indicator", "weight"]


@admin.register(GradeBand)
class GradeBandAdmin(AuditedAdmin):
    list_display = ["name", "name_en", "min_score"]
