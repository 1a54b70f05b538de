from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "suishoupai.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import public_map
        from .signals import event_recorded

        event_recorded.connect(public_map.on_event_recorded, dispatch_uid="cases.public_map")
