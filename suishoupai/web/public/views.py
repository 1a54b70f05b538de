"""Public pages: the city's cases on a map and in a list, for anyone, without signing in.

Nothing personal leaves here: no phone (masked inside texts too), no name, no door
address of a noise or nuisance report (cases.policy). The map draws itself from the
public JSON API (GET /api/v1/public/cases/map) with the filters of this page's form;
the list is rendered here, newest first, a page at a time.
"""

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from suishoupai.cases import policy
from suishoupai.cases.models import Case
from suishoupai.cases.selectors import CaseFilter, public_cases
from suishoupai.cases.states import Family
from suishoupai.catalog.models import Category
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.tiles import map_config

PAGE_SIZE = 20
DESCRIPTION_CHARS = 80
MAP_API = "/api/v1/public/cases/map"

# Strings the map's script shows ("%(n)s" is filled in there).
JS_STRINGS = {
    "cases_here": _("%(n)s cases here: tap to zoom in"),
    "one_case_here": _("1 case here: tap to zoom in"),
    "open_case": _("Open the case"),
    "coarse": _("Shown to about 100 m: noise reports point at homes."),
    "in_view": _("%(n)s cases in this part of the map"),
    "none_in_view": _("No cases in this part of the map."),
    "failed": _("The map could not load the cases. Please try again."),
}


class DateInput(forms.DateInput):
    input_type = "date"


class FilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    family = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        choices=[
            ("", pgettext_lazy("any progress", "All")),
            (Family.OPEN, _("Being handled")),
            (Family.CLOSED, _("Finished")),
        ],
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [("", _("All categories"))] + [
            (c.code, c.local_name) for c in Category.objects.filter(active=True)
        ]
        districts = Area.objects.filter(level=AreaLevel.DISTRICT).defer("geometry")
        district = cast(forms.ChoiceField, self.fields["district"])
        district.choices = [("", _("All districts"))] + [
            (a.code, a.local_name) for a in districts.order_by("code")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
            data.pop("until", None)
        return data

    def values(self) -> dict[str, str]:
        """The valid filters as they go into a link or the map's API call."""
        if not self.is_bound:
            return {}
        self.is_valid()
        out = {}
        for name, value in self.cleaned_data.items():
            if value:
                out[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return out


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.values()
    found = public_cases(
        CaseFilter(
            category=filters.get("category"),
            district=filters.get("district"),
            family=filters.get("family"),
            since=form.cleaned_data.get("since") if form.is_bound else None,
            until=form.cleaned_data.get("until") if form.is_bound else None,
        )
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "items": [_item(case) for case in page],
        "filtered": bool(filters),
        "query": urlencode(filters),
        "config": {
            "api": MAP_API,
            "filters": filters,
            "map": map_config(),
            "strings": {k: str(v) for k, v in JS_STRINGS.items()},
        },
    }
    return render(request, "public/cases.html", context)


def _item(case: Case) -> dict:
    address = policy.public_address(case)
    district = case.district.local_name if case.district else ""
    # Addresses usually begin with their (Chinese) district name: say it once.
    if case.district and address.startswith(case.district.name):
        district = ""
    where = [district, address]
    text = policy.mask(case.description, case.reporter_phone)
    return {
        "case": case,
        "where": " · ".join(w for w in where if w),
        "description": Truncator(text).chars(DESCRIPTION_CHARS),
        "coarse": case.category.coarse_location,
    }
