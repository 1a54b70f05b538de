from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficialAccountConfig(AppConfig):
    name = "suishoupai.officialaccount"
    label = "officialaccount"
    verbose_name = _("WeChat official account")
