"""A LoginView wired exactly as the console's must be (see docs/console-admin.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from suishoupai.org.forms import ThrottledAuthenticationForm

login = auth_views.LoginView.as_view(
    template_name="admin/login.html", authentication_form=ThrottledAuthenticationForm
)
# The admin URLs only because the borrowed admin/login.html template links to them.
urlpatterns = [path("login/", login, name="login"), path("admin/", admin.site.urls)]
