"""Streaming a photo's files from photo storage (disk or S3).

Callers decide who may see what: the staff endpoints (API and console) after
the case scope check, the public view (photos.views) after its own checks.
There is no route to originals anywhere public.
"""

from django.http import FileResponse

from .models import Photo

# Staff see the copy before the case is public (to draw boxes on it); a redaction
# replaces it under the same URL, so no caching.
STAFF_COPY_CACHE = "private, no-cache"


def original_response(photo: Photo) -> FileResponse:
    """Stream an original. Callers have checked that the user may see its case."""
    response = FileResponse(photo.original.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def copy_response(photo: Photo, *, thumb: bool, cache: str) -> FileResponse:
    """Stream a public copy or its thumbnail with the caller's cache policy."""
    field = photo.thumb_file if thumb else photo.public_file
    response = FileResponse(field.open("rb"), content_type="image/webp")
    response["Cache-Control"] = cache
    return response
