from django.contrib import admin

from suishoupai.catalog.models import (
    Category,
    FilingCondition,
    ReplyTemplate,
    RoutingRule,
    Subcategory,
)
from suishoupai.org.audit import AuditedAdmin


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    fields = ("code", "name", "name_en", "hint", "sort_order", "active")
    extra = 0
    show_change_link = True


class FilingConditionInline(admin.TabularInline):
    model = FilingCondition
    fields = (
        "code",
        "description",
        "limit_amount",
        "limit_unit",
        "closing_criterion",
        "default_department",
        "sort_order",
        "active",
    )
    autocomplete_fields = ("default_department",)
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "name_en",
        "kind",
        "icon",
        "coarse_location",
        "sort_order",
        "active",
    )
    list_filter = ("kind", "coarse_location", "active")
    search_fields = ("code", "name", "name_en")
    inlines = (SubcategoryInline,)


@admin.register(Subcategory)
class SubcategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "category", "sort_order", "active")
    list_filter = ("category", "active")
    list_select_related = ("category",)
    search_fields = ("code", "name", "name_en")
    inlines = (FilingConditionInline,)


@admin.register(FilingCondition)
class FilingConditionAdmin(AuditedAdmin):
    list_display = (
        "code",
        "description",
        "limit_amount",
        "limit_unit",
        "default_department",
        "active",
    )
    list_filter = ("limit_unit", "subcategory__category", "active")
    list_select_related = ("default_department",)
    search_fields = ("code", "description")
    autocomplete_fields = ("subcategory", "default_department")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(AuditedAdmin):
    list_display = ("text", "kind", "department", "sort_order", "active")
    list_filter = ("kind", "active")
    list_editable = ("sort_order", "active")
    list_select_related = ("department",)
    search_fields = ("text",)
    autocomplete_fields = ("department",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ("category", "subcategory", "district", "department", "priority")
    list_filter = ("category", "district", "department")
    list_select_related = ("category", "subcategory", "district", "department")
    search_fields = ("category__code", "subcategory__code", "department__code", "department__name")
    autocomplete_fields = ("category", "subcategory", "department")
