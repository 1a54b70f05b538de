from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "suishoupai.open311"
    label = "open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from suishoupai.cases.models import Case
        from suishoupai.cases.signals import event_committed
        from suishoupai.photos.models import Photo

        from .answers import new_generation

        # A new generation of cached search answers (open311.answers) when a case moves,
        # a case is saved or a photo's public copy changes.
        event_committed.connect(new_generation, dispatch_uid="open311.answers.event")
        post_save.connect(new_generation, sender=Case, dispatch_uid="open311.answers.case")
        post_save.connect(new_generation, sender=Photo, dispatch_uid="open311.answers.photo")
