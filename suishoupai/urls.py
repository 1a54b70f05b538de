from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from suishoupai.api.api import api
from suishoupai.web import views as web_views
from suishoupai.wechat import views as wechat_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    # /readyz (which dependency is down) and /metrics (not public): suishoupai.ops.
    path("", include("suishoupai.ops.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Citizen H5 pages (WeChat menu, QR codes), the staff console, Open311 GeoReport v2.
    path("m/", include("suishoupai.web.citizen.urls")),
    path("console/", include("suishoupai.web.console.urls")),
    # The public statistics page before the public map's own /public/ pages.
    path("public/stats/", include("suishoupai.web.public_stats")),
    # The public map and list of cases (no sign-in, nothing personal).
    path("public/", include("suishoupai.web.public.urls")),
    path("open311/v2/", include("suishoupai.open311.urls")),
    # The WeChat official account's server URL (404 unless WECHAT_* are set).
    path("wechat/", include("suishoupai.wechat.urls")),
    path("MP_verify_<str:code>.txt", wechat_views.domain_check, name="wechat_domain_check"),
    # Public, privacy-safe copies of photos only; originals have no URL here.
    path("media/public/", include("suishoupai.photos.urls")),
]

if settings.BENCH:

    def ceiling(request: HttpRequest) -> JsonResponse:
        """The benchmark's ceiling: the full middleware stack and nothing else."""
        return JsonResponse({"ok": True})

    urlpatterns.append(path("bench/ceiling", ceiling))

# Errors raised outside a view answer in the format of the interface asked (JSON for
# /api/, Open311's error list for /open311/, Django's pages elsewhere).
handler400 = "suishoupai.http_errors.bad_request"
handler403 = "suishoupai.http_errors.permission_denied"
handler404 = "suishoupai.http_errors.page_not_found"
handler500 = "suishoupai.http_errors.server_error"
