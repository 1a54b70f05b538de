from django.urls import path

from . import health, metrics

urlpatterns = [
    path("readyz", health.ReadinessView.as_view(), name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
