from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from suishoupai.cases.models import Case
from suishoupai.cases.states import FAMILY, Family


def home(request: HttpRequest) -> HttpResponse:
    # Counts cover every case (no personal data in a count); the list only public ones.
    by_family = {f: 0 for f in Family.values}
    for row in Case.objects.values("state").annotate(n=Count("pk")):
        by_family[FAMILY[row["state"]]] += row["n"]
    recent = (
        Case.objects.public().select_related("category", "district").order_by("-created_at")[:10]
    )
    return render(
        request,
        "web/home.html",
        {"families": [(Family(f).label, n) for f, n in by_family.items()], "recent": recent},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
