import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Reported")
    FEEDBACK = "feedback", _("Handling feedback")
    VERIFICATION = "verification", _("Verification")


def original_path(photo: "Photo", filename: str) -> str:
    # Never the uploader's file name: it may carry personal data.
    return f"originals/{photo.created_at:%Y/%m}/{photo.uuid}.{photo.extension}"


class Photo(models.Model):
    """An uploaded photo. The original is private evidence and is never served publicly."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PhotoKind.choices)
    original = models.FileField(_("original"), upload_to=original_path)
    content_type = models.CharField(_("content type"), max_length=32)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(
        _("size (bytes)"),
    )
    width = models.PositiveIntegerField(
        _("width"),
    )
    height = models.PositiveIntegerField(
        _("height"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(
        _("uploaded at"),
    )
    hidden = models.BooleanField(_("hidden from the public"), default=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.uuid}"
