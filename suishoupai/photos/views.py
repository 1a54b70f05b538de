"""The public copies, streamed from photo storage (disk or S3) after a check.

There is no route to originals here or anywhere public: they are read only by
the staff endpoint, after the case scope check.
"""

from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from . import selectors
from .models import Photo


def _serve(uuid: UUID, thumb: bool) -> FileResponse:
    photo = Photo.objects.select_related("case").filter(uuid=uuid).first()
    # Unknown, hidden, not ready and not public all look the same from outside.
    if photo is None or not selectors.is_public(photo):
        raise Http404()
    field = photo.thumb_file if thumb else photo.public_file
    response = FileResponse(field.open("rb"), content_type="image/webp")
    # Short: hiding or redacting a photo must reach caches soon. Redacted copies
    # also get a new ?v= URL, so pages that reload see them at once.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def public_copy(request: HttpRequest, uuid: UUID) -> FileResponse:
    return _serve(uuid, thumb=False)


@require_safe
def public_thumb(request: HttpRequest, uuid: UUID) -> FileResponse:
    return _serve(uuid, thumb=True)
