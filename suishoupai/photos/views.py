"""The public copies, streamed from photo storage (disk or S3) after a check.

There is no route to originals here or anywhere public: they are read only by
the staff endpoints (API and console), after the case scope check.
"""

from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from . import selectors
from .files import copy_response
from .models import Photo


def _serve(request: HttpRequest, uuid: UUID, thumb: bool) -> FileResponse:
    photo = Photo.objects.select_related("case").filter(uuid=uuid).first()
    if photo is None:
        raise Http404()
    if selectors.is_public(photo):
        # Short: hiding or redacting a photo must reach caches soon. Redacted copies
        # also get a new ?v= URL, so pages that reload see them at once.
        cache = "public, max-age=300"
    elif _reporter_may_open(request, photo, thumb):
        # The reporter's signed link to a copy that is not public: no shared cache.
        cache = "private, max-age=300"
    else:
        # Unknown, hidden, not ready, not public and a bad or expired signature
        # all look the same from outside.
        raise Http404()
    return copy_response(photo, thumb=thumb, cache=cache)


def _reporter_may_open(request: HttpRequest, photo: Photo, thumb: bool) -> bool:
    signature = request.GET.get("sig")
    if not signature:
        return False
    return selectors.may_reporter_see(photo) and selectors.reporter_signature_valid(
        photo, "thumb" if thumb else "public", signature
    )


@require_safe
def public_copy(request: HttpRequest, uuid: UUID) -> FileResponse:
    return _serve(request, uuid, thumb=False)


@require_safe
def public_thumb(request: HttpRequest, uuid: UUID) -> FileResponse:
    return _serve(request, uuid, thumb=True)
