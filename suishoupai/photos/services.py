"""Writes about photos: checking uploads, storing originals, making the public
copies, staff redaction and hiding, and reading a position out of EXIF."""

import hashlib
import io
import logging
import math
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from suishoupai.errors import Conflict, InvalidInput

from . import formats
from .models import DerivativeStatus, Photo, derivative_path

log = logging.getLogger(__name__)


def _open(data: bytes) -> Image.Image:
    """Image.open with HEIC/HEIF support. pillow_heif (libheif) is loaded on the first
    photo, not when a web worker starts: most requests never read a photo."""
    import pillow_heif

    pillow_heif.register_heif_opener()  # idempotent
    return Image.open(io.BytesIO(data))


# The real type comes from the content, never from the name or the client's header.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/heic", "heic"),
}
MAX_BOXES = 20


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


# ------------------------------------------------------------------ upload checks


def shown_name(name: str) -> str:
    # The name is the sender's: shorten it so a 4 KB file name cannot fill the page.
    return name if len(name) <= 60 else name[:57] + "…"


def _refuse(message: str, name: str, **values: object) -> InvalidInput:
    return InvalidInput(message % {"name": shown_name(name), **values}, field="photos")


def check_upload(name: str, data: bytes) -> CheckedPhoto:
    """Refuse anything that is not a sane photo, naming the file and the reason."""
    if not data:
        raise _refuse(_("Photo “%(name)s” is empty."), name)
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise _refuse(
            _("Photo “%(name)s” is larger than %(mb)d MB."),
            name,
            mb=settings.PHOTO_MAX_BYTES // (1024 * 1024),
        )
    fmt = formats.sniff(data)
    if fmt is None:
        kind = formats.describe(data)
        if kind:
            raise _refuse(
                _("“%(name)s” is a file of type %(kind)s, not a JPEG, PNG, WebP or HEIC photo."),
                name,
                kind=kind,
            )
        raise _refuse(_("“%(name)s” is not a readable JPEG, PNG, WebP or HEIC photo."), name)
    try:
        found = formats.layout(fmt, data)
    except formats.Damaged:
        raise _refuse(_("Photo “%(name)s” is damaged or incomplete."), name) from None
    if found.end < len(data) and not formats.trailing_is_harmless(fmt, data, found.end):
        raise _refuse(
            _(
                "Photo “%(name)s” has other data attached after the picture. "
                "Please send the photo as the camera saved it."
            ),
            name,
        )
    if formats.FOREIGN_MARKERS.search(b"".join(found.metadata_blobs)):
        raise _refuse(
            _("Photo “%(name)s” hides other content (a script, web page or document) inside it."),
            name,
        )
    width, height, exif, metadata = _decode_check(name, fmt, data)
    exif = max(exif, found.exif)
    metadata = max(metadata, found.metadata)
    if exif > settings.PHOTO_MAX_EXIF_BYTES:
        raise _refuse(
            _("Photo “%(name)s” carries an unreasonably large EXIF block (%(kb)d KB)."),
            name,
            kb=exif // 1024,
        )
    if metadata > settings.PHOTO_MAX_METADATA_BYTES:
        raise _refuse(
            _("Photo “%(name)s” carries too much hidden metadata (%(kb)d KB)."),
            name,
            kb=metadata // 1024,
        )
    content_type, extension = FORMATS[fmt]
    return CheckedPhoto(name, data, content_type, extension, width, height)


def _decode_check(name: str, fmt: str, data: bytes) -> tuple[int, int, int, int]:
    """Size from the header, then the pixels decoded once: truncation fails here."""
    unreadable = _refuse(_("Photo “%(name)s” is damaged or incomplete."), name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt EXIF and the like: stripped anyway
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open(data) as image:
                width, height = image.size
                if image.format != fmt:
                    raise unreadable
                if width < 1 or height < 1:
                    raise unreadable
                if width * height > settings.PHOTO_MAX_PIXELS:
                    raise _refuse(
                        _("Photo “%(name)s” has too many pixels (more than %(mp)d megapixels)."),
                        name,
                        mp=settings.PHOTO_MAX_PIXELS // 1_000_000,
                    )
                exif = len(image.info.get("exif") or b"")
                metadata = exif + len(image.info.get("xmp") or b"")
                metadata += len(image.info.get("icc_profile") or b"")
                if fmt == "JPEG":
                    # Every coefficient is still read at 1/8 scale, so a cut-off file
                    # fails just the same, for a fraction of the time.
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
                if _turned_sideways(image):
                    width, height = height, width  # stored as the photo is seen, upright
    except InvalidInput:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse(
            _("Photo “%(name)s” has too many pixels (more than %(mp)d megapixels)."),
            name,
            mp=settings.PHOTO_MAX_PIXELS // 1_000_000,
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise unreadable from None
    return width, height, exif, metadata


def _turned_sideways(image: Image.Image) -> bool:
    """EXIF orientations 5-8 turn the picture by 90°. HEIF is already upright here:
    pillow-heif applies its rotation and reports orientation 1."""
    try:
        return image.getexif().get(0x0112) in (5, 6, 7, 8)
    except Exception:  # a corrupt EXIF block: the copy ignores it too
        return False


def check_uploads(files: list[tuple[str, bytes]]) -> list[CheckedPhoto]:
    if len(files) > settings.PHOTO_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)d photos can be sent at once.") % {"n": settings.PHOTO_MAX_COUNT},
            field="photos",
        )
    return [check_upload(name, data) for name, data in files]


# ------------------------------------------------------------------ originals


def store_photos(
    case: Any,
    checked: list[CheckedPhoto],
    *,
    kind: str,
    now: datetime,
    event: Any = None,
    written: list[Photo] | None = None,
) -> list[Photo]:
    """Save originals inside the transition's transaction; copies follow on commit
    (derive_after_commit, when the event the photos came with has committed).

    Each photo is added to `written` as soon as its file exists, so that the
    caller can remove the files if anything later fails and the transaction
    rolls back (the database forgets the rows, the disk would not).
    """
    written = [] if written is None else written
    stored = []
    for item in checked:
        photo = Photo(
            case=case,
            event=event,
            kind=kind,
            content_type=item.content_type,
            extension=item.extension,
            size=len(item.data),
            width=item.width,
            height=item.height,
            sha256=hashlib.sha256(item.data).hexdigest(),
            created_at=now,
            queued_at=now,
        )
        photo.original.save("upload", ContentFile(item.data), save=False)
        written.append(photo)
        photo.save()
        stored.append(photo)
    return stored


def derive_after_commit(sender: type, event: Any, **kwargs: object) -> None:
    """Receives cases.signals.event_committed (connected in apps.py): queue the public
    copies of the photos a committed case event brought (a report, a handling
    feedback, a verification) or changed (a staff redaction)."""
    photos = Q(event_id=event.pk)
    if event.action == "photo.redacted":
        photos |= Q(uuid=event.data.get("photo"))
    from . import tasks

    for pk in Photo.objects.filter(photos).order_by("pk").values_list("pk", flat=True):
        tasks.derive_photo(pk)


def _enqueue_on_commit(photo_id: int) -> None:
    # The worker must see the committed row; and a rolled-back upload queues nothing.
    from . import tasks

    transaction.on_commit(lambda: tasks.derive_photo(photo_id))


# ------------------------------------------------------------------ public copies


def derive(photo_id: int, *, now: datetime | None = None) -> Photo | None:
    """Make the public copies of one photo. Idempotent: a current copy is left alone.

    Files get fresh names each time and the row is switched over under a lock,
    so two workers on the same photo, or a redaction arriving meanwhile, never
    leave a copy that does not match the row. Failures are recorded on the
    photo (status, error, attempts) and raised again for huey to retry.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None  # deleted since it was queued
    if _is_current(photo):
        return photo
    revision = photo.revision
    storage = photo.original.storage
    saved: list[str] = []
    try:
        with photo.original.open("rb") as handle:
            data = handle.read()
        # OpenCV and the perceptual hash: only the task consumer that makes copies needs them.
        from . import imaging

        boxes = [imaging.Box(**box) for box in photo.redactions]
        rendered = imaging.render(data, boxes)
        token = secrets.token_hex(6)
        for suffix, content in (("", rendered.public), ("-thumb", rendered.thumb)):
            name = derivative_path(photo, f"{photo.uuid}-{token}{suffix}.webp")
            saved.append(storage.save(name, ContentFile(content)))
    except Exception as exc:
        for name in saved:
            storage.delete(name)
        _record_failure(photo_id, exc, now)
        raise
    with transaction.atomic():
        current = Photo.objects.select_for_update().get(pk=photo_id)
        if current.revision != revision or _is_current(current):
            # Redacted again meanwhile (a newer rendering is queued) or another worker won.
            transaction.on_commit(lambda: _delete(storage, saved))
            return current
        stale = [n for n in (current.public_file.name, current.thumb_file.name) if n]
        current.public_file.name, current.thumb_file.name = saved
        current.public_width, current.public_height = rendered.width, rendered.height
        current.phash = rendered.phash
        current.regions = [box.as_dict() for box in rendered.regions]
        current.status = DerivativeStatus.READY
        current.derived_revision = revision
        current.derived_at = now or timezone.now()
        current.attempts = F("attempts") + 1
        current.error = ""
        current.save()
        current.refresh_from_db(fields=["attempts"])
        transaction.on_commit(lambda: _delete(storage, stale))
    return current


def _is_current(photo: Photo) -> bool:
    return photo.status == DerivativeStatus.READY and photo.derived_revision == photo.revision


def _delete(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # an orphan file is harmless; a crash here would hide the copy
            log.warning("could not delete old photo copy %s", name, exc_info=True)


def _record_failure(photo_id: int, exc: Exception, now: datetime | None) -> None:
    log.warning("photo %s: public copy failed", photo_id, exc_info=exc)
    Photo.objects.filter(pk=photo_id).update(
        status=DerivativeStatus.FAILED,
        attempts=F("attempts") + 1,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        queued_at=now or timezone.now(),
    )


def requeue(
    now: datetime | None = None, limit: int = 200, lost_before: datetime | None = None
) -> list[int]:
    """Queue again what is failed (attempts left) or pending for too long (lost task);
    with `lost_before`, everything pending queued before then."""
    now = now or timezone.now()
    stuck = lost_before or now - timedelta(minutes=settings.PHOTO_DERIVE_STUCK_MINUTES)
    retry = Q(status=DerivativeStatus.FAILED, attempts__lt=settings.PHOTO_DERIVE_MAX_ATTEMPTS)
    lost = Q(status=DerivativeStatus.PENDING) & (Q(queued_at__isnull=True) | Q(queued_at__lt=stuck))
    # Failed ones wait as long as a lost one before their next attempt.
    due = Q(queued_at__isnull=True) | Q(queued_at__lt=stuck)
    ids = list(
        Photo.objects.filter((retry & due) | lost)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        Photo.objects.filter(pk__in=ids).update(queued_at=now)
        for pk in ids:
            _enqueue_on_commit(pk)
    return ids


def sweep_orphan_files(
    now: datetime | None = None, older_than: timedelta = timedelta(hours=1)
) -> list[str]:
    """Delete files of the last two months' folders that no photo row names.

    An upload writes its original before its transaction commits, and a copy is
    written before the row points at it; a process killed in between (SIGKILL, OOM,
    a power cut) leaves a file the database never heard of, which holds a citizen's
    photo for ever. Only files older than `older_than` go: a younger one may belong
    to a transaction still open. Runs daily (tasks.sweep_orphan_files); the folders
    are per month, so yesterday's crash is in this month's or last month's folder.
    """
    now = now or timezone.now()
    storage = Photo._meta.get_field("original").storage
    cutoff = now - older_than
    months = {f"{day:%Y/%m}" for day in (now - timedelta(days=2), now)}
    folders = (("originals", ["original"]), ("public", ["public_file", "thumb_file"]))
    deleted: list[str] = []
    for month in sorted(months):
        for root, columns in folders:
            folder = f"{root}/{month}"
            names = _files_under(storage, folder)
            if not names:
                continue
            known: set[str] = set()
            for column in columns:
                rows = Photo.objects.filter(**{f"{column}__startswith": f"{folder}/"})
                known.update(rows.values_list(column, flat=True))
            for name in sorted(set(names) - known):
                try:
                    if storage.get_modified_time(name) >= cutoff:
                        continue
                    storage.delete(name)
                except Exception:  # one unreadable file must not stop the sweep
                    log.warning("could not sweep orphan photo file %s", name, exc_info=True)
                    continue
                deleted.append(name)
    if deleted:
        log.warning("deleted %d photo files no row names: %s", len(deleted), deleted[:20])
    return deleted


def _files_under(storage: Storage, folder: str) -> list[str]:
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, OSError):
        return []
    names = [f"{folder}/{f}" for f in files]
    for sub in dirs:
        names += _files_under(storage, f"{folder}/{sub}")
    return names


# ------------------------------------------------------------------ staff moderation
# The moves themselves (who may, the case lock, the event) are the case's:
# cases.services.redact_photo, hide_photo, show_photo, retry_photo. These change the row.


def _boxes(photo: Photo, raw: list) -> list[dict]:
    """Staff boxes in pixels of the public copy, clipped to it; empty ones refused."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BOXES:
        raise InvalidInput(_("Draw between 1 and %(n)d boxes.") % {"n": MAX_BOXES}, field="boxes")
    width, height = photo.public_width or 0, photo.public_height or 0
    boxes = []
    for item in raw:
        try:
            x, y, w, h = (int(item[k]) for k in ("x", "y", "w", "h"))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                _("Each box needs whole numbers x, y, w and h."), field="boxes"
            ) from None
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(height, y + h)
        if w <= 0 or h <= 0 or x1 <= x0 or y1 <= y0:
            raise InvalidInput(
                _("A box lies outside the %(w)d × %(h)d public copy.") % {"w": width, "h": height},
                field="boxes",
            )
        boxes.append({"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "kind": "staff"})
    return boxes


def add_redactions(photo: Photo, boxes: list, *, now: datetime) -> tuple[Photo, list[dict]]:
    """Add staff boxes to blur; the row is locked and its copy made again after commit.

    Returns the locked photo and the boxes added (clipped to the public copy).
    """
    locked = Photo.objects.select_for_update().select_related("case").get(pk=photo.pk)
    if locked.public_width is None:
        raise Conflict(
            _("The public copy of this photo is not ready yet. Please try again shortly."),
            code="photo_not_ready",
        )
    added = _boxes(locked, boxes)
    locked.redactions = [*locked.redactions, *added]
    locked.revision += 1
    locked.status = DerivativeStatus.PENDING
    locked.queued_at = now
    locked.save(update_fields=["redactions", "revision", "status", "queued_at"])
    return locked, added


def set_hidden(photo: Photo, hidden: bool) -> tuple[Photo, bool]:
    """Hide a photo from the public (or show it again); False when it already was."""
    locked = Photo.objects.select_for_update().select_related("case").get(pk=photo.pk)
    if locked.hidden == hidden:
        return locked, False
    locked.hidden = hidden
    locked.save(update_fields=["hidden"])
    return locked, True


def retry(photo: Photo, *, now: datetime) -> Photo:
    """Queue a copy that is not current again, whatever the attempts so far."""
    with transaction.atomic():
        locked = Photo.objects.select_for_update().get(pk=photo.pk)
        if not _is_current(locked):
            locked.status = DerivativeStatus.PENDING
            locked.queued_at = now
            locked.save(update_fields=["status", "queued_at"])
            _enqueue_on_commit(locked.pk)
    return locked


# ------------------------------------------------------------------ EXIF position


def exif_location(data: bytes) -> tuple[float, float] | None:
    """(lat, lng) in WGS-84 from a JPEG's or HEIC's EXIF GPS block, or None.

    Phones write GPS positions in WGS-84 even in China (the GCJ-02 shift is
    applied by map apps when showing them), so no conversion is needed.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _open(data) as image:
                gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # unreadable EXIF has no position, it is not an error
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:
        return None  # "null island": a camera without a fix writes zeros
    return round(lat, 7), round(lng, 7)


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -degrees if str(ref or "").strip().upper() == negative else degrees
