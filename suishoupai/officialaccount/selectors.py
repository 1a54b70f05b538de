"""Reads for the pages: a draft as the report page fills itself in from it."""

from .models import Draft


def draft_for_page(draft: Draft) -> dict:
    """Everything the page shows; never the openid. Photos by id: the page fetches
    each with the draft's token, and sends back the ids it keeps."""
    return {
        "text": draft.text,
        "lat": draft.lat,
        "lng": draft.lng,
        "coord_system": draft.coord_system,
        "address": draft.place_label,
        "photos": [
            {"id": p.pk, "status": p.status, "error": p.error} for p in draft.photos.order_by("pk")
        ],
    }
