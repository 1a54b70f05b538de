from django.urls import path

from . import views

app_name = "wechat"
urlpatterns = [
    # The official account's server URL (服务器地址): https://<host>/wechat/
    path("", views.server, name="server"),
]
