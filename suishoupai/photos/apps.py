from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "suishoupai.photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        # Photo work after commit comes from the case signal; cases never calls it.
        from suishoupai.cases.signals import event_committed

        from . import services

        event_committed.connect(services.derive_after_commit, dispatch_uid="photos.derive")
