import uuid

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Reported")
    FEEDBACK = "feedback", _("Handling feedback")
    VERIFICATION = "verification", _("Verification")


class DerivativeStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("public copy status", "Failed")


class _PhotoStorage(LazyObject):
    """STORAGES["photos"], looked up when first used and again after the setting changes."""

    def _setup(self) -> None:
        self._wrapped = storages["photos"]


photo_storage_object = _PhotoStorage()


def _reset_photo_storage(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        photo_storage_object._wrapped = empty  # type: ignore[assignment]


setting_changed.connect(_reset_photo_storage)


def photo_storage() -> Storage:
    # A callable, so migrations record a reference and not today's backend.
    return photo_storage_object  # type: ignore[return-value]


def original_path(photo: "Photo", filename: str) -> str:
    # Never the uploader's file name: it may carry personal data.
    return f"originals/{photo.created_at:%Y/%m}/{photo.uuid}.{photo.extension}"


def derivative_path(photo: "Photo", filename: str) -> str:
    # `filename` is chosen by services.derive: a fresh name per rendering, so a
    # cache never mixes an old (less redacted) copy with a new one.
    return f"public/{photo.created_at:%Y/%m}/{filename}"


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
    original = models.FileField(_("original"), upload_to=original_path, storage=photo_storage)
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

    # The public copies, made in the background (services.derive) from the original.
    status = models.CharField(
        _("public copy"),
        max_length=16,
        choices=DerivativeStatus.choices,
        default=DerivativeStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    derived_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    # Bumped by every staff redaction; a copy is current when it was made for it.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    derived_revision = models.PositiveIntegerField(_("revision of the copy"), null=True, blank=True)
    public_file = models.FileField(
        _("public copy"), upload_to=derivative_path, storage=photo_storage, blank=True
    )
    thumb_file = models.FileField(
        _("thumbnail"), upload_to=derivative_path, storage=photo_storage, blank=True
    )
    public_width = models.PositiveIntegerField(_("public width"), null=True, blank=True)
    public_height = models.PositiveIntegerField(_("public height"), null=True, blank=True)
    # 64-bit DCT hash (imagehash.phash) as 16 hex digits, for finding duplicates.
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, db_index=True)
    # What was blurred automatically (faces, plates) and what staff added, in
    # pixels of the public copy: [{"x", "y", "w", "h", "kind"}].
    regions = models.JSONField(_("blurred automatically"), default=list, blank=True)
    redactions = models.JSONField(_("blurred by staff"), default=list, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]
        indexes = [
            # The periodic re-queue scans for photos whose copy is not ready.
            models.Index(fields=["status", "queued_at"], name="photo_status_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.uuid}"
