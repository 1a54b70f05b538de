from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "suishoupai.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from suishoupai.photos.models import Photo

        from . import answers, public_map
        from .models import Case
        from .signals import event_committed, event_recorded

        # Cached public answers about a case (cases.answers) go when the case changes.
        event_committed.connect(answers.on_event, dispatch_uid="cases.answers.event")
        post_save.connect(answers.on_case_saved, sender=Case, dispatch_uid="cases.answers.case")
        post_save.connect(answers.on_photo_saved, sender=Photo, dispatch_uid="cases.answers.photo")
        # The public map's cached cell counts are marked out of date by any event.
        event_recorded.connect(public_map.on_event_recorded, dispatch_uid="cases.public_map")
