from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "suishoupai.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # The core never calls stats: the rollups listen to the cases signal, inside the
        # transition's transaction, so a rollup can never disagree with the events.
        from suishoupai.cases.signals import event_recorded

        from . import services

        event_recorded.connect(services.on_event_recorded, dispatch_uid="stats.rollup")
