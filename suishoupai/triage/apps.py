from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "suishoupai.triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from suishoupai.cases.signals import event_committed

        from . import receivers

        event_committed.connect(receivers.on_case_event, dispatch_uid="triage.on_case_event")
