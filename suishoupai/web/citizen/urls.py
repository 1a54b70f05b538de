from django.urls import path

from . import views, wechat

app_name = "citizen"
urlpatterns = [
    path("", views.report, name="report"),
    path("mine", views.mine, name="mine"),
    path("cases/<str:number>", views.case_page, name="case"),
    path("districts.geojson", views.districts, name="districts"),
    path("streets.geojson", views.streets, name="streets"),
    path("api/place", views.place, name="place"),
    path("api/mine", views.mine_data, name="mine_data"),
    path("api/cases/<str:number>", views.own_case, name="own_case"),
    path("api/cases/<str:number>/rating", views.rate, name="rate"),
    path("api/public/<str:number>", views.public_case, name="public_case"),
    path("api/phone/code", views.phone_code, name="phone_code"),
    path("api/phone/confirm", views.phone_confirm, name="phone_confirm"),
    path("api/phone/forget", views.phone_forget, name="phone_forget"),
    path("api/qr", views.qr, name="qr"),
    # Inside WeChat (404 unless the official account is configured).
    path("oauth/start", wechat.oauth_start, name="oauth_start"),
    path("oauth", wechat.oauth_done, name="oauth_done"),
    path("api/draft", views.json_view(wechat.draft), name="draft"),
    path("api/draft/photos", views.json_view(wechat.draft_add_photo), name="draft_add_photo"),
    path(
        "api/draft/photos/<int:photo_id>", views.json_view(wechat.draft_photo), name="draft_photo"
    ),
]
