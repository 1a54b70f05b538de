from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "suishoupai.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Connect the sign-in receivers (failures, success, idle clock).
        from . import middleware, throttle  # noqa: F401
