from django.db import models
from django.utils.translation import gettext_lazy as _

from suishoupai.names import LocalName

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 100


class AreaLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Unit grid")


class Area(LocalName, models.Model):
    """A district, street, community or unit grid with its boundary.

    The boundary is GeoJSON (Polygon or MultiPolygon) in WGS-84, whatever the
    coordinate system of the file it was imported from. Bounding-box columns let
    a plain indexed query prefilter on SQLite and PostgreSQL alike.
    """

    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    # Shown when the interface is English; empty where the city gave none (the name is shown).
    name_en = models.CharField(_("English name"), max_length=NAME_MAX_LENGTH, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    geometry = models.JSONField(_("boundary (GeoJSON, WGS-84)"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    in_service = models.BooleanField(
        _("in service"),
        default=True,
        help_text=_("Reports are accepted only inside districts in service."),
    )
    # Part of the point-lookup cache version, so a web process notices areas imported by
    # another process (a management command, another worker) without a restart.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name
