"""The staff console. Workflow pages (queues, case page, actions) and search/export
live in separate modules so each can grow on its own."""

from . import search_urls, stats_urls, workflow_urls

app_name = "console"
urlpatterns = workflow_urls.urlpatterns + search_urls.urlpatterns + stats_urls.urlpatterns
