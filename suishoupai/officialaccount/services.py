"""Writes for the official account: gathering chat messages into drafts,
fetching their photos from WeChat, and closing a draft once it is sent."""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.cases import selectors as case_selectors
from suishoupai.cases.models import Case
from suishoupai.errors import InvalidInput, NotFound
from suishoupai.photos.services import CheckedPhoto, check_upload

from .models import Draft, DraftPhoto, DraftPhotoStatus

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000
# WeChat's answers meaning the media will never come (invalid or expired media_id).
MEDIA_GONE = {40007, 40008}


# ---------------------------------------------------------------- the draft's link


def _signature(key: str) -> str:
    mac = hmac.new(str(settings.SECRET_KEY).encode(), f"chat-draft:{key}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def token_for(draft: Draft) -> str:
    return f"{draft.key}-{_signature(draft.key)}"


def _gone() -> NotFound:
    return NotFound(_("This draft was sent already or has expired. Please send it again."))


def _by_token(token: str) -> Draft | None:
    key, _sep, signature = (token or "").partition("-")
    if not (key and hmac.compare_digest(signature, _signature(key))):
        return None
    return Draft.objects.filter(key=key).first()


def draft_for_token(token: str) -> Draft:
    """The draft a link opens. A wrong, sent or deleted draft answers the same."""
    draft = _by_token(token)
    if draft is None or draft.submitted_at is not None:
        raise _gone()
    return draft


def sending(
    token: str, kept: list[int] | None, client_ref: str | None
) -> tuple[Draft, list[CheckedPhoto]]:
    """The draft a report is sent from, and the photos the citizen kept, checked.

    A draft already sent opens only for the retry of that same sending (its
    idempotency key made the draft's case): the answer was lost on a weak network,
    and the retry must find the case, not an error.
    """
    draft = _by_token(token)
    if draft is None:
        raise _gone()
    if draft.submitted_at is not None:
        first = case_selectors.submitted_with(client_ref)
        if first is None or first.pk != draft.case_id:
            raise _gone()
        return draft, []
    return draft, checked_photos(draft, kept)


# ---------------------------------------------------------------- gathering


def _open_draft(openid: str, now: datetime) -> Draft:
    """The follower's open draft, locked; a new one after WECHAT_DRAFT_MINUTES of silence.

    Must run inside a transaction (the caller's).
    """
    window = now - timedelta(minutes=settings.WECHAT_DRAFT_MINUTES)
    for _attempt in range(3):
        draft = Draft.objects.select_for_update().filter(openid=openid, is_open=True).first()
        if draft is not None and draft.updated_at >= window:
            return draft
        if draft is not None:
            draft.is_open = False
            draft.save(update_fields=["is_open"])
        try:
            with transaction.atomic():
                return Draft.objects.create(
                    openid=openid,
                    key=secrets.token_hex(12),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            continue  # another message of this follower opened one at the same moment
    raise RuntimeError("could not open a chat draft")


def add_text(openid: str, text: str, *, now: datetime | None = None) -> Draft:
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Please describe the problem."), field="text")
    with transaction.atomic():
        draft = _open_draft(openid, now)
        joined = f"{draft.text}\n{text}" if draft.text else text
        if len(joined) > TEXT_LIMIT:
            raise InvalidInput(
                _("The description is too long (%(n)d characters at most).") % {"n": TEXT_LIMIT},
                field="text",
            )
        draft.text = joined
        draft.updated_at = now
        draft.save(update_fields=["text", "updated_at"])
    return draft


def add_location(
    openid: str, lat: float, lng: float, label: str = "", *, now: datetime | None = None
) -> Draft:
    """WeChat's location message is GCJ-02 (Location_X is the latitude): kept as sent."""
    now = now or timezone.now()
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("This position is not on the map."), field="lat")
    with transaction.atomic():
        draft = _open_draft(openid, now)
        draft.lat, draft.lng = lat, lng
        draft.place_label = (label or "").strip()[:200]
        draft.updated_at = now
        draft.save(update_fields=["lat", "lng", "place_label", "updated_at"])
    return draft


def add_photo(openid: str, media_id: str, *, now: datetime | None = None) -> DraftPhoto:
    """Record the photo now (the reply must leave within 5 s); fetch it in the background."""
    now = now or timezone.now()
    with transaction.atomic():
        return _add_photo(_open_draft(openid, now), media_id, now)


def add_page_photo(
    openid: str, media_id: str, *, draft: Draft | None = None, now: datetime | None = None
) -> DraftPhoto:
    """A photo the report page took with the JS-SDK (wx.chooseImage + wx.uploadImage
    give a media id): into the page's draft, or the follower's open draft."""
    now = now or timezone.now()
    with transaction.atomic():
        if draft is None:
            target = _open_draft(openid, now)
        else:
            target = Draft.objects.select_for_update().get(pk=draft.pk)
            if target.submitted_at is not None or target.openid != openid:
                raise NotFound(
                    _("This draft was sent already or has expired. Please send it again.")
                )
        return _add_photo(target, media_id, now)


def _add_photo(draft: Draft, media_id: str, now: datetime) -> DraftPhoto:
    if not media_id or len(media_id) > 128:
        raise InvalidInput(_("WeChat did not send a photo for this message."), field="photos")
    photo = draft.photos.filter(media_id=media_id).first()
    if photo is not None:
        return photo
    if draft.photos.count() >= settings.PHOTO_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)d photos can be sent at once.") % {"n": settings.PHOTO_MAX_COUNT},
            field="photos",
        )
    photo = DraftPhoto.objects.create(draft=draft, media_id=media_id, created_at=now)
    draft.updated_at = now
    draft.save(update_fields=["updated_at"])
    pk = photo.pk
    transaction.on_commit(lambda: _enqueue_fetch(pk))
    return photo


def _enqueue_fetch(photo_id: int) -> None:
    from .tasks import fetch_draft_photo  # tasks imports this module

    try:
        fetch_draft_photo(photo_id)
    except Exception:
        # The queue is down: the periodic sweep fetches pending photos.
        log.exception("could not queue chat photo %s; the sweep will fetch it", photo_id)


# ---------------------------------------------------------------- photos


def fetch_photo(photo_id: int) -> str | None:
    """Download one chat photo by its MediaId and check it as every upload is.

    Idempotent: a photo that is not pending is left alone. A transient failure
    (network, WeChat busy) is raised for huey to retry; a refusal is recorded.
    """
    photo = DraftPhoto.objects.filter(pk=photo_id, status=DraftPhotoStatus.PENDING).first()
    if photo is None:
        return None
    DraftPhoto.objects.filter(pk=photo.pk).update(attempts=photo.attempts + 1)
    # wechatpy is imported where WeChat is asked (a huey worker), not in web workers.
    from wechatpy.exceptions import WeChatClientException

    from .client import client

    try:
        answer = client().media.download(photo.media_id)
    except WeChatClientException as exc:
        if exc.errcode in MEDIA_GONE:
            return _fail(photo, _("WeChat no longer has this photo. Please send it again."))
        raise
    data = getattr(answer, "content", None)
    if not isinstance(data, bytes):
        return _fail(photo, _("WeChat did not send a photo for this message."))
    try:
        checked = check_upload(f"photo {photo.pk}", data)
    except InvalidInput as exc:
        return _fail(photo, exc.message)
    photo.content_type, photo.extension, photo.size = (
        checked.content_type,
        checked.extension,
        len(data),
    )
    photo.file.save("chat", ContentFile(data), save=False)
    photo.status = DraftPhotoStatus.READY
    photo.save(update_fields=["file", "content_type", "extension", "size", "status"])
    return photo.status


def _fail(photo: DraftPhoto, error: str) -> str:
    DraftPhoto.objects.filter(pk=photo.pk).update(status=DraftPhotoStatus.FAILED, error=error[:300])
    return DraftPhotoStatus.FAILED


def checked_photos(draft: Draft, ids: list[int] | None = None) -> list[CheckedPhoto]:
    """The draft's fetched photos (those in `ids` when given: the citizen may have
    removed some), checked again on the way into the case with the same checks
    as any upload, in the order they were sent. A photo still being fetched
    stops the sending with a message; the page waits for it."""
    photos = draft.photos.all()
    if ids is not None:
        photos = photos.filter(pk__in=ids)
    if photos.filter(status=DraftPhotoStatus.PENDING).exists():
        raise InvalidInput(
            _("The photos are still being fetched from WeChat; a moment please."), field="photos"
        )
    checked = []
    for n, photo in enumerate(photos.filter(status=DraftPhotoStatus.READY), start=1):
        with photo.file.open("rb") as handle:
            checked.append(check_upload(_("Photo %(n)s") % {"n": n}, handle.read()))
    return checked


def requeue_pending(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Pending photos whose task was lost (a restart) are queued again."""
    now = now or timezone.now()
    stuck = DraftPhoto.objects.filter(
        status=DraftPhotoStatus.PENDING, created_at__lt=now - timedelta(minutes=2), attempts__lt=5
    ).values_list("pk", flat=True)[:limit]
    ids = list(stuck)
    for pk in ids:
        _enqueue_fetch(pk)
    return ids


# ---------------------------------------------------------------- closing


def close(draft: Draft, case: Case | None, *, now: datetime | None = None) -> None:
    """The draft became `case`: its photos are the case's originals now."""
    now = now or timezone.now()
    Draft.objects.filter(pk=draft.pk, submitted_at=None).update(
        submitted_at=now, is_open=False, case=case, text="", lat=None, lng=None, place_label=""
    )
    pk = draft.pk
    # After commit: if the submission rolls back, the draft keeps its photos.
    transaction.on_commit(lambda: _delete_files(DraftPhoto.objects.filter(draft_id=pk)))


def purge(now: datetime | None = None) -> int:
    """Drafts older than WECHAT_DRAFT_DAYS go, files and all (sent ones keep only the row's
    link to the case until then)."""
    now = now or timezone.now()
    old = Draft.objects.filter(updated_at__lt=now - timedelta(days=settings.WECHAT_DRAFT_DAYS))
    _delete_files(DraftPhoto.objects.filter(draft__in=old))
    count, _kinds = old.delete()
    return count


def _delete_files(photos: QuerySet[DraftPhoto]) -> None:
    for photo in photos.exclude(file=""):
        photo.file.storage.delete(photo.file.name)
    photos.update(file="")
