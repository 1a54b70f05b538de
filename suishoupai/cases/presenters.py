"""What the public and a reporter see of a case, as plain data.

Shared by the JSON API (api/) and the citizen pages (web/citizen), which show
the same views: the rules of what leaves the centre (no personal data in public,
no internal events or request ids outside staff, hidden photos stay hidden) are
written here once. Staff views are the API's (api/presenters.py).
"""

from typing import Any

from django.utils.translation import gettext as _

from suishoupai.org.models import Role
from suishoupai.photos import selectors as photo_selectors
from suishoupai.photos.models import Photo

from . import policy, selectors
from .events import EVENT_LABELS
from .models import Case, CaseEvent
from .states import FAMILY, State


def ref(obj: Any) -> dict | None:
    # `name` stays the city's own (the documented field); `name_en` is added, "" if none.
    return {"code": obj.code, "name": obj.name, "name_en": obj.name_en} if obj else None


def _department(dept: Any) -> dict:
    """A department named in a view: `department` and, added beside it, `department_en`."""
    return {
        "department": dept.name if dept else None,
        "department_en": dept.name_en if dept else None,
    }


def photo(item: Photo, staff_view: bool, reporter: bool = False) -> dict:
    # The public and reporters get the privacy-safe copy once it is ready; only
    # staff get the original, through an authenticated endpoint, never a public URL.
    # The reporter also sees it before the case is public, by a signed link.
    if reporter:
        return photo_selectors.present_to_reporter(item)
    return photo_selectors.present(item, staff_view)


def actor(event: CaseEvent, staff_view: bool) -> str:
    if event.actor_role in ("citizen", "system"):
        return {"citizen": _("Reporter"), "system": _("System")}[event.actor_role]
    if event.actor_role == "external":
        # A partner system (12345 hotline, an Open311 client) by its registered name.
        return event.actor_label or _("Partner system")
    role = Role(event.actor_role).label if event.actor_role in Role.values else ""
    # The public and the reporter see the post, staff see the person too.
    return f"{role} {event.actor_label}".strip() if staff_view else str(role)


def event(
    item: CaseEvent, staff_view: bool, reporter: bool = False, hide_phone: str | None = None
) -> dict:
    """One event; with `hide_phone` (the reporter's number) as someone who may not see
    it gets the event (cases.policy)."""
    data = item.data if staff_view else {k: v for k, v in item.data.items() if k != "request"}
    note = item.note
    if hide_phone is not None:
        data, note = policy.masked(data, hide_phone), policy.mask(note, hide_phone)
    return {
        "at": item.at,
        "action": item.action,
        "label": str(EVENT_LABELS.get(item.action, item.action)),
        "from_state": item.from_state,
        "to_state": item.to_state,
        "actor": actor(item, staff_view),
        **_department(item.department),
        "note": note,
        "data": data,
        "photos": [
            photo(p, staff_view, reporter) for p in item.photos.all() if staff_view or not p.hidden
        ],
    }


def present_public(case: Case, phone_hidden: bool = True, exact_place: bool = False) -> dict:
    """A case as anyone may see it. Staff and the reporter ask for the `exact_place`;
    the public gets a noise report's place coarsened (policy.public_position)."""
    hide = case.reporter_phone if phone_hidden else None
    lat, lng = (
        (case.lat, case.lng)
        if exact_place
        else policy.public_position(case.lat, case.lng, case.category.coarse_location)
    )
    if exact_place:
        address = policy.mask(case.address, hide) if hide is not None else case.address
    else:
        address = policy.public_address(case)
    return {
        "number": case.number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "family": FAMILY[case.state],
        "channel": case.channel,
        "category": ref(case.category),
        "subcategory": ref(case.subcategory),
        "district": ref(case.district),
        "address": address,
        "lat": lat,
        "lng": lng,
        "description": policy.mask(case.description, hide)
        if hide is not None
        else case.description,
        **_department(case.department),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "rating": case.rating or None,
        "support_count": case.support_count,
    }


def present_public_detail(case: Case) -> dict:
    """A public case with its public timeline (受理、处置、评价全过程公开)."""
    return {
        **present_public(case),
        "timeline": [
            event(e, False, hide_phone=case.reporter_phone)
            for e in selectors.timeline(case, "public")
        ],
    }


def present_private(case: Case) -> dict:
    """The reporter's own view, after the tracking token (or confirmed phone) was checked."""
    events = selectors.timeline(case, "reporter")
    primary = case.merged_into
    return {
        **present_public(case, phone_hidden=False, exact_place=True),
        "timeline": [event(e, False, reporter=True) for e in events],
        "phone": case.reporter_phone,
        "anonymous": case.is_anonymous,
        "public": case.is_public,
        "due_at": case.due_at,
        "merged_into": primary.number if primary else None,
        # A merged reporter follows the case theirs was merged into.
        "merged_into_timeline": [
            event(e, False, hide_phone=primary.reporter_phone)
            for e in selectors.timeline(primary, "public")
        ]
        if primary
        else [],
        "rating_stars": case.rating_stars,
        "rating_comment": case.rating_comment,
        "rated_at": case.rated_at,
        "photos": [photo(p, False, reporter=True) for p in case.photos.all()],
    }
