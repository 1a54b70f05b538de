"""Photo endpoints: the citizen's EXIF position read, and staff moderation.

Mounted at the API root (api.py): paths carry their own /photos or /staff/photos
prefix so that one router serves both audiences. Redact, hide, show and retry are
moves of the case (cases.services), which decide who may.
"""

import json
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from suishoupai import ratelimit
from suishoupai.cases import selectors
from suishoupai.cases import services as case_services
from suishoupai.errors import InvalidInput, NotFound
from suishoupai.org.models import User
from suishoupai.photos import selectors as photo_selectors
from suishoupai.photos import services
from suishoupai.photos.files import STAFF_COPY_CACHE, copy_response
from suishoupai.photos.models import Photo

from .auth import BearerToken
from .schemas import PhotoOut

# The photo router's schemas. Kept here, not in schemas.py: this NoteIn (500
# characters) is not the case actions' NoteIn (2000), and both names are in the
# published OpenAPI document.


class BoxIn(Schema):
    x: int = Field(ge=-100_000, le=100_000)
    y: int = Field(ge=-100_000, le=100_000)
    w: int = Field(ge=1, le=100_000)
    h: int = Field(ge=1, le=100_000)


class RedactIn(Schema):
    boxes: list[BoxIn] = Field(
        min_length=1, max_length=20, description="Pixels of the public copy (public_width × …)"
    )
    note: str = Field(default="", max_length=500)


class NoteIn(Schema):
    note: str = Field(default="", max_length=500)


class ExifLocationOut(Schema):
    lat: float
    lng: float
    coord_system: str = Field(description='Always "wgs84": phones record GPS in WGS-84')


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
    return selectors.staff_photo(user, uuid)


def _out(photo: Photo) -> dict:
    return photo_selectors.present(photo, staff_view=True)


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
    return _out(case_services.redact_photo(photo, user, boxes, note=body.note))


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
    note = body.note if body else ""
    return _out(case_services.hide_photo(_photo(user, uuid), user, note=note))


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
    return _out(case_services.show_photo(_photo(user, uuid), user, note=note))


@router.post(
    "/staff/photos/{uuid}/retry",
    response=PhotoOut,
    auth=staff_auth,
    tags=["staff"],
    summary="Make a failed public copy again",
)
def retry(request: HttpRequest, uuid: UUID):
    user = _user(request)
    return _out(case_services.retry_photo(_photo(user, uuid), user))


def _copy(request: HttpRequest, uuid: UUID, thumb: bool) -> FileResponse:
    photo = _photo(_user(request), uuid)
    if not photo_selectors.has_current_copy(photo):
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
