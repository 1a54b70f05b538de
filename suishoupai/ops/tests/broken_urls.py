from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def broken_query(request):
    # A bug, not an outage: the database answers, the query is wrong.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
    return HttpResponse("unreachable")


urlpatterns = [
    path("broken", broken_query),
    path("", include("suishoupai.urls")),
]
