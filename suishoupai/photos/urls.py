from django.urls import path

from . import views

app_name = "photos"
urlpatterns = [
    path("<uuid:uuid>.webp", views.public_copy, name="public"),
    path("<uuid:uuid>.thumb.webp", views.public_thumb, name="public_thumb"),
]
