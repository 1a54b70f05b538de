from django.urls import path

from . import dashboard

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard.export_xlsx, name="dashboard_xlsx"),
    path("dashboard/export.csv", dashboard.export_csv, name="dashboard_csv"),
]
