"""Reads over photos. Public pages and APIs go through here, never to `Photo.original`."""

from .models import Photo


def public_url(photo: Photo) -> str | None:
    """The URL of a photo's public (derived, privacy-safe) copy, or None while there is none.

    Originals are private evidence and never have a public URL. Until the derivative
    pipeline exists no photo has a public copy, so this answers None for all.
    """
    return None
