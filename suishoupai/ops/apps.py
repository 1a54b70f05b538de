from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "suishoupai.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Connects the receiver that notices database errors in requests.
        from . import outage  # noqa: F401
