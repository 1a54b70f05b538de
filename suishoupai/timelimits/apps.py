from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelimitsConfig(AppConfig):
    name = "suishoupai.timelimits"
    verbose_name = _("Time limits")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from suishoupai.timelimits import calendar
        from suishoupai.timelimits.models import CalendarDay, WorkingPeriod

        for model in (CalendarDay, WorkingPeriod):
            for signal in (post_save, post_delete):
                signal.connect(
                    calendar.invalidate, sender=model, dispatch_uid=f"tl-{model.__name__}"
                )
        # A flush (TransactionTestCase teardown, `manage.py flush`) deletes rows without
        # post_delete but does send post_migrate.
        post_migrate.connect(calendar.invalidate, dispatch_uid="tl-post-migrate")
