"""Workflow pages of the staff console: sign-in, queues per post, the case page, actions."""

from django.contrib.auth import views as auth_views
from django.urls import path

from suishoupai.org.forms import ThrottledAuthenticationForm

from . import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="console/login.html",
            redirect_authenticated_user=True,
            # Repeated failures lock the username / address (org.throttle).
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("intake/rows/", views.intake_rows, name="intake_rows"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("department/", views.department, name="department"),
    path("lead/", views.lead, name="lead"),
    path("verify/", views.verify, name="verify"),
    path("overdue/", views.overdue, name="overdue"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/do/<slug:action>/", views.case_action, name="case_action"),
    path("photos/<uuid:uuid>/", views.photo, name="photo"),
    path("photos/<uuid:uuid>/card/", views.photo_card, name="photo_card"),
    path("photos/<uuid:uuid>/public.webp", views.photo_copy, name="photo_copy"),
    path("photos/<uuid:uuid>/do/<slug:op>/", views.photo_action, name="photo_action"),
]
