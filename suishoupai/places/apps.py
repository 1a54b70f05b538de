from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "suishoupai.places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from .models import Area
        from .selectors import invalidate_area_cache

        # The point-lookup index lives in memory; any change to an area must rebuild it.
        post_save.connect(invalidate_area_cache, sender=Area, dispatch_uid="places.area_saved")
        post_delete.connect(invalidate_area_cache, sender=Area, dispatch_uid="places.area_deleted")
