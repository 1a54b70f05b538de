"""Field-level before → after values in the admin's change log (django_admin_log).

Django's own change message names the changed fields but not their values; for
configuration (time limits, routing, departments) an auditor needs to know what
a limit was before someone changed it. AuditedAdmin writes both, as plain text
in the language of the person who made the change, into LogEntry.change_message.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

# Never copied into the log, even as "changed".
SECRET_FIELDS = {"password", "key_hash", "tracking_token_hash"}
MAX_VALUE_CHARS = 200


def _label(field: forms.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(field, forms.ModelMultipleChoiceField) and field.queryset is not None:
        items = value if isinstance(value, list | tuple) else list(value)
        pks = [getattr(v, "pk", v) for v in items]
        return "、".join(str(o) for o in field.queryset.filter(pk__in=pks)) or _("(empty)")
    if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
        if not hasattr(value, "pk"):
            value = field.queryset.filter(pk=value).first() or value
        return str(value)
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, forms.ChoiceField):
        flat: dict = {}
        choices: Any = field.choices
        for key, text in choices:
            if isinstance(text, list | tuple):
                flat.update({str(k): t for k, t in text})
            else:
                flat[str(key)] = text
        return str(flat.get(str(value), value))
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def field_changes(form: forms.BaseForm) -> list[str]:
    """'label: before → after' for every changed field of a bound, valid form."""
    lines = []
    for name in form.changed_data:
        field = form.fields[name]
        label = str(field.label or name)
        if name in SECRET_FIELDS or isinstance(field.widget, forms.PasswordInput):
            lines.append(_("%(field)s: changed") % {"field": label})
            continue
        before = _label(field, form.initial.get(name))
        after = _label(field, form.cleaned_data.get(name))
        lines.append(
            _("%(field)s: “%(before)s” → “%(after)s”")
            % {"field": label, "before": before, "after": after}
        )
    return lines


def _formset_lines(formset: BaseFormSet) -> list[str]:
    # Set by BaseModelFormSet.save(), which the admin calls before logging.
    added = getattr(formset, "new_objects", [])
    deleted = getattr(formset, "deleted_objects", [])
    lines = [_("Added %(name)s “%(object)s”.") % _names(obj) for obj in added]
    for form in formset.forms:
        obj = form.instance
        if obj.pk is None or obj in added or obj in deleted or not form.has_changed():
            continue
        changes = field_changes(form)
        if changes:
            lines.append(
                _("Changed %(name)s “%(object)s”: %(changes)s")
                % {**_names(obj), "changes": "；".join(changes)}
            )
    lines.extend(_("Deleted %(name)s “%(object)s”.") % _names(obj) for obj in deleted)
    return lines


def _names(obj) -> dict[str, str]:
    return {"name": str(obj._meta.verbose_name), "object": str(obj)}


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change log entries carry the old and new values."""

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        if add:
            return super().construct_change_message(request, form, formsets, add)
        lines = field_changes(form)
        for formset in formsets or []:
            lines.extend(_formset_lines(formset))
        if not lines:
            return _("No fields changed.")
        return "\n".join(lines)
