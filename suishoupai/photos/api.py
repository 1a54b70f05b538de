"""Photo endpoints: the citizen's EXIF position read, and staff redaction.

Mounted at the API root (suishoupai/api/api.py): paths carry their own
/photos or /staff/photos prefix so that one router serves both audiences.
"""

import json
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from suishoupai import ratelimit
from suishoupai.cases.models import Case
from suishoupai.cases.schemas import PhotoOut
from suishoupai.errors import InvalidInput, NotAllowed, NotFound
from suishoupai.org.auth import BearerToken
from suishoupai.org.models import User

from . import selectors, services
from .models import Photo
from .schemas import ExifLocationOut, NoteIn, RedactIn
from .views import STAFF_COPY_CACHE, copy_response

router = Router()
staff_auth = BearerToken()


# ------------------------------------------------------------------ citizen


@router.post(
    "/photos/exif-location",
    response={200: ExifLocationOut},
    tags=["citizen"],
    summary="Read the position a photo was taken at (EXIF GPS), to pre-fill a report",
    description=(
        "Multipart field `photo`. Nothing is stored. 404 when the photo carries no "
        "position, 400 when it is not an acceptable photo, 429 when sent too often."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"photo": {"type": "string", "format": "binary"}},
                        "required": ["photo"],
                    }
                }
            },
            "required": True,
        }
    },
)
def exif_location(request: HttpRequest):
    ratelimit.check(
        "photos.exif_location",
        ratelimit.client_ip(request),
        limit=settings.PHOTO_EXIF_LOCATION_PER_MINUTE,
        window_seconds=60,
    )
    upload = request.FILES.get("photo")
    if upload is None:
        raise InvalidInput(_("Send the photo in the form field “photo”."), field="photo")
    checked = services.check_upload(upload.name or "photo", upload.read())
    found = services.exif_location(checked.data)
    if found is None:
        raise NotFound(
            _("This photo does not record where it was taken. Please mark the place on the map.")
        )
    lat, lng = found
    return {"lat": lat, "lng": lng, "coord_system": "wgs84"}


# ------------------------------------------------------------------ staff


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by BearerToken


def _photo(user: User, uuid: UUID) -> Photo:
    """Unknown photo → 404; a photo of a case this user may not see → 403."""
    photo = Photo.objects.select_related("case").filter(uuid=uuid).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    if not Case.objects.visible_to(user).filter(pk=photo.case_id).exists():
        raise NotAllowed(_("You may not see this case."))
    return photo


def _out(photo: Photo) -> dict:
    return selectors.present(photo, staff_view=True)


@router.post(
    "/staff/photos/{uuid}/redact",
    response=PhotoOut,
    auth=staff_auth,
    tags=["staff"],
    summary="Blur more of a photo's public copy (boxes in its pixels); the original is kept",
)
def redact(request: HttpRequest, uuid: UUID, body: RedactIn):
    user = _user(request)
    photo = _photo(user, uuid)
    boxes = [box.model_dump() for box in body.boxes]
    return _out(services.redact(photo, user, boxes, note=body.note))


def _object_or_nothing(request: HttpRequest) -> None:
    """An optional body is a JSON object or nothing. Ninja takes any other JSON (a bare
    5, found by schemathesis) as no body at all; refuse it instead."""
    if not request.body:
        return
    try:
        data = json.loads(request.body)
    except ValueError:
        return  # Ninja refuses what is not JSON
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))


@router.post(
    "/staff/photos/{uuid}/hide",
    response=PhotoOut,
    auth=staff_auth,
    tags=["staff"],
    summary="Hide a photo from the public (staff still see it)",
)
def hide(request: HttpRequest, uuid: UUID, body: NoteIn | None = None):
    _object_or_nothing(request)
    user = _user(request)
    return _out(services.set_hidden(_photo(user, uuid), user, True, note=body.note if body else ""))


@router.post(
    "/staff/photos/{uuid}/show",
    response=PhotoOut,
    auth=staff_auth,
    tags=["staff"],
    summary="Show a hidden photo to the public again",
)
def show(request: HttpRequest, uuid: UUID, body: NoteIn | None = None):
    _object_or_nothing(request)
    user = _user(request)
    note = body.note if body else ""
    return _out(services.set_hidden(_photo(user, uuid), user, False, note=note))


@router.post(
    "/staff/photos/{uuid}/retry",
    response=PhotoOut,
    auth=staff_auth,
    tags=["staff"],
    summary="Make a failed public copy again",
)
def retry(request: HttpRequest, uuid: UUID):
    user = _user(request)
    return _out(services.retry(_photo(user, uuid), user))


def _copy(request: HttpRequest, uuid: UUID, thumb: bool) -> FileResponse:
    photo = _photo(_user(request), uuid)
    if not selectors.has_current_copy(photo):
        raise NotFound(_("The public copy of this photo is not ready yet."))
    return copy_response(photo, thumb=thumb, cache=STAFF_COPY_CACHE)


@router.get(
    "/staff/photos/{uuid}/public.webp",
    auth=staff_auth,
    tags=["staff"],
    summary="The current public copy, also for cases that are not public (to draw boxes on)",
)
def staff_public_copy(request: HttpRequest, uuid: UUID):
    return _copy(request, uuid, thumb=False)


@router.get(
    "/staff/photos/{uuid}/thumb.webp",
    auth=staff_auth,
    tags=["staff"],
    summary="The current thumbnail",
)
def staff_thumb(request: HttpRequest, uuid: UUID):
    return _copy(request, uuid, thumb=True)
