"""Reports a follower is putting together in the official account's chat.

A photo, the location and a line of text sent within WECHAT_DRAFT_MINUTES of
each other make one draft. The chat's reply links to the report page with the
draft filled in; sending it there makes an ordinary case and closes the draft.
The openid is personal data: it never leaves the server except to WeChat.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suishoupai.photos.models import photo_storage


class Draft(models.Model):
    openid = models.CharField(_("WeChat openid"), max_length=64, db_index=True, editable=False)
    # The report page's link carries a token derived from this key (HMAC with
    # SECRET_KEY), so each reply can print the link again and the table never
    # holds a token that opens a draft by itself.
    key = models.CharField(max_length=32, unique=True, editable=False)
    text = models.TextField(_("text"), blank=True)
    # As WeChat sends them: GCJ-02. The report page shows and sends them as gcj02.
    lat = models.FloatField(_("latitude (GCJ-02)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (GCJ-02)"), null=True, blank=True)
    place_label = models.CharField(_("place"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    # The last message gathered into it: the next one joins it within the window.
    updated_at = models.DateTimeField(_("last message at"), db_index=True)
    # Open: new messages from this openid may still join it. Closed when it is
    # sent, or when a message comes after the window and starts a new draft.
    is_open = models.BooleanField(pgettext_lazy("chat draft", "open"), default=True, editable=False)
    submitted_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chat draft")
        verbose_name_plural = _("chat drafts")
        ordering = ["-updated_at"]
        constraints = [
            # One open draft per follower: two messages arriving at once meet here
            # instead of starting two drafts.
            models.UniqueConstraint(
                fields=["openid"], condition=models.Q(is_open=True), name="oa_one_open_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.updated_at:%Y-%m-%d %H:%M}"

    @property
    def coord_system(self) -> str:
        return "gcj02"


class DraftPhotoStatus(models.TextChoices):
    PENDING = "pending", _("Being fetched from WeChat")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("draft photo status", "Failed")


def draft_photo_path(photo: "DraftPhoto", filename: str) -> str:
    return f"drafts/{photo.created_at:%Y/%m}/{photo.draft_id}-{photo.pk}.{photo.extension}"


class DraftPhoto(models.Model):
    """A photo sent in the chat: fetched by MediaId in the background, checked as
    every upload is, and kept private until the draft is sent (then it becomes an
    ordinary original) or deleted."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="photos")
    media_id = models.CharField(max_length=128, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DraftPhotoStatus.choices,
        default=DraftPhotoStatus.PENDING,
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(upload_to=draft_photo_path, storage=photo_storage, blank=True)
    content_type = models.CharField(max_length=32, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("chat draft photo")
        verbose_name_plural = _("chat draft photos")
        ordering = ["draft", "pk"]
        constraints = [
            # WeChat's retries of one photo message add the photo once.
            models.UniqueConstraint(fields=["draft", "media_id"], name="oa_draft_photo_once"),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}/{self.pk} {self.status}"
