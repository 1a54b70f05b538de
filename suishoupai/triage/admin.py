from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from suishoupai.errors import DomainError
from suishoupai.org.audit import AuditedAdmin
from suishoupai.org.models import User

from . import services
from .config import triage_config
from .models import CaseTriage, SuggestionFeedback, TriageExample, TriageModel


class TriageExampleForm(forms.ModelForm):
    agency = forms.ChoiceField(label=_("other agency"), required=False)

    class Meta:
        model = TriageExample
        fields = ("text", "subcategory", "agency")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "---------"), *sorted(triage_config().agencies.items())]
        self.fields["agency"].choices = choices  # type: ignore[attr-defined]


@admin.register(TriageExample)
class TriageExampleAdmin(AuditedAdmin):
    form = TriageExampleForm
    list_display = ("text", "subcategory", "agency", "source", "created_at", "created_by")
    list_filter = ("source", "subcategory__category")
    list_select_related = ("subcategory__category", "created_by")
    search_fields = ("text",)
    autocomplete_fields = ("subcategory",)

    def save_model(
        self, request: HttpRequest, obj: TriageExample, form: forms.ModelForm, change: bool
    ) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.action(description=_("Train a new model now (takes a few seconds)"))
def retrain(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    try:
        model = services.train(note=f"admin: {request.user}")
    except DomainError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return
    modeladmin.message_user(request, _("Trained model %(m)s.") % {"m": model}, messages.SUCCESS)


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ("created_at", "examples", "note")
    fields = ("created_at", "examples", "note")
    readonly_fields = fields
    actions = (retrain,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SuggestionFeedback)
class SuggestionFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "suggested", "chosen", "chosen_agency", "accepted", "actor")
    list_filter = ("accepted",)
    list_select_related = ("case", "suggested__category", "chosen__category", "actor")
    search_fields = ("text", "case__number")


@admin.register(CaseTriage)
class CaseTriageAdmin(ReadOnlyAdmin):
    list_display = ("case", "out_of_scope", "out_of_scope_reason", "urgency", "sentiment")
    list_select_related = ("case",)
    search_fields = ("case__number",)
    ordering = ("-urgency",)
