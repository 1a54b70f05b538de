"""Reads over photos. Public pages and APIs go through here, never to `Photo.original`."""

from django.urls import reverse

from .models import DerivativeStatus, Photo


def _case_is_public(photo: Photo) -> bool:
    from suishoupai.cases.models import Case

    case = photo.case
    # Remembered on the case object: a timeline asks once per photo.
    cached = getattr(case, "_photos_public", None)
    if cached is None:
        cached = Case.objects.public().filter(pk=case.pk).exists()
        case._photos_public = cached  # type: ignore[attr-defined]
    return cached


def has_current_copy(photo: Photo) -> bool:
    """A public copy exists and was made for the latest redaction."""
    return (
        photo.status == DerivativeStatus.READY
        and photo.derived_revision == photo.revision
        and bool(photo.public_file.name)
    )


def is_public(photo: Photo) -> bool:
    """May anyone see this photo's public copy? Never the original, in any case."""
    return has_current_copy(photo) and not photo.hidden and _case_is_public(photo)


def public_url(photo: Photo) -> str | None:
    """The URL of a photo's public (derived, privacy-safe) copy, or None while there is none.

    Originals are private evidence and never have a public URL. None while the
    copy is being made, when it failed, when staff hid the photo, and when the
    case itself is not public (not filed yet, rejected, voided, or private).
    """
    if not is_public(photo):
        return None
    # The revision in the query makes a redacted copy a new URL for every cache.
    return reverse("photos:public", args=[photo.uuid]) + f"?v={photo.revision}"


def public_thumb_url(photo: Photo) -> str | None:
    if not is_public(photo):
        return None
    return reverse("photos:public_thumb", args=[photo.uuid]) + f"?v={photo.revision}"


def public_state(photo: Photo) -> str:
    """What a public page shows in place of the photo: "ready", or "pending" (placeholder).

    A failed copy reads as pending to the public; staff see the failure.
    """
    return "ready" if has_current_copy(photo) else "pending"


def staff_url(photo: Photo, variant: str = "original") -> str:
    """Staff-only endpoints (bearer token, case scope checked): original or copies."""
    base = f"/api/v1/staff/photos/{photo.uuid}"
    return {"original": base, "public": f"{base}/public.webp", "thumb": f"{base}/thumb.webp"}[
        variant
    ]


def present(photo: Photo, staff_view: bool) -> dict:
    """A photo in an API response. The public and the reporter get the public copy
    (or a placeholder state); staff get the original and the copy's health."""
    if not staff_view:
        url = public_url(photo)
        if url:
            status = "ready"
        elif has_current_copy(photo):
            status = "not_public"  # hidden by staff, or the case is not public
        else:
            status = "pending"
        return {
            "id": str(photo.uuid),
            "kind": photo.kind,
            "ready": url is not None,
            "status": status,
            "url": url,
            "thumb_url": public_thumb_url(photo),
        }
    current = has_current_copy(photo)
    return {
        "id": str(photo.uuid),
        "kind": photo.kind,
        "ready": current,
        "status": photo.status,
        "url": staff_url(photo),
        "thumb_url": staff_url(photo, "thumb") if current else None,
        "public_copy_url": staff_url(photo, "public") if current else None,
        "public_url": public_url(photo),
        "public_width": photo.public_width,
        "public_height": photo.public_height,
        "hidden": photo.hidden,
        "attempts": photo.attempts,
        "error": photo.error or None,
        "redactions": photo.redactions,
        "regions": photo.regions,
    }
