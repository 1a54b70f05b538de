from django.urls import path

from . import search

urlpatterns = [
    path("search/", search.search, name="search"),
    path("search/export.csv", search.export_csv, name="search_csv"),
    path("search/export.xlsx", search.export_xlsx, name="search_xlsx"),
]
