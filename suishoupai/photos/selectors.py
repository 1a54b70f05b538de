"""Reads over photos. Public pages and APIs go through here, never to `Photo.original`."""

from collections.abc import Iterable
from uuid import UUID

from django.core import signing
from django.urls import reverse

from .models import DerivativeStatus, Photo


def has_current_copy(photo: Photo) -> bool:
    """A public copy exists and was made for the latest redaction."""
    return (
        photo.status == DerivativeStatus.READY
        and photo.derived_revision == photo.revision
        and bool(photo.public_file.name)
    )


def is_public(photo: Photo) -> bool:
    """May anyone see this photo's public copy? Never the original, in any case."""
    return has_current_copy(photo) and not photo.hidden and photo.case.is_published


def first_public_urls(published: Iterable[int]) -> dict[int, str]:
    """For each of these published cases (Case.is_published), the URL of its first photo
    (in their order) with a public copy: is_public and public_url's rules on rows, for a
    list of a thousand cases (a Photo model and a reverse() per photo were a fifth of it)."""
    ids = list(published)
    rows = (
        Photo.objects.filter(case_id__in=ids, hidden=False, status=DerivativeStatus.READY)
        .exclude(public_file="")
        .values_list("case_id", "uuid", "revision", "derived_revision")
    )
    found: dict[int, str] = {}
    template = ""
    for case_id, uuid, revision, derived_revision in rows:
        if case_id in found or derived_revision != revision:
            continue
        if not template:  # reverse() once: the same route for every photo
            template = reverse("photos:public", args=[_SAMPLE])
        found[case_id] = template.replace(str(_SAMPLE), str(uuid)) + f"?v={revision}"
    return found


_SAMPLE = UUID(int=0)


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


# Signed links for the reporter (holder of the tracking token): the public copy
# of their own photos before the case is public, or when it never will be (不公开).
# The salt keeps these signatures from being valid anywhere else the secret key
# signs; the age bounds how long a copied link keeps working.
REPORTER_SALT = "suishoupai.photos.reporter-copy"
REPORTER_URL_MAX_AGE = 6 * 3600  # seconds


def _reporter_value(photo: Photo, variant: str) -> str:
    # Bound to the photo, the variant and the redaction revision: a link made
    # before a redaction never serves a later copy either.
    return f"{photo.uuid}:{variant}:{photo.revision}"


def may_reporter_see(photo: Photo) -> bool:
    """The reporter may see a current public copy unless staff hid the photo.

    Hidden stays hidden for the reporter too: staff hide a photo whose copy is
    unfit to show (someone else's identity the detectors missed, unrelated or
    offensive content), and the reporter still has their original on the phone.
    """
    return has_current_copy(photo) and not photo.hidden


def reporter_url(photo: Photo, variant: str = "public") -> str | None:
    """A signed, expiring link to the public copy ("public") or thumbnail ("thumb").

    Only the reporter's own view hands these out (present_to_reporter), after
    the tracking token was checked. Never a link to the original: the view serves copies only.
    """
    if not may_reporter_see(photo):
        return None
    value = _reporter_value(photo, variant)
    # sign() gives "value:timestamp:signature"; the URL carries the last two.
    signature = signing.TimestampSigner(salt=REPORTER_SALT).sign(value)[len(value) + 1 :]
    name = "photos:public" if variant == "public" else "photos:public_thumb"
    return reverse(name, args=[photo.uuid]) + f"?v={photo.revision}&sig={signature}"


def reporter_signature_valid(photo: Photo, variant: str, signature: str) -> bool:
    value = _reporter_value(photo, variant)
    try:
        signing.TimestampSigner(salt=REPORTER_SALT).unsign(
            f"{value}:{signature}", max_age=REPORTER_URL_MAX_AGE
        )
    except signing.BadSignature:  # also SignatureExpired, its subclass
        return False
    return True


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


def present_to_reporter(photo: Photo) -> dict:
    """A photo in the reporter's own view: the public URL once the case is public,
    before that (and for a 不公开 case) a signed link to the same public copy."""
    data = present(photo, staff_view=False)
    if data["ready"] or not may_reporter_see(photo):
        return data
    return {
        **data,
        "ready": True,
        "status": "ready",
        "url": reporter_url(photo),
        "thumb_url": reporter_url(photo, "thumb"),
    }
