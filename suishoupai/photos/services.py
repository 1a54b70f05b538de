import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from suishoupai.errors import InvalidInput

from .models import Photo

pillow_heif.register_heif_opener()

# The real type comes from the content, never from the name or the client's header.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/heic", "heic"),
}


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def check_upload(name: str, data: bytes) -> CheckedPhoto:
    """Refuse anything that is not a sane photo, naming the file and the reason."""
    if not data:
        raise InvalidInput(_("Photo “%(name)s” is empty.") % {"name": name}, field="photos")
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("Photo “%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            field="photos",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            if fmt not in FORMATS:
                raise UnidentifiedImageError(fmt)
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise InvalidInput(
                    _("Photo “%(name)s” has too many pixels.") % {"name": name}, field="photos"
                )
            # load() decodes the pixels: a truncated or corrupt file fails here.
            image.load()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise InvalidInput(
            _("“%(name)s” is not a readable JPEG, PNG, WebP or HEIC photo.") % {"name": name},
            field="photos",
        ) from None
    content_type, extension = FORMATS[fmt]
    return CheckedPhoto(name, data, content_type, extension, width, height)


def check_uploads(files: list[tuple[str, bytes]]) -> list[CheckedPhoto]:
    if len(files) > settings.PHOTO_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)d photos can be sent at once.") % {"n": settings.PHOTO_MAX_COUNT},
            field="photos",
        )
    return [check_upload(name, data) for name, data in files]


def store_photos(
    case,
    checked: list[CheckedPhoto],
    *,
    kind: str,
    now: datetime,
    event=None,
    written: list[Photo] | None = None,
) -> list[Photo]:
    """Save originals inside the transition's transaction.

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
        )
        photo.original.save("upload", ContentFile(item.data), save=False)
        written.append(photo)
        photo.save()
        stored.append(photo)
    return stored
