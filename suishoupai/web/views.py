from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from suishoupai.cases import policy
from suishoupai.cases.models import Case
from suishoupai.cases.states import FAMILY, Family

# The public map and statistics pages (web/public, built with the evaluation issue).
PUBLIC_MAP_URL = "/public/"
PUBLIC_STATS_URL = "/public/stats/"


def home(request: HttpRequest) -> HttpResponse:
    """The public face of the city's service: report, follow, see what others reported."""
    # Counts cover every case (no personal data in a count); the list only public ones.
    by_family = {f: 0 for f in Family.values}
    for row in Case.objects.values("state").annotate(n=Count("pk")):
        by_family[FAMILY[row["state"]]] += row["n"]
    recent = (
        Case.objects.public()
        .select_related("category", "subcategory", "district", "street")
        .defer("district__geometry", "street__geometry")
        .order_by("-created_at")[:8]
    )
    context = {
        "families": [(f, Family(f).label, n) for f, n in by_family.items()],
        "recent": [(case, _where(case)) for case in recent],
        "public_map_url": PUBLIC_MAP_URL,
        "public_stats_url": PUBLIC_STATS_URL,
    }
    return render(request, "web/home.html", context)


def _where(case: Case) -> str:
    # The public's address: the reporter's number masked, a noise report's door left out.
    address = policy.public_address(case)
    # Addresses usually begin with their (Chinese) district name: say it once.
    district = case.district
    if district is None:
        return address
    if address.startswith(district.name):
        return address
    return " · ".join(filter(None, [district.local_name, address]))


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
