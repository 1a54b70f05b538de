from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "suishoupai.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The core never calls notify: notify listens to the cases signal.
        from suishoupai.cases.signals import event_committed

        from . import services

        event_committed.connect(services.on_event_committed, dispatch_uid="notify.fan_out")
